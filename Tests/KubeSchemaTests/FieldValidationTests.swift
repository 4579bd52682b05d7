import KubeAPI
import Testing

@testable import KubeSchema

@Suite struct FieldValidationTests {
  static let crontabCRD = """
    {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
     "metadata":{"name":"crontabs.stable.example.com"},
     "spec":{"group":"stable.example.com","scope":"Namespaced",
      "names":{"plural":"crontabs","singular":"crontab","kind":"CronTab","listKind":"CronTabList"},
      "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{
        "type":"object","properties":{
          "spec":{"type":"object","properties":{
            "cronSpec":{"type":"string","description":"When to run."},
            "replicas":{"type":"integer","default":1},
            "port":{"x-kubernetes-int-or-string":true},
            "image":{"type":"string","nullable":true},
            "mode":{"type":"string","enum":["a","b"],"default":"a"},
            "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true,
              "properties":{"known":{"type":"object","properties":{"x":{"type":"string"}}}}},
            "labels":{"type":"object","additionalProperties":{"type":"string"}},
            "template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true},
            "items":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
              "items":{"type":"object","required":["name"],"properties":{
                "name":{"type":"string"},"size":{"type":"integer","default":5}}}}},
            "required":["cronSpec"]}}}}}]}}
    """
  let crontab = GVK(group: "stable.example.com", version: "v1", kind: "CronTab")

  func registryWithCRD() throws -> SchemaRegistry {
    var registry = SchemaRegistry.builtIn
    let added = try registry.addCustomResourceDefinition(json(Self.crontabCRD))
    #expect(added == [crontab])
    return registry
  }

  @Test func crdSchemaIsIngested() throws {
    let registry = try registryWithCRD()
    let root = try #require(registry.type(of: crontab))
    #expect(root.name == "com.example.stable.v1.CronTab")
    #expect(root.field("metadata")?.type == .ref("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"))
    let spec = try #require(registry.resolve(root.field("spec")!.type))
    #expect(spec.field("cronSpec")?.required == true)
    #expect(spec.field("port")?.type == .intOrString)
    #expect(spec.field("mode")?.enumValues == [.string("a"), .string("b")])
    guard case .array(_, let semantics) = spec.field("items")?.type else {
      Issue.record("items is not a list")
      return
    }
    #expect(semantics == .map("name"))
    #expect(registry.type(of: GVK(group: "stable.example.com", version: "v1", kind: "CronTabList")) != nil)
    #expect(registry.isCustom(crontab))
    #expect(!registry.supportsStrategicMergePatch(crontab))
  }

  @Test func builtInUnknownFieldsAreReportedWithUpstreamPaths() throws {
    let pod = try json(
      """
      {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"any":"thing"},"bogus":1},
       "spec":{"foo":1,"containers":[{"name":"a","image":"x","ports":[{"containerPort":80,"bar":2}]}],
        "nodeSelector":{"k":"v"}}}
      """)
    let paths = SchemaRegistry.builtIn.unknownFields(in: pod, kind: GVK(group: "", version: "v1", kind: "Pod"))
    #expect(paths == ["metadata.bogus", "spec.containers[0].ports[0].bar", "spec.foo"])
    #expect(SchemaRegistry.unknownFieldMessages(["spec.foo"]) == [#"unknown field "spec.foo""#])
  }

  @Test func knownPodHasNoUnknownFields() throws {
    let pod = try json(
      """
      {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","ownerReferences":[{"apiVersion":"v1","kind":"X","name":"n","uid":"u"}]},
       "spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"cpu":"1"}},
         "livenessProbe":{"httpGet":{"path":"/","port":8080},"periodSeconds":3},
         "securityContext":{"capabilities":{"add":["NET_ADMIN"]}},"env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"x"}}}]}],
        "volumes":[{"name":"v","configMap":{"name":"c","items":[{"key":"k","path":"p"}]}}],
        "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"k","operator":"In","values":["v"]}]}]}}}},
       "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}
      """)
    #expect(SchemaRegistry.builtIn.unknownFields(in: pod, kind: GVK(group: "", version: "v1", kind: "Pod")) == [])
  }

