import KubeAPI

// io.k8s.api.node.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func node(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.node.v1.RuntimeClass", kinds: [GVK(group: "node.k8s.io", version: "v1", kind: "RuntimeClass")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("handler", .str, req: true),
          F("overhead", .node("Overhead")),
          F("scheduling", .node("Scheduling")),
        ]))
    r.append(
      T(
        "io.k8s.api.node.v1.RuntimeClassList",
        kinds: [GVK(group: "node.k8s.io", version: "v1", kind: "RuntimeClassList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.node("RuntimeClass")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.node.v1.Overhead",
        [
          F("podFixed", .dict(.quantity))
        ]))
    r.append(
      T(
        "io.k8s.api.node.v1.Scheduling",
        [
          F("nodeSelector", .dict(.str, .atomic)),
          F("tolerations", .list(.core("Toleration"), .atomic)),
        ]))
  }
}
