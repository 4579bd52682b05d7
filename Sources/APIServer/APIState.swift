import Foundation
import KubeAPI
import Logging
import PKI
import Store
import Synchronization

/// Everything requests share: the store, the registry, the watch caches, allocators.
final class APIState: Sendable {
  let log: RevisionLog
  let objects: ObjectStore
  let registry: ResourceRegistry
  let serviceAllocator: ServiceAllocator?
  let authorizer: RBACAuthorizer
  let tokens: ServiceAccountTokens?
  let warnings: BestPracticeWarnings
  /// Reaches kubelets for logs, exec, attach, port-forward and node proxy; nil answers 503.
  let kubelet: KubeletClient?
  let schema = SchemaAdapter()
  let logger: Logger
  private let caches = Mutex<[String: WatchCache]>([:])
  private let bootstrapped = Mutex(false)

  /// The default namespaces, the kubernetes Service and the RBAC roles exist.
  var isBootstrapped: Bool {
    get { bootstrapped.withLock { $0 } }
    set { bootstrapped.withLock { $0 = newValue } }
  }
  private let cacheTasks = Mutex<[String: Task<Void, Never>]>([:])

  init(
    log: RevisionLog, registry: ResourceRegistry, serviceAllocator: ServiceAllocator?, tokens: ServiceAccountTokens?,
    warnings: BestPracticeWarnings, logger: Logger, kubelet: KubeletClient? = nil,
    encryption: SecretsEncryption? = nil
  ) {
    self.kubelet = kubelet
    self.tokens = tokens
    self.warnings = warnings
    self.log = log
    self.objects = ObjectStore(log: log, encryption: encryption)
    self.registry = registry
    self.serviceAllocator = serviceAllocator
    self.logger = logger
    self.authorizer = RBACAuthorizer()
    if let services = registry.lookup(group: "", version: "v1", plural: "services") {
      serviceAllocator?.follow { [weak self] in
        self?.cache(for: services).snapshot(prefix: services.storagePrefix).objects.map(\.object) ?? []
      }
    }
  }

  static let success = JSONValue.object([
    "kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]), "status": .string("Success"),
    "code": .int(201),
  ])

  /// The cache of a resource's storage prefix, started on first use. Versions of one resource
  /// share it, since they share the stored objects.
  func cache(for definition: ResourceDefinition) -> WatchCache {
    let prefix = definition.storagePrefix
    if let cache = caches.withLock({ $0[prefix] }) { return cache }
    let (cache, created) = caches.withLock { caches -> (WatchCache, Bool) in
      if let cache = caches[prefix] { return (cache, false) }
      let cache = WatchCache(definition: definition, objects: objects, logger: logger)
      caches[prefix] = cache
      return (cache, true)
    }
    if created {
      let task = Task { await cache.run() }
      cacheTasks.withLock { $0[prefix] = task }
    }
    return cache
  }

  func stopCaches() {
    for task in cacheTasks.withLock({ Array($0.values) }) { task.cancel() }
  }

  func now(offsetSeconds: Int64 = 0) -> String { Timestamp.format(Date().addingTimeInterval(Double(offsetSeconds))) }

  // MARK: authorization and admission

  func authorize(user: UserInfo, verb: String, definition: ResourceDefinition, target: RequestTarget)
    async throws(APIError)
  {
    let attributes = RequestAttributes(
      user: user, verb: verb, group: definition.group, resource: definition.plural,
      subresource: target.subresource?.split(separator: "/").first.map(String.init) ?? "",
      namespace: definition.namespaced ? (target.namespace ?? "") : "", name: target.name ?? "")
    if await authorizer.allows(attributes, state: self) { return }
    throw APIError.forbidden(attributes.deniedMessage, resource: definition, name: target.name)
  }

