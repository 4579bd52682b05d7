import KubeAPI
import Testing

@testable import KubeSchema

@Suite struct OpenAPITests {
  static let resources: [ServedResource] = [
    ServedResource(
      group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true,
      subresources: ["status", "eviction", "binding", "ephemeralcontainers", "log"]),
    ServedResource(
      group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false,
      subresources: ["status"]),
    ServedResource(
      group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true,
      subresources: ["status", "scale"]),
    ServedResource(group: "stable.example.com", version: "v1", kind: "CronTab", plural: "crontabs", namespaced: true),
  ]

  func registry() throws -> SchemaRegistry {
    var registry = SchemaRegistry.builtIn
    try registry.addCustomResourceDefinition(json(FieldValidationTests.crontabCRD))
    return registry
  }

  /// Every `$ref` in the document points at a schema the document defines.
  func danglingReferences(_ document: JSONValue, prefix: String, definitions: JSONValue?) -> [String] {
    var missing: [String] = []
    func walk(_ value: JSONValue) {
      switch value {
      case .object(let members):
        if let ref = members["$ref"]?.stringValue {
          let name = String(ref.dropFirst(prefix.count))
          if !ref.hasPrefix(prefix) || definitions?[name] == nil { missing.append(ref) }
        }
        members.values.forEach(walk)
      case .array(let items): items.forEach(walk)
      default: break
      }
    }
    walk(document)
    return missing
  }

  /// kubectl's check (cli-runtime queryParamVerifierV3): a PATCH operation tagged with the kind lists the parameter.
  func patchOperation(_ document: JSONValue, _ gvk: GVK) -> JSONValue? {
    for (_, item) in document["paths"]?.objectValue ?? [:] {
      guard let patch = item["patch"], let tagged = patch["x-kubernetes-group-version-kind"] else { continue }
      if tagged == obj(["group": .string(gvk.group), "version": .string(gvk.version), "kind": .string(gvk.kind)]) {
        return patch
      }
    }
    return nil
  }

  @Test func indexListsEveryGroupVersion() throws {
    let index = try registry().openAPIV3Index(resources: Self.resources)
    let paths = try #require(index["paths"]?.objectValue)
    #expect(Set(paths.keys) == ["api/v1", "apis/apps/v1", "apis/stable.example.com/v1"])
    let url = try #require(paths["apis/apps/v1"]?["serverRelativeURL"]?.stringValue)
    #expect(url.hasPrefix("/openapi/v3/apis/apps/v1?hash="))
    #expect(try registry().openAPIV3Index(resources: Self.resources) == index)
  }

