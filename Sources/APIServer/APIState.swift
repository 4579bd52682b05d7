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
    warnings: BestPracticeWarnings, logger: Logger
  ) {
    self.tokens = tokens
    self.warnings = warnings
    self.log = log
    self.objects = ObjectStore(log: log)
    self.registry = registry
    self.serviceAllocator = serviceAllocator
    self.logger = logger
    self.authorizer = RBACAuthorizer()
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
      let cache = WatchCache(definition: definition, log: log, logger: logger)
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

  /// Built-in admission: the namespace must exist and not be terminating. Returns the
  /// best-practice warnings for the object.
  func admit(handler: ResourceHandler, object: inout JSONValue, old: JSONValue?) async throws(APIError) -> [String] {
    let definition = handler.definition
    if definition.namespaced, old == nil, let namespace = handler.target.namespace {
      guard let namespaceDefinition = registry.lookup(group: "", version: "v1", plural: "namespaces") else { return [] }
      let namespaces = cache(for: namespaceDefinition)
      await namespaces.waitUntilFresh(log.currentRevision)
      guard let found = namespaces.object(key: namespaceDefinition.storageKey(namespace: nil, name: namespace)) else {
        throw APIError(
          code: 404, reason: "NotFound", message: "namespaces \"\(namespace)\" not found",
          details: .object(["name": .string(namespace), "kind": .string("namespaces")]))
      }
      if found.object["metadata"]?["deletionTimestamp"] != nil {
        throw APIError.forbidden(
          "\(definition.plural) \"\(object["metadata"]?["name"]?.stringValue ?? "")\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated",
          resource: definition, name: nil)
      }
    }
    guard handler.target.subresource == nil, BestPracticeWarnings.podTemplate(object, kind: definition.kind) != nil
    else {
      return []
    }
    let labels = BestPracticeWarnings.podTemplate(object, kind: definition.kind)?.labels ?? [:]
    return warnings.warnings(
      for: object, kind: definition.kind,
      selectedByService: await isSelectedByService(labels: labels, namespace: handler.target.namespace ?? ""))
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
    if handler.definition.plural == "namespaces", handler.definition.group.isEmpty,
      let name = object["metadata"]?["name"]?.stringValue, ["default", "kube-system", "kube-public"].contains(name)
    {
      throw APIError.forbidden(
        "namespaces \"\(name)\" is forbidden: this namespace may not be deleted", resource: handler.definition,
        name: name)
    }
  }

  /// Refuses an eviction while a matching PodDisruptionBudget allows no disruption.
  func checkDisruptionBudgets(for pod: JSONValue) async throws(APIError) {
    guard let definition = registry.lookup(group: "policy", version: "v1", plural: "poddisruptionbudgets") else {
      return
    }
    let namespace = pod["metadata"]?["namespace"]?.stringValue ?? ""
    let budgets = cache(for: definition)
    await budgets.waitUntilFresh(log.currentRevision)
    var labels: [String: String] = [:]
    for (key, value) in pod["metadata"]?["labels"]?.objectValue ?? [:] { labels[key] = value.stringValue ?? "" }
    for budget in budgets.snapshot(prefix: definition.storagePrefix(namespace: namespace)).objects {
      let object = budget.object
      guard let selector = try? LabelSelector(object: object["spec"]?["selector"]), selector.matches(labels) else {
        continue
      }
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
    }
  }

  func strategicMerge(_ patch: JSONValue, to object: JSONValue, definition: ResourceDefinition) throws(APIError)
    -> JSONValue
  {
    StrategicMerge.apply(patch, to: object)
  }

  func serverSideApply(
    _ patch: JSONValue, to object: JSONValue, definition: ResourceDefinition, manager: String, force: Bool
  ) throws(APIError) -> JSONValue {
    if manager.isEmpty {
      throw APIError.badRequest(
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
    }
    return StrategicMerge.apply(patch, to: object)
  }

}

/// Until the schema-driven strategic merge lands: merge patch semantics, list directives
/// dropped so they never reach storage.
enum StrategicMerge {
  static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
    guard case .object(let members) = patch else { return patch }
    var result = target.objectValue ?? [:]
    for (key, value) in members where !key.hasPrefix("$") {
      if value.isNull { result[key] = nil } else { result[key] = apply(value, to: result[key] ?? .null) }
    }
    return .object(result)
  }
}
