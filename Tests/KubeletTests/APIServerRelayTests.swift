import KubeAPI
import Testing

@testable import APIServer

/// The API server's side of the kubelet relay: upstream's container checks and response framing.
struct APIServerRelayTests {
  static let pod: JSONValue = [
    "spec": [
      "containers": [["name": "app"], ["name": "sidecar"]], "initContainers": [["name": "setup"]],
    ]
  ]

  @Test func containerChecksAsUpstream() throws {
    #expect(try ResourceHandler.container(in: Self.pod, named: "sidecar", name: "web", forLogs: true) == "sidecar")
    #expect(try ResourceHandler.container(in: Self.pod, named: "setup", name: "web", forLogs: true) == "setup")
    let single: JSONValue = ["spec": ["containers": [["name": "only"]]]]
    #expect(try ResourceHandler.container(in: single, named: nil, name: "web", forLogs: true) == "only")
    do {
      _ = try ResourceHandler.container(in: Self.pod, named: "nope", name: "web", forLogs: true)
      Issue.record("an unknown container was accepted")
    } catch {
      #expect(error.code == 400)
      #expect(error.message == "container nope is not valid for pod web")
    }
    do {
      _ = try ResourceHandler.container(in: Self.pod, named: nil, name: "web", forLogs: true)
      Issue.record("a missing container name was accepted")
    } catch {
      #expect(
        error.message
          == "a container name must be specified for pod web, choose one of: [app sidecar] or one of the init containers: [setup]"
      )
    }
  }

  @Test func kubeletAddressPrefersInternalIP() throws {
    let node: JSONValue = [
      "status": [
        "addresses": [["type": "Hostname", "address": "box"], ["type": "InternalIP", "address": "10.0.0.5"]],
        "daemonEndpoints": ["kubeletEndpoint": ["Port": 10251]],
      ]
    ]
    let (host, port) = try ResourceHandler.kubeletAddress(ofNode: node, name: "box")
    #expect(host == "10.0.0.5" && port == 10251)
    #expect(throws: APIError.self) { try ResourceHandler.kubeletAddress(ofNode: ["status": [:]], name: "box") }
  }

  @Test func chunkedBodiesDecodeAcrossReads() throws {
    var decoder = ChunkedDecoder()
    let wire = Array("5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n".utf8)
    var out: [UInt8] = []
    var done = false
    for start in stride(from: 0, to: wire.count, by: 4) {
      let result = try decoder.feed(Array(wire[start..<min(start + 4, wire.count)]))
      out += result.data
      done = result.done
    }
    #expect(String(decoding: out, as: UTF8.self) == "hello, world")
    #expect(done)
  }

  @Test func responseHeadsParse() throws {
    let raw = Array(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n".utf8
    )
    #expect(KubeletClient.headEnd(raw + [1, 2]) == raw.count)
    let head = try KubeletClient.parseHead(raw)
    #expect(head.status == 101)
    #expect(head.header("sec-websocket-protocol") == "v5.channel.k8s.io")
  }
}
