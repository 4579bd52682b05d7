import Foundation
import Testing

@testable import KubeAPI

@Suite struct CodableTests {
  struct Container: Codable, Equatable {
    var name: String
    var image: String?
    var ports: [Port]?
    var resources: Resources?
  }

  struct Port: Codable, Equatable {
    var containerPort: Int32
    var `protocol`: String?
  }

  struct Resources: Codable, Equatable {
    var limits: [String: Quantity]?
    var requests: [String: Quantity]?
  }

  struct PodSpec: Codable, Equatable {
    var containers: [Container]
    var nodeName: String?
    var terminationGracePeriodSeconds: Int64?
    var enableServiceLinks: Bool?
  }

  struct Pod: Codable, Equatable {
    var apiVersion: String
    var kind: String
    var metadata: JSONValue
    var spec: PodSpec
    var status: JSONValue?
  }

  enum Phase: String, Codable { case Pending, Running }

  @Test func decodesTypedStructsFromStoredJSON() throws {
    let pod = try JSONValueDecoder().decode(Pod.self, from: Fixtures.pod(2))
    #expect(pod.kind == "Pod")
    #expect(pod.spec.containers.count == 2)
    #expect(pod.spec.containers[0].ports?.first == Port(containerPort: 80, protocol: "TCP"))
    #expect(pod.spec.containers[0].resources?.limits?["memory"] == Quantity(128 * 1024 * 1024))
    #expect(pod.spec.terminationGracePeriodSeconds == 30)
    #expect(pod.metadata["name"] == "web-7d4b9c8f6d-2")
    #expect(try JSONValueDecoder().decode(Phase.self, from: "Running") == .Running)
  }

  @Test func encodesBackWithoutLosingUnknownFields() throws {
    let original = Fixtures.pod(3)
    let pod = try JSONValueDecoder().decode(Pod.self, from: original)
    let encoded = try JSONValueEncoder().encode(pod)
    #expect(encoded["metadata"] == original["metadata"])
    #expect(encoded["spec"]?["containers"]?[0]?["resources"] == original["spec"]?["containers"]?[0]?["resources"])
    #expect(try JSONValueDecoder().decode(Pod.self, from: encoded) == pod)
    // Nil optionals are left out.
    let bare = try JSONValueEncoder().encode(Container(name: "x"))
    #expect(bare == ["name": "x"])
  }

  @Test func reportsTheFieldThatFailed() {
    #expect(
      throws: KubeAPIError(.decoding, "spec.containers[0].ports[0].containerPort: expected integer, found string")
    ) {
      try JSONValueDecoder().decode(
        Pod.self,
        from: [
          "apiVersion": "v1", "kind": "Pod", "metadata": [:],
          "spec": ["containers": [["name": "a", "ports": [["containerPort": "80"]]]]],
        ])
    }
    #expect(throws: KubeAPIError(.decoding, "spec: required field is missing")) {
      try JSONValueDecoder().decode(Pod.self, from: ["apiVersion": "v1", "kind": "Pod", "metadata": [:]])
    }
    #expect(throws: KubeAPIError(.decoding, "containerPort: 3000000000 does not fit in Int32")) {
      try JSONValueDecoder().decode(Port.self, from: ["containerPort": 3_000_000_000])
    }
    #expect(throws: KubeAPIError.self) { try JSONValueDecoder().decode(Phase.self, from: "Gone") }
    #expect(throws: KubeAPIError.self) { try JSONValueEncoder().encode(["x": Double.nan]) }
  }

  @Test func nullReadsAsAbsentForOptionals() throws {
    let container = try JSONValueDecoder().decode(Container.self, from: ["name": "a", "image": .null])
    #expect(container == Container(name: "a"))
  }

  @Test func interoperatesWithFoundationCoders() throws {
    let value = Fixtures.pod(4)
    let data = try JSONEncoder().encode(value)
    #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    let time = try JSONDecoder().decode([KubeTime].self, from: Data(#"["2026-11-29T22:38:41Z"]"#.utf8))
    #expect(time == [KubeTime(seconds: 1_795_991_921)])
    #expect(try JSONValueEncoder().encode(time) == ["2026-11-29T22:38:41Z"])
    #expect(try JSONValueEncoder().encode(Quantity(milli: 1500)) == "1500m")
  }
}
