import KubeAPI

// io.k8s.api.admissionregistration.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func admissionregistration(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration",
        kinds: [GVK(group: "admissionregistration.k8s.io", version: "v1", kind: "ValidatingWebhookConfiguration")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("webhooks", .list(.admissionregistration("ValidatingWebhook"), .map("name")), patch: .merge, key: "name"),
        ]))
    r.append(
      T(
        "io.k8s.api.admissionregistration.v1.ValidatingWebhookConfigurationList",
        kinds: [GVK(group: "admissionregistration.k8s.io", version: "v1", kind: "ValidatingWebhookConfigurationList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.admissionregistration("ValidatingWebhookConfiguration")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration",
        kinds: [GVK(group: "admissionregistration.k8s.io", version: "v1", kind: "MutatingWebhookConfiguration")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("webhooks", .list(.admissionregistration("MutatingWebhook"), .map("name")), patch: .merge, key: "name"),
        ]))
    r.append(
      T(
        "io.k8s.api.admissionregistration.v1.MutatingWebhookConfigurationList",
        kinds: [GVK(group: "admissionregistration.k8s.io", version: "v1", kind: "MutatingWebhookConfigurationList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.admissionregistration("MutatingWebhookConfiguration")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.admissionregistration.v1.ValidatingWebhook",
        [
          F("name", .str, req: true),
          F("clientConfig", .admissionregistration("WebhookClientConfig"), req: true),
          F("rules", .list(.admissionregistration("RuleWithOperations"), .atomic)),
          F("failurePolicy", .str, enums: ["Fail", "Ignore"]),
          F("matchPolicy", .str, enums: ["Equivalent", "Exact"]),
          F("namespaceSelector", .meta("LabelSelector")),
          F("objectSelector", .meta("LabelSelector")),
          F("sideEffects", .str, req: true, enums: ["None", "NoneOnDryRun", "Some", "Unknown"]),
          F("timeoutSeconds", .i32),
          F("admissionReviewVersions", .list(.str, .atomic), req: true),
          F(
            "matchConditions", .list(.admissionregistration("MatchCondition"), .map("name")), patch: .merge, key: "name"
          ),
        ]))
    r.append(
      T(
        "io.k8s.api.admissionregistration.v1.MutatingWebhook",
        [
          F("name", .str, req: true),
          F("clientConfig", .admissionregistration("WebhookClientConfig"), req: true),
          F("rules", .list(.admissionregistration("RuleWithOperations"), .atomic)),
          F("failurePolicy", .str, enums: ["Fail", "Ignore"]),
          F("matchPolicy", .str, enums: ["Equivalent", "Exact"]),
          F("namespaceSelector", .meta("LabelSelector")),
          F("objectSelector", .meta("LabelSelector")),
          F("sideEffects", .str, req: true, enums: ["None", "NoneOnDryRun", "Some", "Unknown"]),
          F("timeoutSeconds", .i32),
          F("admissionReviewVersions", .list(.str, .atomic), req: true),
          F("reinvocationPolicy", .str, enums: ["IfNeeded", "Never"]),
          F(
            "matchConditions", .list(.admissionregistration("MatchCondition"), .map("name")), patch: .merge, key: "name"
          ),
        ]))
    r.append(
      T(
        "io.k8s.api.admissionregistration.v1.WebhookClientConfig",
        [
          F("url", .str),
          F("service", .admissionregistration("ServiceReference")),
          F("caBundle", .bytes),
        ]))
    r.append(
      T(
        "io.k8s.api.admissionregistration.v1.RuleWithOperations",
        [
          F("operations", .list(.str, .atomic), enums: ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"]),
          F("apiGroups", .list(.str, .atomic)),
          F("apiVersions", .list(.str, .atomic)),
          F("resources", .list(.str, .atomic)),
          F("scope", .str, enums: ["*", "Cluster", "Namespaced"]),
        ]))
    r.append(
      T(
        "io.k8s.api.admissionregistration.v1.MatchCondition",
        [
          F("name", .str, req: true),
          F("expression", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.admissionregistration.v1.ServiceReference",
        [
          F("namespace", .str, req: true),
          F("name", .str, req: true),
          F("path", .str),
          F("port", .i32),
        ]))
  }
}
