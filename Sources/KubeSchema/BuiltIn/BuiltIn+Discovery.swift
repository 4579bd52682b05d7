import KubeAPI

// io.k8s.api.discovery.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func discovery(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.discovery.v1.EndpointSlice",
        kinds: [GVK(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("addressType", .str, req: true),
          F("endpoints", .list(.discovery("Endpoint"), .atomic), req: true),
          F("ports", .list(.discovery("EndpointPort"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.discovery.v1.EndpointSliceList",
        kinds: [GVK(group: "discovery.k8s.io", version: "v1", kind: "EndpointSliceList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.discovery("EndpointSlice")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.discovery.v1.Endpoint",
        [
          F("addresses", .list(.str, .set), req: true),
          F("conditions", .discovery("EndpointConditions")),
          F("hostname", .str),
          F("targetRef", .core("ObjectReference")),
          F("deprecatedTopology", .dict(.str)),
          F("nodeName", .str),
          F("zone", .str),
          F("hints", .discovery("EndpointHints")),
        ]))
    r.append(
      T(
        "io.k8s.api.discovery.v1.EndpointPort", atomic: true,
        [
          F("name", .str),
          F("protocol", .str, enums: ["SCTP", "TCP", "UDP"]),
          F("port", .i32),
          F("appProtocol", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.discovery.v1.EndpointConditions",
        [
          F("ready", .bool),
          F("serving", .bool),
          F("terminating", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.discovery.v1.EndpointHints",
        [
          F("forZones", .list(.discovery("ForZone"), .atomic))
        ]))
    r.append(
      T(
        "io.k8s.api.discovery.v1.ForZone",
        [
          F("name", .str, req: true)
        ]))
  }
}
