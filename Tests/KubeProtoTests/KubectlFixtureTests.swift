import KubeAPI
import KubeProto
import Testing

/// Bodies the real kubectl 1.32 sent (captured by scripts/kubectl-protobuf-peer.py), checked
/// against the JSON kubectl itself prints for the same object (`--dry-run=client -o json`), or
/// against JSON written from the Go types where kubectl has no dry run.
@Suite struct KubectlFixtureTests {
  static let printedByKubectl = [
    "deployment", "configmap", "secret", "service-clusterip", "service-nodeport", "job", "cronjob", "namespace",
    "serviceaccount", "role", "rolebinding", "clusterrole", "clusterrolebinding", "quota", "priorityclass",
    "poddisruptionbudget", "ingress",
  ]
  static let writtenByHand = [
    "tokenrequest", "selfsubjectaccessreview", "selfsubjectreview", "deleteoptions", "csr-approval",
  ]

  @Test(arguments: printedByKubectl)
  func decodesWhatKubectlPrints(_ name: String) throws {
    let decoded = try KubeProtobuf.decode(try TestSupport.fixtureBytes(name))
    let expected = TestSupport.withoutNulls(try TestSupport.fixtureJSON(name + ".kubectl.json"))
    #expect(decoded.apiVersion == expected["apiVersion"]?.stringValue)
    #expect(decoded.kind == expected["kind"]?.stringValue)
    let difference = TestSupport.difference(decoded.object, expected)
    #expect(difference == nil, "\(name): \(difference ?? "")")
  }

  @Test(arguments: writtenByHand)
  func decodesRequestsWithoutDryRun(_ name: String) throws {
    let decoded = try KubeProtobuf.decode(try TestSupport.fixtureBytes(name))
    let expected = try TestSupport.fixtureJSON(name + ".expected.json")
    let difference = TestSupport.difference(decoded.object, expected)
    #expect(difference == nil, "\(name): \(difference ?? "")")
  }

  /// Re-encoding what kubectl sent and decoding it again loses nothing.
  @Test(arguments: printedByKubectl + writtenByHand)
  func reencodesKubectlBodies(_ name: String) throws {
    let decoded = try KubeProtobuf.decode(try TestSupport.fixtureBytes(name))
    let again = try KubeProtobuf.decode(try KubeProtobuf.encode(decoded.object))
    #expect(TestSupport.difference(again.object, decoded.object) == nil)
  }

  @Test func secretDataStaysBase64() throws {
    let decoded = try KubeProtobuf.decode(try TestSupport.fixtureBytes("secret"))
    #expect(decoded.object[path: ["data", "user"]] == .string("YWRtaW4="))
  }

  @Test func serviceTargetPortKeepsItsForm() throws {
    let clusterIP = try KubeProtobuf.decode(try TestSupport.fixtureBytes("service-clusterip")).object
    #expect(clusterIP[path: ["spec", "ports"]]?.arrayValue?.first?["targetPort"] == .int(8080))
    let nodePort = try KubeProtobuf.decode(try TestSupport.fixtureBytes("service-nodeport")).object
    #expect(nodePort[path: ["spec", "ports"]]?.arrayValue?.first?["targetPort"] == .string("http"))
  }
}
