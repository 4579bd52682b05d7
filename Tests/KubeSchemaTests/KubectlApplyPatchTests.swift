import KubeAPI
import Testing

@testable import KubeSchema

/// A patch kubectl 1.32 computed itself (client-side `kubectl apply`) from this module's OpenAPI v3 document,
/// captured from the request it sent; applying it must give the manifest's state.
@Suite struct KubectlApplyPatchTests {
  static let live =
    #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","annotati"#
    + #"ons":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\": \"apps/v1\", \"kind\": \""#
    + #"Deployment\", \"metadata\": {\"name\": \"web\", \"namespace\": \"default\"}, \"spec\": {\"replicas\""#
    + #": 1, \"strategy\": {\"type\": \"RollingUpdate\", \"rollingUpdate\": {\"maxSurge\": \"25%\", \"maxUna"#
    + #"vailable\": \"25%\"}}, \"selector\": {\"matchLabels\": {\"app\": \"web\"}}, \"template\": {\"metadat"#
    + #"a\": {\"labels\": {\"app\": \"web\"}}, \"spec\": {\"containers\": [{\"name\": \"app\", \"image\": \""#
    + #"nginx:1.25\", \"env\": [{\"name\": \"A\", \"value\": \"1\"}, {\"name\": \"B\", \"value\": \"2\"}], \"#
    + #""ports\": [{\"containerPort\": 80}]}, {\"name\": \"sidecar\", \"image\": \"busybox\"}], \"volumes\":"#
    + #" [{\"name\": \"data\", \"emptyDir\": {}}]}}}}"},"uid":"u1","resourceVersion":"5","finalizers":["x"]}"#
    + #","spec":{"replicas":1,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnava"#
    + #"ilable":"25%"}},"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"we"#
    + #"b"}},"spec":{"containers":[{"name":"app","image":"nginx:1.25","env":[{"name":"A","value":"1"},{"name"#
    + #"":"B","value":"2"}],"ports":[{"containerPort":80,"protocol":"TCP"}]},{"name":"sidecar","image":"busy"#
    + #"box"}],"volumes":[{"name":"data","emptyDir":{}}]}}}}"#

  static let patch =
    #"{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"ap"#
    + #"ps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"annotations\":{},\"name\":\"web\",\"namespace\":\"de"#
    + #"fault\"},\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"strategy\":{\"t"#
    + #"ype\":\"Recreate\"},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers"#
    + #"\":[{\"env\":[{\"name\":\"B\",\"value\":\"2\"}],\"image\":\"nginx:1.26\",\"name\":\"app\",\"ports\":"#
    + #"[{\"containerPort\":8080}]}],\"volumes\":[{\"configMap\":{\"name\":\"cfg\"},\"name\":\"data\"}]}}}}\"#
    + #"n"}},"spec":{"replicas":2,"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"}"#
    + #","template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],"$setElementOrder/volumes":[{"na"#
    + #"me":"data"}],"containers":[{"$setElementOrder/env":[{"name":"B"}],"$setElementOrder/ports":[{"contai"#
    + #"nerPort":8080}],"env":[{"$patch":"delete","name":"A"}],"image":"nginx:1.26","name":"app","ports":[{""#
    + #"containerPort":8080},{"$patch":"delete","containerPort":80}]},{"$patch":"delete","name":"sidecar"}],"#
    + #""volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"cfg"},"emptyDir":null,"name":"da"#
    + #"ta"}]}}}}"#

  @Test func appliesKubectlClientSideApplyPatch() throws {
    let result = try SchemaRegistry.builtIn.applyStrategicMergePatch(
      json(Self.patch), to: json(Self.live), kind: GVK(group: "apps", version: "v1", kind: "Deployment"))
    #expect(result[path: ["spec", "replicas"]] == .int(2))
    #expect(result[path: ["spec", "strategy"]] == .object(["type": .string("Recreate")]))
    let podSpec = try #require(result[path: ["spec", "template", "spec"]])
    let containers = try #require(podSpec["containers"]?.arrayValue)
    #expect(containers.count == 1)
    #expect(containers[0]["image"] == .string("nginx:1.26"))
    #expect(containers[0]["env"] == .array([.object(["name": .string("B"), "value": .string("2")])]))
    #expect(containers[0]["ports"] == .array([.object(["containerPort": .int(8080)])]))
    #expect(
      podSpec["volumes"]
        == .array([.object(["name": .string("data"), "configMap": .object(["name": .string("cfg")])])]))
    #expect(result[path: ["metadata", "finalizers"]] == .array([.string("x")]))
    let applied = result[path: ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]]
    #expect(applied?.stringValue?.contains("nginx:1.26") == true)
  }
}
