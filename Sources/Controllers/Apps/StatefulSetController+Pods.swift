import KubeAPI
import KubeClient

/// A StatefulSet pod's identity and storage: its name, labels, hostname and subdomain, and a
/// `persistentVolumeClaim` volume per claim template; creating and deleting pods with the
/// events upstream records ("create Pod web-0 in StatefulSet web successful").
extension StatefulSetController {
  /// The pod for `ordinal` from the set as it stands at some revision.
  func newPod(_ set: JSONValue, ordinal: Int) -> JSONValue {
    let setName = set.metadata.name ?? ""
    let name = "\(setName)-\(ordinal)"
    let template = set["spec"]?["template"] ?? .object([:])
    var labels = template["metadata"]?["labels"]?.objectValue ?? [:]
    labels[Self.podNameLabel] = .string(name)
    labels[Self.podIndexLabel] = .string(String(ordinal))
    var metadata: [String: JSONValue] = [
      "name": .string(name), "namespace": .string(set.metadata.namespace ?? ""), "labels": .object(labels),
      "ownerReferences": [ControllerRefs.reference(to: set, type: .statefulSets)],
    ]
    for field in ["annotations", "finalizers"] {
      if let value = template["metadata"]?[field], !value.isNull { metadata[field] = value }
    }
    var spec = template["spec"] ?? .object([:])
    spec["hostname"] = .string(name)
    if let service = set["spec"]?["serviceName"]?.stringValue, !service.isEmpty { spec["subdomain"] = .string(service) }
    var pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": spec]
    Self.updateStorage(set, &pod, ordinal: ordinal)
    return pod
  }

  /// Pods below the partition are made from the current revision, the rest from the update one.
  func newVersionedPod(
    currentSet: JSONValue, updateSet: JSONValue, revisions: (current: String, update: String), ordinal: Int
  ) -> JSONValue {
    let start = Self.startOrdinal(currentSet)
    let rolling = currentSet["spec"]?["updateStrategy"]?["rollingUpdate"]
    let useCurrent: Bool
    if Self.strategy(currentSet) == "RollingUpdate", rolling == nil || rolling?.isNull == true {
      useCurrent = ordinal < start + Int(currentSet["status"]?["currentReplicas"]?.intValue ?? 0)
    } else if let rolling, !rolling.isNull {
      useCurrent = ordinal < start + Int(rolling["partition"]?.intValue ?? 0)
    } else {
      useCurrent = false
    }
    var pod = newPod(useCurrent ? currentSet : updateSet, ordinal: ordinal)
    pod["metadata"]?["labels"]?[ControllerRevisions.hashLabel] = .string(
      useCurrent ? revisions.current : revisions.update)
    return pod
  }

  /// The claims the pod's volumes name: each template renamed `<template>-<set>-<ordinal>`, with
  /// the set's matchLabels added to its labels.
  static func claims(_ set: JSONValue, ordinal: Int) -> [(template: String, claim: JSONValue)] {
    let setName = set.metadata.name ?? ""
    let matchLabels = set["spec"]?["selector"]?["matchLabels"]?.objectValue ?? [:]
    return (set["spec"]?["volumeClaimTemplates"]?.arrayValue ?? []).map { template in
      let templateName = template.metadata.name ?? ""
      var claim = template
      claim["status"] = nil
      claim.apiVersion = "v1"
      claim.kind = "PersistentVolumeClaim"
      var metadata = template["metadata"] ?? .object([:])
      metadata["name"] = .string("\(templateName)-\(setName)-\(ordinal)")
      metadata["namespace"] = .string(set.metadata.namespace ?? "")
      var labels = metadata["labels"]?.objectValue ?? [:]
      labels.merge(matchLabels) { _, new in new }
      metadata["labels"] = labels.isEmpty ? nil : .object(labels)
      claim["metadata"] = metadata
      return (templateName, claim)
    }
  }

  /// Puts a claim volume for every template in front of the pod's other volumes.
  static func updateStorage(_ set: JSONValue, _ pod: inout JSONValue, ordinal: Int) {
    let claims = claims(set, ordinal: ordinal)
    let names = Set(claims.map(\.template))
    var volumes: [JSONValue] = claims.map { template, claim in
      ["name": .string(template), "persistentVolumeClaim": ["claimName": .string(claim.metadata.name ?? "")]]
    }
    volumes += (pod["spec"]?["volumes"]?.arrayValue ?? []).filter { !names.contains($0["name"]?.stringValue ?? "") }
    pod["spec"]?["volumes"] = volumes.isEmpty ? nil : .array(volumes)
  }

  func identityMatches(_ set: JSONValue, _ pod: JSONValue) -> Bool {
    let name = pod.metadata.name ?? ""
    guard let identity = Self.parentAndOrdinal(name) else { return false }
    return identity.parent == set.metadata.name && name == "\(identity.parent)-\(identity.ordinal)"
      && pod.metadata.namespace == set.metadata.namespace && pod.metadata.labels?[Self.podNameLabel] == name
  }

