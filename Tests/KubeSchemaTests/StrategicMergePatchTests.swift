import KubeAPI
import Testing

@testable import KubeSchema

/// Patches shaped like the ones kubectl 1.32 sends (client-side apply, label, annotate, edit, patch).
@Suite struct StrategicMergePatchTests {
  let registry = SchemaRegistry.builtIn
  let deployment = GVK(group: "apps", version: "v1", kind: "Deployment")
  let pod = GVK(group: "", version: "v1", kind: "Pod")

  func patched(_ original: String, _ patch: String, _ gvk: GVK) throws -> JSONValue {
    try registry.applyStrategicMergePatch(json(patch), to: json(original), kind: gvk)
  }

  let liveDeployment = """
    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"},
     "finalizers":["a","b"]},
     "spec":{"replicas":1,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%"}},
      "template":{"spec":{"containers":[
        {"name":"app","image":"nginx:1.25","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
         "ports":[{"containerPort":80,"protocol":"TCP"}]},
        {"name":"sidecar","image":"busybox"}],
       "tolerations":[{"key":"k","operator":"Exists"}],
       "volumes":[{"name":"data","emptyDir":{}}]}}}}
    """

  @Test func clientSideApplyChangesImageAndDeletesContainer() throws {
    let result = try patched(
      liveDeployment,
      """
      {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],
        "containers":[{"image":"nginx:1.26","name":"app"},{"$patch":"delete","name":"sidecar"}]}}}}
      """, deployment)
    let containers = try #require(result[path: ["spec", "template", "spec", "containers"]]?.arrayValue)
    #expect(containers.count == 1)
    #expect(containers[0]["image"] == .string("nginx:1.26"))
    #expect(containers[0]["env"]?.arrayValue?.count == 2)
  }

  @Test func envMergesByName() throws {
    let result = try patched(
      liveDeployment,
      """
      {"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"3"},{"name":"C","value":"4"}]}]}}}}
      """, deployment)
    let env = result[path: ["spec", "template", "spec", "containers"]]?.arrayValue?[0]["env"]?.arrayValue ?? []
    #expect(env.compactMap { $0["name"]?.stringValue } == ["A", "B", "C"])
    #expect(env[1]["value"] == .string("3"))
  }