  /// Built-in admission, in upstream's order: namespace lifecycle, LimitRange defaults,
  /// ServiceAccount, Pod Security, ResourceQuota. Returns the warnings for the response.
  func admit(handler: ResourceHandler, object: inout JSONValue, old: JSONValue?) async throws(APIError) -> [String] {
    let definition = handler.definition
    let name = object["metadata"]?["name"]?.stringValue ?? ""
    if let refusal = NodeRestriction.admit(
      user: handler.user, definition: definition, subresource: handler.target.subresource, object: object, old: old)
    {
      throw APIError.forbidden(
        "\(definition.qualifiedPlural) \"\(name)\" is forbidden: \(refusal)", resource: definition, name: name)
    }
    var warnings: [String] = []
    if definition.namespaced, old == nil, let namespace = handler.target.namespace {
      let namespaceObject = try await existingNamespace(namespace, creating: definition, name: name)
      let isPod = definition.group.isEmpty && definition.plural == "pods"
      if isPod, var spec = object["spec"] {
        let problems = LimitRangeAdmission.apply(await objects("limitranges", in: namespace), to: &spec)
        if !problems.isEmpty {
          throw APIError.forbidden(
            "pods \"\(name)\" is forbidden: [\(problems.joined(separator: ", "))]", resource: definition, name: name)
        }
        object["spec"] = spec
        let accountName = spec["serviceAccountName"]?.stringValue ?? "default"
        let account = await objects("serviceaccounts", in: namespace).first {
          $0["metadata"]?["name"]?.stringValue == (accountName.isEmpty ? "default" : accountName)
        }
        ServiceAccountAdmission.apply(to: &object, account: account)
      }
      let labels = namespaceObject["metadata"]?["labels"]
      func level(_ mode: String) -> PodSecurityAdmission.Level {
        labels?["pod-security.kubernetes.io/\(mode)"]?.stringValue.flatMap(PodSecurityAdmission.Level.init)
          ?? .privileged
      }
      if let (spec, _) = BestPracticeWarnings.podTemplate(object, kind: definition.kind) {
        let enforce = level("enforce")
        let enforced = PodSecurityAdmission.violations(spec, level: enforce)
        if isPod && !enforced.isEmpty {
          throw APIError.forbidden(
            PodSecurityAdmission.message(pod: name, level: enforce, violations: enforced), resource: definition,
            name: name)
        }
        let warn = max(level("warn"), isPod ? .privileged : enforce)
        let advised = PodSecurityAdmission.violations(spec, level: warn)
        if !advised.isEmpty {
          warnings.append("would violate PodSecurity \"\(warn.rawValue):latest\": " + advised.joined(separator: ", "))
        }
      }
      let quotas = await objects("resourcequotas", in: namespace)
      if !quotas.isEmpty {
        let existing = cache(for: definition).snapshot(prefix: definition.storagePrefix(namespace: namespace)).objects
          .map(\.object)
        if let refusal = ResourceQuotaAdmission.check(
          quotas: quotas, adding: object, existing: existing, plural: definition.plural, group: definition.group)
        {
          throw APIError.forbidden(
            "\(definition.qualifiedPlural) \"\(name)\" is forbidden: \(refusal)", resource: definition, name: name)
        }
      }
    }
    guard handler.target.subresource == nil,
      let template = BestPracticeWarnings.podTemplate(object, kind: definition.kind)
    else { return warnings }
    return warnings
      + self.warnings.warnings(
        for: object, kind: definition.kind,
        selectedByService: await isSelectedByService(labels: template.labels, namespace: handler.target.namespace ?? "")
      )
  }

  /// The namespace a create goes into: it must exist and not be terminating.
  private func existingNamespace(_ namespace: String, creating definition: ResourceDefinition, name: String)
    async throws(APIError) -> JSONValue
  {
    guard let namespaces = registry.lookup(group: "", version: "v1", plural: "namespaces") else { return .null }
    let cache = cache(for: namespaces)
    await cache.waitUntilFresh(log.currentRevision)
    guard let found = cache.object(key: namespaces.storageKey(namespace: nil, name: namespace))?.object else {
      throw APIError(
        code: 404, reason: "NotFound", message: "namespaces \"\(namespace)\" not found",
        details: .object(["name": .string(namespace), "kind": .string("namespaces")]))
    }
    if found["metadata"]?["deletionTimestamp"] != nil {
      throw APIError.forbidden(
        "\(definition.plural) \"\(name)\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated",
        resource: definition, name: nil)
    }
    return found
  }

  /// The core/v1 objects of a kind in a namespace, from the watch cache.
  private func objects(_ plural: String, in namespace: String) async -> [JSONValue] {
    guard let definition = registry.lookup(group: "", version: "v1", plural: plural) else { return [] }
    let cache = cache(for: definition)
    await cache.waitUntilFresh(log.currentRevision)
    return cache.snapshot(prefix: definition.storagePrefix(namespace: namespace)).objects.map(\.object)
  }

