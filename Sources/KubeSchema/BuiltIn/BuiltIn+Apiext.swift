import KubeAPI

// io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func apiext(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
        kinds: [GVK(group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .apiext("CustomResourceDefinitionSpec"), req: true),
          F("status", .apiext("CustomResourceDefinitionStatus")),
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionList",
        kinds: [GVK(group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinitionList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.apiext("CustomResourceDefinition")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec",
        [
          F("group", .str, req: true),
          F("names", .apiext("CustomResourceDefinitionNames"), req: true),
          F("scope", .str, req: true),
          F("versions", .list(.apiext("CustomResourceDefinitionVersion"), .atomic), req: true),
          F("conversion", .apiext("CustomResourceConversion")),
          F("preserveUnknownFields", .bool),
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus",
        [
          F("conditions", .list(.apiext("CustomResourceDefinitionCondition"), .map("type"))),
          F("acceptedNames", .apiext("CustomResourceDefinitionNames")),
          F("storedVersions", .list(.str, .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionNames",
        [
          F("plural", .str, req: true),
          F("singular", .str),
          F("shortNames", .list(.str, .atomic)),
          F("kind", .str, req: true),
          F("listKind", .str),
          F("categories", .list(.str, .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionVersion",
        [
          F("name", .str, req: true),
          F("served", .bool, req: true),
          F("storage", .bool, req: true),
          F("deprecated", .bool),
          F("deprecationWarning", .str),
          F("schema", .apiext("CustomResourceValidation")),
          F("subresources", .apiext("CustomResourceSubresources")),
          F("additionalPrinterColumns", .list(.apiext("CustomResourceColumnDefinition"), .atomic)),
          F("selectableFields", .list(.apiext("SelectableField"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceConversion",
        [
          F("strategy", .str, req: true),
          F("webhook", .apiext("WebhookConversion")),
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionCondition",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
          F("lastTransitionTime", .time),
          F("reason", .str),
          F("message", .str),
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceValidation",
        [
          F("openAPIV3Schema", .apiext("JSONSchemaProps"))
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceSubresources",
        [
          F("status", .apiext("CustomResourceSubresourceStatus")),
          F("scale", .apiext("CustomResourceSubresourceScale")),
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceColumnDefinition",
        [
          F("name", .str, req: true),
          F("type", .str, req: true),
          F("format", .str),
          F("description", .str),
          F("priority", .i32),
          F("jsonPath", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.SelectableField",
        [
          F("jsonPath", .str, req: true)
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.WebhookConversion",
        [
          F("clientConfig", .apiext("WebhookClientConfig")),
          F("conversionReviewVersions", .list(.str, .atomic), req: true),
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps",
        [
          F("id", .str),
          F("$schema", .str),
          F("$ref", .str),
          F("description", .str),
          F("type", .str),
          F("format", .str),
          F("title", .str),
          F("default", .raw),
          F("maximum", .dbl),
          F("exclusiveMaximum", .bool),
          F("minimum", .dbl),
          F("exclusiveMinimum", .bool),
          F("maxLength", .i64),
          F("minLength", .i64),
          F("pattern", .str),
          F("maxItems", .i64),
          F("minItems", .i64),
          F("uniqueItems", .bool),
          F("multipleOf", .dbl),
          F("enum", .list(.raw, .atomic)),
          F("maxProperties", .i64),
          F("minProperties", .i64),
          F("required", .list(.str, .atomic)),
          F("items", .raw),
          F("allOf", .list(.apiext("JSONSchemaProps"), .atomic)),
          F("oneOf", .list(.apiext("JSONSchemaProps"), .atomic)),
          F("anyOf", .list(.apiext("JSONSchemaProps"), .atomic)),
          F("not", .apiext("JSONSchemaProps")),
          F("properties", .dict(.apiext("JSONSchemaProps"))),
          F("additionalProperties", .raw),
          F("patternProperties", .dict(.apiext("JSONSchemaProps"))),
          F("dependencies", .dict(.raw)),
          F("additionalItems", .raw),
          F("definitions", .dict(.apiext("JSONSchemaProps"))),
          F("externalDocs", .apiext("ExternalDocumentation")),
          F("example", .raw),
          F("nullable", .bool),
          F("x-kubernetes-preserve-unknown-fields", .bool),
          F("x-kubernetes-embedded-resource", .bool),
          F("x-kubernetes-int-or-string", .bool),
          F("x-kubernetes-list-map-keys", .list(.str, .atomic)),
          F("x-kubernetes-list-type", .str),
          F("x-kubernetes-map-type", .str),
          F("x-kubernetes-validations", .list(.apiext("ValidationRule"), .map("rule")), patch: .merge, key: "rule"),
        ]))
    r.append(
      T("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceSubresourceStatus", []))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceSubresourceScale",
        [
          F("specReplicasPath", .str, req: true),
          F("statusReplicasPath", .str, req: true),
          F("labelSelectorPath", .str),
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.WebhookClientConfig",
        [
          F("url", .str),
          F("service", .apiext("ServiceReference")),
          F("caBundle", .bytes),
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ExternalDocumentation",
        [
          F("description", .str),
          F("url", .str),
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ValidationRule",
        [
          F("rule", .str, req: true),
          F("message", .str),
          F("messageExpression", .str),
          F(
            "reason", .str,
            enums: ["FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"]),
          F("fieldPath", .str),
          F("optionalOldSelf", .bool),
        ]))
    r.append(
      T(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ServiceReference",
        [
          F("namespace", .str, req: true),
          F("name", .str, req: true),
          F("path", .str),
          F("port", .i32),
        ]))
  }
}