  @Test func labelAddAndRemoveLikeKubectlLabel() throws {
    var result = try patched(liveDeployment, #"{"metadata":{"labels":{"tier":"front"}}}"#, deployment)
    #expect(result[path: ["metadata", "labels"]] == .object(["app": .string("web"), "tier": .string("front")]))
    result = try registry.applyStrategicMergePatch(
      json(#"{"metadata":{"labels":{"app":null}}}"#), to: result, kind: deployment)
    #expect(result[path: ["metadata", "labels"]] == .object(["tier": .string("front")]))
  }

  @Test func retainKeysSwitchesDeploymentStrategy() throws {
    let result = try patched(
      liveDeployment, #"{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"}}}"#,
      deployment)
    #expect(result[path: ["spec", "strategy"]] == .object(["type": .string("Recreate")]))
  }

  @Test func retainKeysSwitchesVolumeSource() throws {
    let result = try patched(
      liveDeployment,
      """
      {"spec":{"template":{"spec":{"volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"cfg"},"name":"data"}]}}}}
      """, deployment)
    let volume = result[path: ["spec", "template", "spec", "volumes"]]?.arrayValue?.first
    #expect(volume == .object(["name": .string("data"), "configMap": .object(["name": .string("cfg")])]))
  }

  @Test func retainKeysRejectsPatchKeyNotRetained() throws {
    #expect(throws: SchemaError.invalidPatch("invalid patch format of retainKeys")) {
      try patched(liveDeployment, #"{"spec":{"strategy":{"$retainKeys":["type"],"foo":1}}}"#, deployment)
    }
  }

  @Test func deleteFromPrimitiveListAndOrder() throws {
    let result = try patched(
      liveDeployment,
      #"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],"$setElementOrder/finalizers":["b","c"],"finalizers":["c"]}}"#,
      deployment)
    #expect(result[path: ["metadata", "finalizers"]] == .array([.string("b"), .string("c")]))
  }

  @Test func primitiveMergeListPutsPatchItemsFirstWhenUnordered() throws {
    // Upstream quirk: an item the live list does not know sorts before server-only items.
    let result = try patched(liveDeployment, #"{"metadata":{"finalizers":["z","a"]}}"#, deployment)
    #expect(result[path: ["metadata", "finalizers"]] == .array([.string("z"), .string("a"), .string("b")]))
  }

  @Test func atomicListIsReplaced() throws {
    let result = try patched(
      liveDeployment, #"{"spec":{"template":{"spec":{"tolerations":[{"key":"other","operator":"Exists"}]}}}}"#,
      deployment)
    let tolerations = result[path: ["spec", "template", "spec", "tolerations"]]?.arrayValue
    #expect(tolerations?.count == 1)
    #expect(tolerations?.first?["key"] == .string("other"))
  }

  @Test func replaceDirectiveOnListAndMap() throws {
    var result = try patched(
      liveDeployment,
      #"{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"x"},{"$patch":"replace"}]}}}}"#,
      deployment)
    #expect(
      result[path: ["spec", "template", "spec", "containers"]]
        == .array([.object(["name": .string("only"), "image": .string("x")])]))
    result = try patched(liveDeployment, #"{"metadata":{"labels":{"$patch":"replace","new":"1"}}}"#, deployment)
    #expect(result[path: ["metadata", "labels"]] == .object(["new": .string("1")]))
    result = try patched(liveDeployment, #"{"spec":{"strategy":{"$patch":"delete"}}}"#, deployment)
    #expect(result[path: ["spec", "strategy"]] == .object([:]))
  }

  @Test func setElementOrderReordersContainers() throws {
    let live = #"{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c","image":"1"}]}}"#
    let result = try patched(
      live,
      #"{"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"a"}],"containers":[{"name":"c","image":"2"}]}}"#,
      pod)
    let names = result[path: ["spec", "containers"]]?.arrayValue?.compactMap { $0["name"]?.stringValue }
    #expect(names == ["b", "c", "a"])
  }

  @Test func servicePortsMergeByPort() throws {
    let live = #"{"spec":{"ports":[{"port":80,"targetPort":8080,"protocol":"TCP"},{"port":443,"protocol":"TCP"}]}}"#
    let result = try patched(
      live, #"{"spec":{"ports":[{"port":80,"targetPort":9090}]}}"#, GVK(group: "", version: "v1", kind: "Service"))
    let ports = result[path: ["spec", "ports"]]?.arrayValue ?? []
    #expect(ports.count == 2)
    #expect(ports[0]["targetPort"] == .int(9090))
  }

  @Test func missingMergeKeyIsAnError() throws {
    #expect(throws: SchemaError.self) {
      try patched(liveDeployment, #"{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}"#, deployment)
    }
  }

  @Test func newFieldsLoseDirectivesAndNulls() throws {
    let result = try patched(
      #"{"metadata":{"name":"p"}}"#,
      #"{"spec":{"containers":[{"name":"a","image":"x","args":null},{"$patch":"delete","name":"gone"}]}}"#, pod)
    #expect(
      result["spec"] == .object(["containers": .array([.object(["name": .string("a"), "image": .string("x")])])]))
  }

  @Test func unknownKindMergesMapsAndReplacesLists() throws {
    let result = try registry.applyStrategicMergePatch(
      json(#"{"spec":{"list":[3],"map":{"b":2}}}"#), to: json(#"{"spec":{"list":[1,2],"map":{"a":1}}}"#),
      kind: GVK(group: "example.com", version: "v1", kind: "Thing"))
    #expect(try result == json(#"{"spec":{"list":[3],"map":{"a":1,"b":2}}}"#))
  }

  @Test func jsonMergePatch() throws {
    let result = JSONMergePatch.apply(
      try json(#"{"a":{"b":null,"c":[1]},"d":"x"}"#), to: try json(#"{"a":{"b":1,"e":2},"f":true}"#))
    #expect(try result == json(#"{"a":{"c":[1],"e":2},"d":"x","f":true}"#))
  }
}
