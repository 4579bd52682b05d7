import Testing

@testable import KubeAPI

@Suite struct NameValidationTests {
  static let subdomainMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
  static let labelMessage =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

  @Test func dns1123Subdomain() {
    for good in ["a", "example.com", "a-b.c-d", "0", "web-7d4b9c8f6d-abcde", String(repeating: "a", count: 253)] {
      #expect(NameValidation.dns1123Subdomain(good).isEmpty, "\(good)")
    }
    for bad in ["", "A", "-a", "a-", "a..b", ".a", "a_b", "a.", "é"] {
      #expect(NameValidation.dns1123Subdomain(bad) == [Self.subdomainMessage], "\(bad)")
    }
    #expect(
      NameValidation.dns1123Subdomain(String(repeating: "a", count: 254)) == ["must be no more than 253 characters"])
  }

  @Test func dns1123AndDns1035Labels() {
    #expect(NameValidation.dns1123Label("my-name").isEmpty)
    #expect(NameValidation.dns1123Label("123-abc").isEmpty)
    #expect(NameValidation.dns1123Label("a.b") == [Self.labelMessage])
    #expect(
      NameValidation.dns1123Label(String(repeating: "a", count: 64)) == ["must be no more than 63 characters"])
    #expect(NameValidation.dns1035Label("abc-123").isEmpty)
    #expect(
      NameValidation.dns1035Label("1abc") == [
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
      ])
  }

  @Test func qualifiedNamesAndLabelValues() {
    for good in ["app", "app.kubernetes.io/name", "MyName", "my.name", "123-abc", "a_b", "example.com/X"] {
      #expect(NameValidation.qualifiedName(good).isEmpty, "\(good)")
    }
    let namePart =
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    #expect(NameValidation.qualifiedName("-bad") == [namePart])
    #expect(NameValidation.qualifiedName("") == ["name part must be non-empty", namePart])
    #expect(NameValidation.qualifiedName("/a") == ["prefix part must be non-empty"])
    #expect(NameValidation.qualifiedName("Bad_Prefix/a") == ["prefix part " + Self.subdomainMessage])
    #expect(NameValidation.qualifiedName("a/b/c").first?.hasPrefix("a qualified name must consist of") == true)
    #expect(
      NameValidation.qualifiedName(String(repeating: "a", count: 64)) == [
        "name part must be no more than 63 characters"
      ])
    #expect(NameValidation.labelValue("").isEmpty)
    #expect(NameValidation.labelValue("my_value").isEmpty)
    #expect(
      NameValidation.labelValue("bad value") == [
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
      ])
  }

  @Test func objectMetaValidation() {
    var meta = ObjectMeta()
    meta.generateName = "web-"
    meta.name = "web-x2b4k"
    meta.namespace = "default"
    meta.labels = ["app": "web"]
    #expect(NameValidation.validateObjectMeta(meta, namespaced: true).isEmpty)
    #expect(NameValidation.objectName("web-", prefix: true).isEmpty)
    #expect(!NameValidation.objectName("web-", prefix: false).isEmpty)

    var bad = ObjectMeta()
    bad.name = "Bad"
    bad.labels = ["-x": "ok", "y": "not ok!"]
    let errors = NameValidation.validateObjectMeta(bad, namespaced: true)
    #expect(errors.map(\.field) == ["metadata.name", "metadata.namespace", "metadata.labels", "metadata.labels"])
    #expect(errors[1].description == "metadata.namespace: Required value")
    var clusterScoped = ObjectMeta()
    clusterScoped.namespace = "default"
    #expect(
      NameValidation.validateObjectMeta(clusterScoped, namespaced: false).map(\.description) == [
        "metadata.name: Required value: name or generateName is required",
        "metadata.namespace: Forbidden: not allowed on this type",
      ])
  }

  @Test func annotationSizeLimit() {
    let big = String(repeating: "x", count: 256 * 1024)
    let errors = NameValidation.validateAnnotations(["a": big], at: "metadata.annotations")
    #expect(errors.map(\.description) == ["metadata.annotations: Too long: may not be more than 262144 bytes"])
    #expect(NameValidation.validateAnnotations(["a": String(big.dropFirst())], at: "metadata.annotations").isEmpty)
    #expect(NameValidation.validateAnnotations(["Example.COM/Key": "v"], at: "metadata.annotations").isEmpty)
  }

  @Test func generatedNames() {
    var rng = SystemRandomNumberGenerator()
    let name = NameGenerator.generate(prefix: "web-", using: &rng)
    #expect(name.hasPrefix("web-") && name.count == 9)
    #expect(name.dropFirst(4).allSatisfy { NameGenerator.alphabet.contains($0) })
    let long = NameGenerator.generate(prefix: String(repeating: "a", count: 80))
    #expect(long.utf8.count == 63)
    #expect(NameValidation.dns1123Label(long).isEmpty)
  }

  @Test func fieldErrorMessages() {
    let path = FieldPath("spec", "containers").index(0).child("image")
    #expect(path.description == "spec.containers[0].image")
    #expect(FieldPath("metadata", "labels").key("app").description == "metadata.labels[app]")
    #expect(FieldError.required(path).description == "spec.containers[0].image: Required value")
    #expect(
      FieldError.invalid("spec.replicas", -1, "must be greater than or equal to 0").description
        == "spec.replicas: Invalid value: -1: must be greater than or equal to 0")
    #expect(
      FieldError.notSupported("spec.restartPolicy", "Sometimes", ["Always", "OnFailure", "Never"]).description
        == #"spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never""#)
    #expect(
      FieldError.duplicate("spec.ports[1].name", "http").description == #"spec.ports[1].name: Duplicate value: "http""#)
    #expect(
      FieldError.forbidden("spec.nodeName", "may not be set").description == "spec.nodeName: Forbidden: may not be set")
    #expect(
      FieldError.tooLong("metadata.name", maxLength: 253).description
        == "metadata.name: Too long: may not be more than 253 bytes")
    #expect(
      FieldError.tooMany("spec.containers", actual: 5, max: 3).description
        == "spec.containers: Too many: 5: must have at most 3 items")
    #expect(FieldError.tooMany("x", actual: -1, max: 1).description == "x: Too many: must have at most 1 item")
    #expect(
      FieldError.invalid("x", ["a", "<b>"], "bad").description == #"x: Invalid value: ["a","\u003cb\u003e"]: bad"#)
    #expect(FieldError.invalid("x", "tab\there", "bad").description == #"x: Invalid value: "tab\there": bad"#)
    #expect(FieldError.notFound("spec.volumes", "data").description == #"spec.volumes: Not found: "data""#)
    #expect(FieldError.internalError("spec", "boom").description == "spec: Internal error: boom")
    let list: [FieldError] = [.required("a"), .required("a"), .required("b")]
    #expect(list.aggregateMessage == "[a: Required value, b: Required value]")
    #expect([FieldError.required("a")].aggregateMessage == "a: Required value")
    #expect([FieldError]().aggregateMessage == nil)
  }
}
