import KubeAPI
import KubeClient

/// Publishes each selecting Service's pods as EndpointSlices (at most 100 endpoints each) with
/// the ready/serving/terminating conditions service proxies read.
public struct EndpointSliceController: Controller {
  public let name = "endpointslice"
  let context: ControllerContext
  let queue = WorkQueue()
  /// Slices created but not yet in the cache: a sync before they arrive would create twins.
  let expectations = Expectations()

  static let serviceNameLabel = "kubernetes.io/service-name"
  static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
  static let managedBy = "endpointslice-controller.k8s.io"
  static let maxEndpoints = 100
  static let serviceIndex = "service"

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    let services = context.informers.informer(.services)
    let pods = context.informers.informer(.pods)
    let slices = context.informers.informer(.endpointSlices)
    slices.cache.addIndex(Self.serviceIndex) { slice in
      guard slice.metadata.labels?[Self.managedByLabel] == Self.managedBy,
        let service = slice.metadata.labels?[Self.serviceNameLabel]
      else { return [] }
      return ["\(slice.metadata.namespace ?? "")/\(service)"]
    }
    services.onEvent { [queue] event in queue.add(ObjectCache.key(event.object)) }
    slices.onEvent { [queue, expectations] event in
      guard event.object.metadata.labels?[Self.managedByLabel] == Self.managedBy,
        let service = event.object.metadata.labels?[Self.serviceNameLabel]
      else { return }
      let key = "\(event.object.metadata.namespace ?? "")/\(service)"
      if case .added = event { expectations.creationObserved(key) }
      queue.add(key)
    }
    pods.onEvent { [queue, context] event in context.queueServices(for: event, into: queue) }
    await context.informers.waitForSync()
    await queue.run(workers: context.settings.workers) { key in try await sync(key) }
  }

  func sync(_ key: String) async throws {
    let id = ObjectKey(key)
    guard expectations.satisfied(key) else { return queue.add(key, after: .milliseconds(200)) }
    let existing = context.informers.cache(.endpointSlices).byIndex(Self.serviceIndex, key)
      .sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
    guard let service = context.informers.cache(.services).get(key), ServiceBackends.selects(service) else {
      for slice in existing { try await delete(slice) }
      return
    }
    let selector = ServiceBackends.selector(service)
    let pods = context.informers.cache(.pods).list(namespace: id.namespace ?? "").filter(selector.matches)
    let backends = ServiceBackends(service: service, pods: pods, includeTerminating: true)
    var desired: [(ports: [ServiceBackends.Port], endpoints: [JSONValue])] = []
    for (ports, members) in backends.groups.sorted(by: {
      $0.key.map(\.port).lexicographicallyPrecedes($1.key.map(\.port))
    }) {
      let endpoints = members.map(endpoint)
      for start in stride(from: 0, to: endpoints.count, by: Self.maxEndpoints) {
        desired.append((ports, Array(endpoints[start..<min(start + Self.maxEndpoints, endpoints.count)])))
      }
    }
    if desired.isEmpty { desired = [([], [])] }
    expectations.expectCreations(key, max(0, desired.count - existing.count))
    var labels = service.metadata.labels ?? [:]
    labels[Self.serviceNameLabel] = id.name
    labels[Self.managedByLabel] = Self.managedBy
    if service["spec"]?["clusterIP"]?.stringValue == "None" { labels["service.kubernetes.io/headless"] = "" }
    for (index, want) in desired.enumerated() {
      var slice: JSONValue =
        index < existing.count
        ? existing[index]
        : [
          "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
          "metadata": [
            "generateName": .string("\(id.name)-"), "namespace": .string(id.namespace ?? ""),
            "ownerReferences": [OwnerReferences.controller(of: service)],
          ],
          "addressType": "IPv4",
        ]
      let before = slice
      slice["metadata"]?["labels"] = .object(labels.mapValues(JSONValue.string))
      slice["endpoints"] = .array(want.endpoints)
      slice["ports"] = .array(want.ports.map(\.json))
      if index >= existing.count {
        do {
          try await context.client.create(.endpointSlices, namespace: id.namespace, slice)
        } catch {
          expectations.creationObserved(key)
          throw error
        }
      } else if slice != before {
        try await context.client.update(.endpointSlices, slice)
      }
    }
    for slice in existing.dropFirst(desired.count) { try await delete(slice) }
  }

  private func endpoint(_ backend: ServiceBackends.Backend) -> JSONValue {
    var object: [String: JSONValue] = [
      "addresses": [.string(backend.ip)],
      "conditions": [
        "ready": .bool(backend.ready), "serving": .bool(backend.serving), "terminating": .bool(backend.terminating),
      ],
      "targetRef": backend.targetRef,
    ]
    if let node = backend.pod["spec"]?["nodeName"]?.stringValue { object["nodeName"] = .string(node) }
    if let hostname = backend.pod["spec"]?["hostname"]?.stringValue { object["hostname"] = .string(hostname) }
    return .object(object)
  }

  private func delete(_ slice: JSONValue) async throws {
    do {
      try await context.client.delete(
        .endpointSlices, namespace: slice.metadata.namespace, name: slice.metadata.name ?? "")
    } catch  where error.isNotFound {}
  }
}
