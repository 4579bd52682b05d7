import KubeAPI

/// The non-pod, non-node objects plugins read: storage (VolumeBinding), namespace labels
/// (inter-pod affinity namespaceSelector) and workload selectors (default topology spread).
extension SchedulerCache {
  public mutating func addPersistentVolumeClaim(_ claim: JSONValue) {
    claims[claim.metadata.key] = claim
  }

  public mutating func updatePersistentVolumeClaim(_ claim: JSONValue) { addPersistentVolumeClaim(claim) }

  public mutating func removePersistentVolumeClaim(_ claim: JSONValue) {
    claims[claim.metadata.key] = nil
  }

  public mutating func addPersistentVolume(_ volume: JSONValue) {
    guard let name = volume.metadata.name else { return }
    volumes[name] = volume
  }

  public mutating func updatePersistentVolume(_ volume: JSONValue) { addPersistentVolume(volume) }

  public mutating func removePersistentVolume(_ volume: JSONValue) {
    guard let name = volume.metadata.name else { return }
    volumes[name] = nil
  }

  public mutating func addStorageClass(_ storageClass: JSONValue) {
    guard let name = storageClass.metadata.name else { return }
    storageClasses[name] = storageClass
  }

  public mutating func updateStorageClass(_ storageClass: JSONValue) { addStorageClass(storageClass) }

  public mutating func removeStorageClass(_ storageClass: JSONValue) {
    guard let name = storageClass.metadata.name else { return }
    storageClasses[name] = nil
  }

  public mutating func addNamespace(_ namespace: JSONValue) {
    guard let name = namespace.metadata.name else { return }
    namespaceLabels[name] = namespace.metadata.labels ?? [:]
  }

  public mutating func updateNamespace(_ namespace: JSONValue) { addNamespace(namespace) }

  public mutating func removeNamespace(_ namespace: JSONValue) {
    guard let name = namespace.metadata.name else { return }
    namespaceLabels[name] = nil
  }

  /// A Service's selector, used to spread the pods it selects (upstream's DefaultSelector).
  public mutating func addService(_ service: JSONValue) {
    let meta = service.metadata
    guard let name = meta.name else { return }
    let namespace = meta.namespace ?? "default"
    var selector: [String: String] = [:]
    if case .object(let members)? = service["spec"]?["selector"] {
      for (key, value) in members { selector[key] = value.stringValue ?? "" }
    }
    serviceSelectors[namespace, default: [:]][name] = selector.isEmpty ? nil : selector
  }

  public mutating func updateService(_ service: JSONValue) { addService(service) }

  public mutating func removeService(_ service: JSONValue) {
    let meta = service.metadata
    guard let name = meta.name else { return }
    serviceSelectors[meta.namespace ?? "default"]?[name] = nil
  }

  /// A ReplicaSet, StatefulSet or ReplicationController (`kind` names which, since list items may
  /// lack it); its selector spreads the pods it controls.
  public mutating func addController(_ controller: JSONValue, kind: String) {
    let meta = controller.metadata
    guard let name = meta.name else { return }
    let key = kind + "/" + (meta.namespace ?? "default") + "/" + name
    let selectorJSON = controller["spec"]?["selector"]
    let selector: LabelSelector?
    if kind == "ReplicationController" {
      var labels: [String: String] = [:]
      if case .object(let members)? = selectorJSON {
        for (key, value) in members { labels[key] = value.stringValue ?? "" }
      }
      selector = labels.isEmpty ? nil : LabelSelector(matching: labels)
    } else {
      selector = try? LabelSelector(object: selectorJSON)
    }
    controllerSelectors[key] = selector
  }

  public mutating func addDisruptionBudget(_ budget: JSONValue) {
    let meta = budget.metadata
    guard let name = meta.name else { return }
    let namespace = meta.namespace ?? "default"
    disruptionBudgets[namespace + "/" + name] = DisruptionBudget(
      namespace: namespace, selector: try? LabelSelector(object: budget["spec"]?["selector"]),
      allowed: Int(budget["status"]?["disruptionsAllowed"]?.intValue ?? 0),
      disrupted: Set((budget["status"]?["disruptedPods"]?.objectValue ?? [:]).keys))
  }

  public mutating func removeDisruptionBudget(_ budget: JSONValue) {
    let meta = budget.metadata
    disruptionBudgets[(meta.namespace ?? "default") + "/" + (meta.name ?? "")] = nil
  }

  public mutating func updateController(_ controller: JSONValue, kind: String) {
    addController(controller, kind: kind)
  }

  public mutating func removeController(_ controller: JSONValue, kind: String) {
    let meta = controller.metadata
    guard let name = meta.name else { return }
    controllerSelectors[kind + "/" + (meta.namespace ?? "default") + "/" + name] = nil
  }

  /// Upstream's helper.DefaultSelector: the Services selecting the pod merged, plus the selector of
  /// its controlling ReplicaSet/StatefulSet/ReplicationController. Empty when nothing selects it.
  func defaultSpreadSelector(for pod: SchedulerPod) -> LabelSelector {
    var labelSet: [String: String] = [:]
    for selector in (serviceSelectors[pod.namespace] ?? [:]).values
    where LabelSelector(matching: selector).matches(pod.labels) {
      labelSet.merge(selector) { _, new in new }
    }
    var selector = LabelSelector(matching: labelSet)
    guard let owner = pod.raw.metadata.controllerReference else { return selector }
    let group = owner.apiVersion.split(separator: "/").count == 2 ? owner.apiVersion.split(separator: "/")[0] : ""
    let known: Bool
    switch (group, owner.kind) {
    case ("", "ReplicationController"), ("apps", "ReplicaSet"), ("apps", "StatefulSet"): known = true
    default: known = false
    }
    guard known, let controller = controllerSelectors[owner.kind + "/" + pod.namespace + "/" + owner.name] else {
      return selector
    }
    if owner.kind == "ReplicationController" {
      for requirement in controller.requirements {
        if let value = requirement.values.first { labelSet[requirement.key] = value }
      }
      selector = LabelSelector(matching: labelSet)
    } else if !controller.matchesNothing {
      selector = selector.adding(controller.requirements)
    }
    return selector
  }
}
