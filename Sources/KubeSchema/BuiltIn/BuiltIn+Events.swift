import KubeAPI

// io.k8s.api.events.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func events(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.events.v1.Event", kinds: [GVK(group: "events.k8s.io", version: "v1", kind: "Event")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("eventTime", .microTime, req: true),
          F("series", .events("EventSeries")),
          F("reportingController", .str),
          F("reportingInstance", .str),
          F("action", .str),
          F("reason", .str),
          F("regarding", .core("ObjectReference")),
          F("related", .core("ObjectReference")),
          F("note", .str),
          F("type", .str),
          F("deprecatedSource", .core("EventSource")),
          F("deprecatedFirstTimestamp", .time),
          F("deprecatedLastTimestamp", .time),
          F("deprecatedCount", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.events.v1.EventList", kinds: [GVK(group: "events.k8s.io", version: "v1", kind: "EventList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.events("Event")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.events.v1.EventSeries",
        [
          F("count", .i32, req: true),
          F("lastObservedTime", .microTime, req: true),
        ]))
  }
}
