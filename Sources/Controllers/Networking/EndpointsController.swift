import KubeAPI
import KubeClient

/// Publishes each selecting Service's ready and not-ready pod addresses as an Endpoints object
/// of the same name.
public struct EndpointsController: Controller {
  public let name = "endpoints"
  let context: ControllerContext
  let queue = WorkQueue()

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    let services = context.informers.informer(.services)
    let pods = context.informers.informer(.pods)
    let endpoints = context.informers.informer(.endpoints)
    services.onEvent { [queue] event in queue.add(ObjectCache.key(event.object)) }
    endpoints.onEvent { [queue] event in
      if case .deleted(let object) = event { queue.add(ObjectCache.key(object)) }
    }
    pods.onEvent { [queue, context] event in context.queueServices(for: event, into: queue) }
    await context.informers.waitForSync()
    await queue.run(workers: context.settings.workers) { key in try await sync(key) }
  }

  func sync(_ key: String) async throws {
    let id = ObjectKey(key)
    guard let service = context.informers.cache(.services).get(key) else {
      // The Service is gone: so are its Endpoints (the kubernetes Endpoints are not ours).
      if context.informers.cache(.endpoints).get(key) != nil, id.name != "kubernetes" || id.namespace != "default" {
        do {
          try await context.client.delete(.endpoints, namespace: id.namespace, name: id.name)
        } catch  where error.isNotFound {}
      }
      return
    }
    guard ServiceBackends.selects(service) else { return }
    let selector = ServiceBackends.selector(service)
    let pods = context.informers.cache(.pods).list(namespace: id.namespace ?? "").filter(selector.matches)
    let backends = ServiceBackends(service: service, pods: pods, includeTerminating: false)
    let subsets: [JSONValue] = backends.groups.sorted {
      $0.key.map(\.port).lexicographicallyPrecedes($1.key.map(\.port))
    }
    .map { ports, members in
      var subset: [String: JSONValue] = [:]
      func address(_ backend: ServiceBackends.Backend) -> JSONValue {
        var object: [String: JSONValue] = ["ip": .string(backend.ip), "targetRef": backend.targetRef]
        if let node = backend.pod["spec"]?["nodeName"]?.stringValue { object["nodeName"] = .string(node) }
        if let hostname = backend.pod["spec"]?["hostname"]?.stringValue,
          backend.pod["spec"]?["subdomain"]?.stringValue == id.name
        {
          object["hostname"] = .string(hostname)
        }
        return .object(object)
      }
      let ready = members.filter(\.ready).map(address)
      let notReady = members.filter { !$0.ready }.map(address)
      if !ready.isEmpty { subset["addresses"] = .array(ready) }
      if !notReady.isEmpty { subset["notReadyAddresses"] = .array(notReady) }
      if !ports.isEmpty { subset["ports"] = .array(ports.map(\.json)) }
      return .object(subset)
    }.filter { $0["ports"] != nil }
    var labels = service.metadata.labels ?? [:]
    if service["spec"]?["clusterIP"]?.stringValue == "None" { labels["service.kubernetes.io/headless"] = "" }
    let existing = context.informers.cache(.endpoints).get(key)
    var desired =
      existing ?? [
        "apiVersion": "v1", "kind": "Endpoints",
        "metadata": ["name": .string(id.name), "namespace": .string(id.namespace ?? "")],
      ]
    desired["subsets"] = subsets.isEmpty ? nil : .array(subsets)
    desired["metadata"]?["labels"] = labels.isEmpty ? nil : .object(labels.mapValues(JSONValue.string))
    guard desired != existing else { return }
    if existing == nil {
      do {
        try await context.client.create(.endpoints, namespace: id.namespace, desired)
      } catch  where error.isAlreadyExists {}
    } else {
      try await context.client.update(.endpoints, desired)
    }
  }
}