  /// Whether a Service in the namespace selects pods with these labels.
  private func isSelectedByService(labels: [String: JSONValue], namespace: String) async -> Bool {
    guard !labels.isEmpty, let services = registry.lookup(group: "", version: "v1", plural: "services") else {
      return false
    }
    let cache = cache(for: services)
    return cache.snapshot(prefix: services.storagePrefix(namespace: namespace)).objects.contains { service in
      guard let selector = service.object["spec"]?["selector"]?.objectValue, !selector.isEmpty else { return false }
      return selector.allSatisfy { labels[$0.key] == $0.value }
    }
  }

  func admitDelete(handler: ResourceHandler, object: JSONValue) async throws(APIError) {
    if let refusal = NodeRestriction.admitDelete(user: handler.user, definition: handler.definition, object: object) {
      let name = object["metadata"]?["name"]?.stringValue ?? ""
      throw APIError.forbidden(
        "\(handler.definition.qualifiedPlural) \"\(name)\" is forbidden: \(refusal)", resource: handler.definition,
        name: name)
    }
    if handler.definition.plural == "namespaces", handler.definition.group.isEmpty,
      let name = object["metadata"]?["name"]?.stringValue, ["default", "kube-system", "kube-public"].contains(name)
    {
      throw APIError.forbidden(
        "namespaces \"\(name)\" is forbidden: this namespace may not be deleted", resource: handler.definition,
        name: name)
    }
  }

  /// Refuses an eviction while a matching PodDisruptionBudget allows no disruption.
  /// Charges an eviction to every disruption budget selecting the pod: each must allow a
  /// disruption, and records it (disruptionsAllowed - 1, the pod in disruptedPods) before the
  /// pod is deleted, so concurrent evictions (`kubectl drain`) cannot overdraw a budget.
  func chargeDisruptionBudgets(for pod: JSONValue) async throws(APIError) {
    guard let definition = registry.lookup(group: "policy", version: "v1", plural: "poddisruptionbudgets") else {
      return
    }
    let phase = pod["status"]?["phase"]?.stringValue
    if phase == "Succeeded" || phase == "Failed" { return }
    let namespace = pod["metadata"]?["namespace"]?.stringValue ?? ""
    let budgets = cache(for: definition)
    await budgets.waitUntilFresh(log.currentRevision)
    var labels: [String: String] = [:]
    for (key, value) in pod["metadata"]?["labels"]?.objectValue ?? [:] { labels[key] = value.stringValue ?? "" }
    for budget in budgets.snapshot(prefix: definition.storagePrefix(namespace: namespace)).objects {
      guard var object = try? JSONValue.decode(budget.bytes),
        let selector = try? LabelSelector(object: object["spec"]?["selector"]), selector.matches(labels)
      else { continue }
      let allowed = object["status"]?["disruptionsAllowed"]?.intValue ?? 0
      let observed = object["status"]?["observedGeneration"]?.intValue ?? 0
      if allowed <= 0 || observed < (object["metadata"]?["generation"]?.intValue ?? 1) {
        throw APIError(
          code: 429, reason: "TooManyRequests",
          message: "Cannot evict pod as it would violate the pod's disruption budget.",
          details: .object([
            "causes": .array([
              .object([
                "reason": .string("DisruptionBudget"),
                "message": .string(
                  "The disruption budget \(budget.name) needs \(object["status"]?["desiredHealthy"]?.intValue ?? 0) healthy pods and has \(object["status"]?["currentHealthy"]?.intValue ?? 0) currently"
                ),
              ])
            ])
          ]))
      }
      object["status"]?["disruptionsAllowed"] = .int(allowed - 1)
      if object["status"]?["disruptedPods"] == nil { object["status"]?["disruptedPods"] = .object([:]) }
      object["status"]?["disruptedPods"]?[pod["metadata"]?["name"]?.stringValue ?? ""] = .string(now())
      do {
        _ = try await objects.update(key: budget.key, value: object.encoded(), revision: budget.revision)
      } catch {
        throw APIError(
          code: 429, reason: "TooManyRequests",
          message:
            "Operation cannot be fulfilled on poddisruptionbudgets.policy \"\(budget.name)\": the object has been modified; please apply your changes to the latest version and try again"
        )
      }
    }
  }

}
