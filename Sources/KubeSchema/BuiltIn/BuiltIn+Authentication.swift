import KubeAPI

// io.k8s.api.authentication.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func authentication(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.authentication.v1.TokenReview",
        kinds: [GVK(group: "authentication.k8s.io", version: "v1", kind: "TokenReview")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .authentication("TokenReviewSpec"), req: true),
          F("status", .authentication("TokenReviewStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.authentication.v1.SelfSubjectReview",
        kinds: [GVK(group: "authentication.k8s.io", version: "v1", kind: "SelfSubjectReview")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("status", .authentication("SelfSubjectReviewStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.authentication.v1.TokenRequest",
        kinds: [GVK(group: "authentication.k8s.io", version: "v1", kind: "TokenRequest")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .authentication("TokenRequestSpec"), req: true),
          F("status", .authentication("TokenRequestStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.authentication.v1.TokenReviewSpec",
        [
          F("token", .str),
          F("audiences", .list(.str, .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.authentication.v1.TokenReviewStatus",
        [
          F("authenticated", .bool),
          F("user", .authentication("UserInfo")),
          F("audiences", .list(.str, .atomic)),
          F("error", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.authentication.v1.SelfSubjectReviewStatus",
        [
          F("userInfo", .authentication("UserInfo"))
        ]))
    r.append(
      T(
        "io.k8s.api.authentication.v1.TokenRequestSpec",
        [
          F("audiences", .list(.str, .atomic), req: true),
          F("expirationSeconds", .i64),
          F("boundObjectRef", .authentication("BoundObjectReference")),
        ]))
    r.append(
      T(
        "io.k8s.api.authentication.v1.TokenRequestStatus",
        [
          F("token", .str, req: true),
          F("expirationTimestamp", .time, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.authentication.v1.UserInfo",
        [
          F("username", .str),
          F("uid", .str),
          F("groups", .list(.str, .atomic)),
          F("extra", .dict(.list(.str))),
        ]))
    r.append(
      T(
        "io.k8s.api.authentication.v1.BoundObjectReference",
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("name", .str),
          F("uid", .str),
        ]))
  }
}