  func storageMatches(_ set: JSONValue, _ pod: JSONValue) -> Bool {
    let ordinal = Self.ordinal(pod)
    guard ordinal >= 0 else { return false }
    let volumes = pod["spec"]?["volumes"]?.arrayValue ?? []
    return Self.claims(set, ordinal: ordinal).allSatisfy { template, claim in
      volumes.contains {
        $0["name"]?.stringValue == template
          && $0["persistentVolumeClaim"]?["claimName"]?.stringValue == claim.metadata.name
      }
    }
  }

  /// Creates the claims the pod needs that do not exist yet; a claim being deleted is an error
  /// until it is gone.
  func createClaims(_ set: JSONValue, pod: JSONValue) async throws {
    let cache = context.informers.cache(.persistentVolumeClaims)
    let podName = pod.metadata.name ?? ""
    for (_, claim) in Self.claims(set, ordinal: Self.ordinal(pod)) {
      let claimName = claim.metadata.name ?? ""
      if let existing = cache.get(namespace: claim.metadata.namespace, name: claimName) {
        if existing.metadata.isBeingDeleted { throw WorkloadControllerError.claimBeingDeleted(claimName, podName) }
        continue
      }
      do {
        try await context.client.create(.persistentVolumeClaims, namespace: claim.metadata.namespace, claim)
        context.recorder.record(
          set, reason: "SuccessfulCreate",
          message: "create Claim \(claimName) Pod \(podName) in StatefulSet \(set.metadata.name ?? "") success")
      } catch  where error.isAlreadyExists {
      } catch {
        context.recorder.record(
          set, .warning, reason: "FailedCreate",
          message:
            "create Claim \(claimName) for Pod \(podName) in StatefulSet \(set.metadata.name ?? "") failed error: \(error)"
        )
        throw error
      }
    }
  }

  /// Claims first, then the pod, then the claims' owner references for the retention policy.
  func createStatefulPod(_ set: JSONValue, _ pod: JSONValue) async throws {
    do {
      try await createClaims(set, pod: pod)
    } catch {
      recordPodEvent("create", set, pod, error: error)
      throw error
    }
    let created: JSONValue
    do {
      created = try await context.client.create(.pods, namespace: set.metadata.namespace, pod)
    } catch  where error.isAlreadyExists {
      throw error
    } catch {
      recordPodEvent("create", set, pod, error: error)
      throw error
    }
    do {
      try await updateClaimsForRetention(set, pod: created)
    } catch {
      recordPodEvent("update", set, pod, error: error)
      throw error
    }
    recordPodEvent("create", set, pod, error: nil)
  }

  func deleteStatefulPod(_ set: JSONValue, _ pod: JSONValue) async throws {
    do {
      try await context.client.delete(
        .pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "",
        options: .init(preconditionUID: pod.metadata.uid))
      recordPodEvent("delete", set, pod, error: nil)
    } catch {
      recordPodEvent("delete", set, pod, error: error)
      throw error
    }
  }

  /// Restores a pod's identity labels and claim volumes, and its claims' owner references.
  func updateStatefulPod(_ set: JSONValue, _ pod: JSONValue) async throws -> JSONValue {
    var updated = pod
    var dirty = false
    if !identityMatches(set, pod) {
      let name = pod.metadata.name ?? ""
      updated["metadata"]?["labels"]?[Self.podNameLabel] = .string(name)
      if updated["metadata"]?["labels"] == nil { updated["metadata"]?["labels"] = [Self.podNameLabel: .string(name)] }
      updated["metadata"]?["labels"]?[Self.podIndexLabel] = .string(String(Self.ordinal(pod)))
      dirty = true
    }
    if !storageMatches(set, pod) {
      Self.updateStorage(set, &updated, ordinal: Self.ordinal(pod))
      dirty = true
      do { try await createClaims(set, pod: pod) } catch {
        recordPodEvent("update", set, pod, error: error)
        throw error
      }
    }
    if !claimsMatchRetentionPolicy(set, pod: pod) {
      do { try await updateClaimsForRetention(set, pod: pod) } catch {
        recordPodEvent("update", set, pod, error: error)
        throw error
      }
    }
    guard dirty else { return pod }
    do {
      let result = try await context.client.update(.pods, updated)
      recordPodEvent("update", set, pod, error: nil)
      return result
    } catch {
      recordPodEvent("update", set, pod, error: error)
      throw error
    }
  }

  /// "create Pod web-0 in StatefulSet web successful" / "… failed error: …".
  func recordPodEvent(_ verb: String, _ set: JSONValue, _ pod: JSONValue, error: (any Error)?) {
    let title = verb.prefix(1).uppercased() + verb.dropFirst()
    let subject = "\(verb) Pod \(pod.metadata.name ?? "") in StatefulSet \(set.metadata.name ?? "")"
    if let error {
      context.recorder.record(set, .warning, reason: "Failed\(title)", message: "\(subject) failed error: \(error)")
    } else {
      context.recorder.record(set, reason: "Successful\(title)", message: "\(subject) successful")
    }
  }
}