  @Test func customResourcesArePruned() throws {
    let registry = try registryWithCRD()
    let object = try json(
      """
      {"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"c","junk":true},
       "spec":{"cronSpec":"* * * * *","unknown":1,"extra":{"free":{"a":1},"known":{"x":"y","z":1}},
        "labels":{"a":"b"},"template":{"apiVersion":"v1","kind":"Pod","spec":{"anything":1}},
        "items":[{"name":"i","drop":1}]},"topLevel":1}
      """)
    let (pruned, paths) = registry.prune(object, kind: crontab)
    #expect(paths == ["metadata.junk", "spec.extra.known.z", "spec.items[0].drop", "spec.unknown", "topLevel"])
    #expect(pruned[path: ["spec", "extra", "free"]] == .object(["a": .int(1)]))
    #expect(pruned[path: ["spec", "template", "spec", "anything"]] == .int(1))
    #expect(pruned["topLevel"] == nil)
  }

  @Test func defaultsAreApplied() throws {
    let registry = try registryWithCRD()
    let object = try json(
      """
      {"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"c"},
       "spec":{"cronSpec":"x","replicas":null,"image":null,"items":[{"name":"i"},{"name":"j","size":2}]}}
      """)
    let defaulted = registry.applyDefaults(object, kind: crontab)
    #expect(defaulted[path: ["spec", "replicas"]] == .int(1))
    #expect(defaulted[path: ["spec", "mode"]] == .string("a"))
    #expect(defaulted[path: ["spec", "image"]] == .null)
    let items = defaulted[path: ["spec", "items"]]?.arrayValue ?? []
    #expect(items.map { $0["size"] } == [.int(5), .int(2)])
    let pod = try json(#"{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80}]}]}}"#)
    let defaultedPod = SchemaRegistry.builtIn.applyDefaults(pod, kind: GVK(group: "", version: "v1", kind: "Pod"))
    #expect(
      defaultedPod[path: ["spec", "containers"]]?.arrayValue?[0]["ports"]?.arrayValue?[0]["protocol"] == .string("TCP"))
  }

  @Test func removingCRDRemovesKinds() throws {
    var registry = try registryWithCRD()
    registry.removeCustomResources(group: "stable.example.com", kind: "CronTab")
    #expect(registry.type(of: crontab) == nil)
    #expect(registry.definition("com.example.stable.v1.CronTabList") == nil)
  }

  @Test func nonStructuralListMapIsRejected() throws {
    var registry = SchemaRegistry()
    #expect(throws: SchemaError.self) {
      try registry.addCustomResource(
        GVK(group: "g", version: "v1", kind: "K"),
        openAPIV3Schema: json(#"{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"map"}}}"#))
    }
  }
}

@Suite struct CustomResourceValidationTests {
  @Test func typesRequiredAndEnumsAreChecked() throws {
    var registry = SchemaRegistry.builtIn
    try registry.addCustomResourceDefinition(json(FieldValidationTests.crontabCRD))
    let object = try json(
      """
      {"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"c"},
       "spec":{"replicas":"two","mode":"c","port":"http","labels":{"a":1},"items":[{"size":1}]}}
      """)
    let errors = registry.validate(object, kind: GVK(group: "stable.example.com", version: "v1", kind: "CronTab"))
    #expect(
      errors.map(\.description) == [
        "spec.cronSpec: Required value",
        "spec.items[0].name: Required value",
        #"spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer""#,
        #"spec.mode: Unsupported value: "c": supported values: "a", "b""#,
        #"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#,
      ])
    let valid = try json(
      #"{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"c"},"spec":{"cronSpec":"x","port":8080}}"#
    )
    #expect(registry.validate(valid, kind: GVK(group: "stable.example.com", version: "v1", kind: "CronTab")) == [])
  }
}

@Suite struct DecodeErrorTests {
  let registry = SchemaRegistry.builtIn

  @Test func mismatchedTypesReadLikeGoDecoder() throws {
    let deployment = GVK(group: "apps", version: "v1", kind: "Deployment")
    #expect(
      registry.decodeError(in: try json(#"{"spec":{"replicas":"three"}}"#), kind: deployment)
        == "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32")
    #expect(
      registry.decodeError(
        in: try json(#"{"spec":{"template":{"spec":{"containers":{"name":"a"}}}}}"#), kind: deployment)
        == "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container"
    )
    #expect(
      registry.decodeError(
        in: try json(#"{"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":1.5}]}]}}}}"#),
        kind: deployment)
        == "json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32"
    )
    #expect(
      registry.decodeError(in: try json(#"{"metadata":{"labels":{"a":1}}}"#), kind: deployment)
        == "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string")
    #expect(registry.decodeError(in: try json(#"{"spec":{"replicas":3,"paused":null}}"#), kind: deployment) == nil)
  }
}
