import KubeAPI

// io.k8s.api.authorization.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func authorization(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.authorization.v1.SelfSubjectAccessReview",
        kinds: [GVK(group: "authorization.k8s.io", version: "v1", kind: "SelfSubjectAccessReview")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .authorization("SelfSubjectAccessReviewSpec"), req: true),
          F("status", .authorization("SubjectAccessReviewStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.authorization.v1.SubjectAccessReview",
        kinds: [GVK(group: "authorization.k8s.io", version: "v1", kind: "SubjectAccessReview")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .authorization("SubjectAccessReviewSpec"), req: true),
          F("status", .authorization("SubjectAccessReviewStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.authorization.v1.SelfSubjectRulesReview",
        kinds: [GVK(group: "authorization.k8s.io", version: "v1", kind: "SelfSubjectRulesReview")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .authorization("SelfSubjectRulesReviewSpec"), req: true),
          F("status", .authorization("SubjectRulesReviewStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.authorization.v1.LocalSubjectAccessReview",
        kinds: [GVK(group: "authorization.k8s.io", version: "v1", kind: "LocalSubjectAccessReview")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .authorization("SubjectAccessReviewSpec"), req: true),
          F("status", .authorization("SubjectAccessReviewStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec",
        [
          F("resourceAttributes", .authorization("ResourceAttributes")),
          F("nonResourceAttributes", .authorization("NonResourceAttributes")),
        ]))
    r.append(
      T(
        "io.k8s.api.authorization.v1.SubjectAccessReviewStatus",
        [
          F("allowed", .bool, req: true),
          F("denied", .bool),
          F("reason", .str),
          F("evaluationError", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.authorization.v1.SubjectAccessReviewSpec",
        [
          F("resourceAttributes", .authorization("ResourceAttributes")),
          F("nonResourceAttributes", .authorization("NonResourceAttributes")),
          F("user", .str),
          F("groups", .list(.str, .atomic)),
          F("extra", .dict(.list(.str))),
          F("uid", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec",
        [
          F("namespace", .str)
        ]))
    r.append(
      T(
        "io.k8s.api.authorization.v1.SubjectRulesReviewStatus",
        [
          F("resourceRules", .list(.authorization("ResourceRule"), .atomic), req: true),
          F("nonResourceRules", .list(.authorization("NonResourceRule"), .atomic), req: true),
          F("incomplete", .bool, req: true),
          F("evaluationError", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.authorization.v1.ResourceAttributes",
        [
          F("namespace", .str),
          F("verb", .str),
          F("group", .str),
          F("version", .str),
          F("resource", .str),
          F("subresource", .str),
          F("name", .str),
          F("fieldSelector", .authorization("FieldSelectorAttributes")),
          F("labelSelector", .authorization("LabelSelectorAttributes")),
        ]))
    r.append(
      T(
        "io.k8s.api.authorization.v1.NonResourceAttributes",
        [
          F("path", .str),
          F("verb", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.authorization.v1.ResourceRule",
        [
          F("verbs", .list(.str, .atomic), req: true),
          F("apiGroups", .list(.str, .atomic)),
          F("resources", .list(.str, .atomic)),
          F("resourceNames", .list(.str, .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.authorization.v1.NonResourceRule",
        [
          F("verbs", .list(.str, .atomic), req: true),
          F("nonResourceURLs", .list(.str, .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.authorization.v1.FieldSelectorAttributes",
        [
          F("rawSelector", .str),
          F("requirements", .list(.meta("FieldSelectorRequirement"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.authorization.v1.LabelSelectorAttributes",
        [
          F("rawSelector", .str),
          F("requirements", .list(.meta("LabelSelectorRequirement"), .atomic)),
        ]))
  }
}
