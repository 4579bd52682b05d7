import KubeAPI
import KubeClient

/// The pods behind a Service and the ports they serve, as both the Endpoints and the
/// EndpointSlice controllers publish them. Pods are grouped by their resolved port list, since
/// a named targetPort can mean different numbers in different pods.
struct ServiceBackends {
  struct Port: Hashable {
    var name: String?
    var port: Int64
    var proto: String
    var appProtocol: String?

    var json: JSONValue {
      var object: [String: JSONValue] = ["port": .int(port), "protocol": .string(proto)]
      if let name, !name.isEmpty { object["name"] = .string(name) }
      if let appProtocol { object["appProtocol"] = .string(appProtocol) }
      return .object(object)
    }
  }

  struct Backend {
    var pod: JSONValue
    var ip: String
    var ready: Bool
    var serving: Bool
    var terminating: Bool

    var targetRef: JSONValue {
      [
        "kind": "Pod", "namespace": .string(pod.metadata.namespace ?? ""), "name": .string(pod.metadata.name ?? ""),
        "uid": .string(pod.metadata.uid ?? ""),
      ]
    }
  }

  /// Backends grouped by port list, each group sorted by IP.
  var groups: [[Port]: [Backend]] = [:]

  /// Services that select pods: a non-empty selector and not ExternalName.
  static func selects(_ service: JSONValue) -> Bool {
    guard service["spec"]?["type"]?.stringValue != "ExternalName" else { return false }
    return service["spec"]?["selector"]?.objectValue?.isEmpty == false
  }

  static func selector(_ service: JSONValue) -> LabelSelector {
    LabelSelector(matching: service["spec"]?["selector"]?.objectValue?.compactMapValues(\.stringValue) ?? [:])
  }

  init(service: JSONValue, pods: [JSONValue], includeTerminating: Bool) {
    let publishNotReady = service["spec"]?["publishNotReadyAddresses"]?.boolValue ?? false
    for pod in pods {
      guard let ip = pod["status"]?["podIP"]?.stringValue, !ip.isEmpty, !PodStatus.isTerminal(pod) else { continue }
      let terminating = pod.metadata.isBeingDeleted
      if terminating && !includeTerminating && !publishNotReady { continue }
      let ready = PodStatus.isReady(pod)
      let backend = Backend(
        pod: pod, ip: ip, ready: (ready && !terminating) || publishNotReady, serving: ready || publishNotReady,
        terminating: terminating)
      let ports = (service["spec"]?["ports"]?.arrayValue ?? []).compactMap { Self.resolve($0, in: pod) }
      groups[ports, default: []].append(backend)
    }
    for key in groups.keys { groups[key]?.sort { $0.ip < $1.ip } }
  }

  /// The number a service port's targetPort means in `pod` (named ports looked up in its containers).
  static func resolve(_ servicePort: JSONValue, in pod: JSONValue) -> Port? {
    let proto = servicePort["protocol"]?.stringValue ?? "TCP"
    let target = servicePort["targetPort"] ?? servicePort["port"] ?? .null
    var number = target.intValue
    if let name = target.stringValue {
      if let numeric = Int64(name) {
        number = numeric
      } else {
        let containers = pod["spec"]?["containers"]?.arrayValue ?? []
        number =
          containers.lazy.flatMap { $0["ports"]?.arrayValue ?? [] }
          .first { $0["name"]?.stringValue == name && ($0["protocol"]?.stringValue ?? "TCP") == proto }?[
            "containerPort"]?.intValue
      }
    }
    guard let number else { return nil }
    return Port(
      name: servicePort["name"]?.stringValue, port: number, proto: proto,
      appProtocol: servicePort["appProtocol"]?.stringValue)
  }
}

extension ControllerContext {
  /// Queues every Service that selects the pod of a pod event (with its old or new labels).
  func queueServices(for event: InformerEvent, into queue: WorkQueue) {
    switch event {
    case .updated(let old, let new): queueServices(selecting: [old, new], into: queue)
    case .added(let pod), .deleted(let pod): queueServices(selecting: [pod], into: queue)
    }
  }

  private func queueServices(selecting pods: [JSONValue], into queue: WorkQueue) {
    guard let namespace = pods.first?.metadata.namespace else { return }
    for service in informers.cache(.services).list(namespace: namespace) where ServiceBackends.selects(service) {
      let selector = ServiceBackends.selector(service)
      if pods.contains(where: selector.matches) { queue.add(ObjectCache.key(service)) }
    }
  }
}