  @Test func v3DocumentCarriesSchemasAndExtensions() throws {
    let registry = try registry()
    let document = try #require(registry.openAPIV3Document(groupVersion: "apis/apps/v1", resources: Self.resources))
    let schemas = document[path: ["components", "schemas"]]
    let deployment = try #require(schemas?["io.k8s.api.apps.v1.Deployment"])
    #expect(
      deployment["x-kubernetes-group-version-kind"]
        == .array([obj(["group": .string("apps"), "kind": .string("Deployment"), "version": .string("v1")])]))
    let containers = try #require(schemas?["io.k8s.api.core.v1.PodSpec"]?[path: ["properties", "containers"]])
    #expect(containers["x-kubernetes-patch-merge-key"] == .string("name"))
    #expect(containers["x-kubernetes-patch-strategy"] == .string("merge"))
    #expect(containers["x-kubernetes-list-type"] == .string("map"))
    #expect(containers["x-kubernetes-list-map-keys"] == .array([.string("name")]))
    #expect(containers[path: ["items", "$ref"]] == .string("#/components/schemas/io.k8s.api.core.v1.Container"))
    #expect(schemas?["io.k8s.api.core.v1.PodSpec"]?["required"] == .array([.string("containers")]))
    #expect(danglingReferences(document, prefix: "#/components/schemas/", definitions: schemas) == [])
  }

  @Test func patchOperationsAdvertiseFieldValidation() throws {
    let registry = try registry()
    for (path, gvk, strategic) in [
      ("apis/apps/v1", GVK(group: "apps", version: "v1", kind: "Deployment"), true),
      ("api/v1", GVK(group: "", version: "v1", kind: "Namespace"), true),
      ("apis/stable.example.com/v1", GVK(group: "stable.example.com", version: "v1", kind: "CronTab"), false),
    ] {
      let document = try #require(registry.openAPIV3Document(groupVersion: path, resources: Self.resources))
      let patch = try #require(patchOperation(document, gvk), "\(gvk)")
      let names = (patch["parameters"]?.arrayValue ?? []).filter { $0["in"] == .string("query") }.compactMap {
        $0["name"]?.stringValue
      }
      #expect(names.contains("fieldValidation") && names.contains("dryRun") && names.contains("force"))
      let content = patch[path: ["requestBody", "content"]]?.objectValue ?? [:]
      #expect((content["application/strategic-merge-patch+json"] != nil) == strategic)
      #expect(content["application/apply-patch+yaml"] != nil)
    }
  }

  @Test func explainFindsKindThroughResourcePaths() throws {
    // kubectl explain's template looks up /api/v1/namespaces/{namespace}/pods and reads the GVK of an operation.
    let document = try #require(try registry().openAPIV3Document(groupVersion: "api/v1", resources: Self.resources))
    let list = document[path: [
      "paths", "/api/v1/namespaces/{namespace}/pods", "get", "x-kubernetes-group-version-kind",
    ]]
    #expect(list == obj(["group": .string(""), "version": .string("v1"), "kind": .string("Pod")]))
    #expect(document[path: ["paths", "/api/v1/namespaces/{namespace}/pods/{name}/status", "patch"]] != nil)
    #expect(document[path: ["paths", "/api/v1/namespaces/{namespace}/pods/{name}/eviction", "post"]] != nil)
    #expect(document[path: ["paths", "/api/v1/pods", "get"]] != nil)
    #expect(document[path: ["paths", "/api/v1/namespaces/{name}", "get"]] != nil)
  }

  @Test func crdSchemaAppearsInItsGroupVersion() throws {
    let registry = try registry()
    let document = try #require(
      registry.openAPIV3Document(groupVersion: "apis/stable.example.com/v1", resources: Self.resources))
    let crontab = try #require(document[path: ["components", "schemas", "com.example.stable.v1.CronTab"]])
    #expect(crontab[path: ["properties", "spec", "properties", "port", "$ref"]] == nil)
    #expect(crontab[path: ["properties", "spec", "properties", "replicas", "default"]] == .int(1))
    #expect(
      crontab[path: ["properties", "spec", "properties", "items", "x-kubernetes-list-map-keys"]]
        == .array([.string("name")]))
    #expect(document[path: ["components", "schemas", "com.example.stable.v1.CronTabList"]] != nil)
  }

  @Test func v2DocumentDefinitionsResolve() throws {
    let document = try registry().openAPIV2Document(resources: Self.resources)
    let definitions = document["definitions"]
    #expect(definitions?["io.k8s.api.core.v1.Pod"] != nil)
    #expect(danglingReferences(document, prefix: "#/definitions/", definitions: definitions) == [])
    let patch = document[path: ["paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "patch"]]
    #expect(patch?["consumes"]?.arrayValue?.contains(.string("application/strategic-merge-patch+json")) == true)
  }
}

@Suite struct BuiltInResourcesTests {
  @Test func everyBuiltInResourceHasATypeAndDocument() throws {
    let registry = SchemaRegistry.builtIn
    for resource in ServedResource.builtIns {
      #expect(registry.type(of: resource.gvk) != nil, "\(resource.gvk)")
    }
    let index = registry.openAPIV3Index(resources: ServedResource.builtIns)
    #expect(index["paths"]?.objectValue?.count == 19)
    let document = try #require(registry.openAPIV3Document(groupVersion: "api/v1", resources: ServedResource.builtIns))
    let paths = document["paths"]?.objectValue ?? [:]
    #expect(paths["/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token"]?["post"] != nil)
    #expect(paths["/api/v1/namespaces/{namespace}/replicationcontrollers/{name}/scale"]?["patch"] != nil)
    #expect(paths["/api/v1/namespaces/{namespace}/bindings"]?["post"] != nil)
    #expect(paths["/api/v1/namespaces/{namespace}/bindings/{name}"] == nil)
    let v2 = registry.openAPIV2Document(resources: ServedResource.builtIns)
    #expect((v2["definitions"]?.objectValue?.count ?? 0) > 300)
  }
}
