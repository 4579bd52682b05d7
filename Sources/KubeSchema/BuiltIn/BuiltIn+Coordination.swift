import KubeAPI

// io.k8s.api.coordination.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func coordination(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.coordination.v1.Lease", kinds: [GVK(group: "coordination.k8s.io", version: "v1", kind: "Lease")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .coordination("LeaseSpec")),
        ]))
    r.append(
      T(
        "io.k8s.api.coordination.v1.LeaseList",
        kinds: [GVK(group: "coordination.k8s.io", version: "v1", kind: "LeaseList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.coordination("Lease")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.coordination.v1.LeaseSpec",
        [
          F("holderIdentity", .str),
          F("leaseDurationSeconds", .i32),
          F("acquireTime", .microTime),
          F("renewTime", .microTime),
          F("leaseTransitions", .i32),
          F("strategy", .str),
          F("preferredHolder", .str),
        ]))
  }
}
