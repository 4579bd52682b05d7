import KubeAPI
import Testing

@testable import KubeSchema

@Suite struct RegistryTests {
  let registry = SchemaRegistry.builtIn

  @Test func everyReferenceResolves() {
    var missing: [String] = []
    func check(_ type: FieldType, in owner: String) {
      switch type {
      case .ref(let name): if registry.definition(name) == nil { missing.append("\(owner) -> \(name)") }
      case .array(let items, _): check(items, in: owner)
      case .map(let values, _): check(values, in: owner)
      default: break
      }
    }
    for (name, type) in registry.definitions {
      for field in type.fields { check(field.type, in: "\(name).\(field.name)") }
    }
    #expect(missing == [])
  }

  @Test func podSpecMergeKeysMatchUpstream() throws {
    let spec = try #require(registry.definition("io.k8s.api.core.v1.PodSpec"))
    #expect(spec.field("containers")?.patchMergeKey == "name")
    #expect(spec.field("containers")?.required == true)
    #expect(spec.field("volumes")?.patchStrategy == [.merge, .retainKeys])
    #expect(spec.field("tolerations")?.patchStrategy == [])
    #expect(spec.field("hostAliases")?.patchMergeKey == "ip")
    guard case .array(_, let semantics) = spec.field("topologySpreadConstraints")?.type else {
      Issue.record("topologySpreadConstraints is not a list")
      return
    }
    #expect(semantics == .map("topologyKey", "whenUnsatisfiable"))
    let container = try #require(registry.definition("io.k8s.api.core.v1.Container"))
    #expect(container.field("ports")?.patchMergeKey == "containerPort")
    #expect(container.field("volumeMounts")?.patchMergeKey == "mountPath")
    #expect(container.field("env")?.patchMergeKey == "name")
    let port = try #require(registry.definition("io.k8s.api.core.v1.ContainerPort"))
    #expect(port.field("protocol")?.defaultValue == .string("TCP"))
  }

  @Test func kindsAreIndexed() {
    let expected: [GVK] = [
      GVK(group: "", version: "v1", kind: "Pod"), GVK(group: "apps", version: "v1", kind: "Deployment"),
      GVK(group: "batch", version: "v1", kind: "CronJob"),
      GVK(group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler"),
      GVK(group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition"),
      GVK(group: "policy", version: "v1", kind: "Eviction"), GVK(group: "autoscaling", version: "v1", kind: "Scale"),
      GVK(group: "", version: "v1", kind: "PodList"), GVK(group: "", version: "v1", kind: "Status"),
    ]
    for gvk in expected { #expect(registry.type(of: gvk) != nil, "\(gvk)") }
    #expect(registry.type(of: GVK(group: "", version: "v1", kind: "Pod"))?.name == "io.k8s.api.core.v1.Pod")
  }
}
