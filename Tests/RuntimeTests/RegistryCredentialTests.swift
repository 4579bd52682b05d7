import Foundation
import Testing

@testable import Runtime

/// imagePullSecrets lookup as the kubelet's keyring does it, and registries.yaml.
struct RegistryCredentialTests {
  static func auth(_ user: String, _ password: String) -> String {
    Data("\(user):\(password)".utf8).base64EncodedString()
  }

  @Test func parsesDockerConfigJSONWithAuthOrUsernameAndPassword() throws {
    let json = """
      {"auths": {
        "registry.example.com:5000": {"auth": "\(Self.auth("alice", "s3cr:et"))"},
        "https://ghcr.io/v2/": {"username": "bob", "password": "pw"},
        "quay.io": {"identitytoken": "refresh-me"},
        "empty.example.com": {}
      }}
      """
    let config = try DockerConfig(json: Array(json.utf8))
    #expect(config.entries.map(\.key) == ["ghcr.io", "quay.io", "registry.example.com:5000"])
    #expect(
      config.credentials(for: "registry.example.com:5000")
        == RegistryCredentials(username: "alice", password: "s3cr:et"))
    #expect(config.credentials(for: "ghcr.io") == RegistryCredentials(username: "bob", password: "pw"))
    #expect(config.credentials(for: "quay.io")?.identityToken == "refresh-me")
    #expect(config.credentials(for: "registry.example.com") == nil, "the port is part of the key")
    #expect(config.credentials(for: "empty.example.com") == nil)
  }

  @Test func parsesTheLegacyDockercfgForm() throws {
    let json = #"{"https://index.docker.io/v1/": {"auth": "\#(Self.auth("hub", "pw"))", "email": "a@b.c"}}"#
    let config = try DockerConfig(json: Array(json.utf8))
    let hub = RegistryCredentials(username: "hub", password: "pw")
    #expect(config.entries.map(\.key) == ["index.docker.io"])
    for image in ["busybox", "docker.io/library/busybox:1.36", "index.docker.io/team/app", "user/app"] {
      #expect(config.credentials(for: try ImageReference(parsing: image)) == [hub], "\(image)")
    }
    #expect(config.credentials(for: "docker.io") == hub)
    #expect(config.credentials(for: try ImageReference(parsing: "ghcr.io/user/app")).isEmpty)
  }

  @Test func matchesLikeTheKubeletKeyringMostSpecificFirst() throws {
    var config = DockerConfig()
    let (host, team, glob) = (
      RegistryCredentials(username: "host", password: "1"), RegistryCredentials(username: "team", password: "2"),
      RegistryCredentials(username: "glob", password: "3")
    )
    config.add("registry.example.com", host)
    config.add("https://registry.example.com/team", team)
    config.add("*.example.com", glob)
    func lookup(_ image: String) throws -> [String] {
      config.credentials(for: try ImageReference(parsing: image)).map(\.username)
    }
    #expect(try lookup("registry.example.com/team/app:1") == ["team", "host", "glob"])
    #expect(try lookup("registry.example.com/teamster/app") == ["host", "glob"])
    #expect(try lookup("other.example.com/app") == ["glob"])
    #expect(try lookup("a.b.example.com/app") == [], "a glob matches one DNS label")
    #expect(try lookup("registry.example.com:443/app") == [], "ports must match")
    var more = DockerConfig()
    more.add("registry.example.com", RegistryCredentials(username: "second", password: "4"))
    config.merge(more)
    #expect(try lookup("registry.example.com/x") == ["host", "second", "glob"], "secrets keep their order")
  }

  @Test func rejectsMalformedConfigs() throws {
    #expect(throws: RuntimeError.self) { try DockerConfig(json: Array("not json".utf8)) }
    #expect(throws: RuntimeError.self) { try DockerConfig(json: Array(#"{"auths":{"h":{"auth":"%%%"}}}"#.utf8)) }
    #expect(throws: RuntimeError.self) { try RegistryCredentials(parsing: "no-colon") }
    #expect(try RegistryCredentials(parsing: "u:p:q") == RegistryCredentials(username: "u", password: "p:q"))
  }

  @Test func decodesK3sRegistriesYAMLShape() throws {
    let json = """
      {"mirrors": {"docker.io": {"endpoint": ["https://mirror.example.com", "http://cache.local:5000/prefix"]}},
       "configs": {"mirror.example.com": {"auth": {"username": "m", "password": "p"},
                                          "tls": {"insecure_skip_verify": true, "ca_file": "/ca.pem"}},
                   "private.example.com": {"auth": {"auth": "\(Self.auth("x", "y"))"}}},
       "insecure": ["registry.local:5000"]}
      """
    let configuration = try JSONDecoder().decode(RegistryConfiguration.self, from: Data(json.utf8))
    let hub = try configuration.endpoints(for: "docker.io")
    #expect(
      hub.map(\.baseURL) == [
        "https://mirror.example.com/v2", "http://cache.local:5000/prefix/v2", "https://registry-1.docker.io/v2",
      ])
    #expect(hub[0].config?.credentials == RegistryCredentials(username: "m", password: "p"))
    #expect(hub[0].config?.insecureSkipVerify == true && hub[0].config?.caFile == "/ca.pem")
    #expect(hub[2].displayName == "docker.io")
    #expect(try configuration.endpoints(for: "registry.local:5000").map(\.baseURL) == ["http://registry.local:5000/v2"])
    let privateHost = try configuration.endpoints(for: "private.example.com")
    #expect(privateHost.map(\.baseURL) == ["https://private.example.com/v2"])
    #expect(privateHost[0].config?.credentials == RegistryCredentials(username: "x", password: "y"))
  }

  @Test func loopbackRegistriesFallBackToHTTPAndWildcardMirrorsApplyToAll() throws {
    let plain = try RegistryConfiguration().endpoints(for: "127.0.0.1:5000")
    #expect(plain.map(\.baseURL) == ["https://127.0.0.1:5000/v2"] && plain[0].fallsBackToHTTP)
    #expect(try RegistryConfiguration().endpoints(for: "localhost:5000")[0].fallsBackToHTTP)
    #expect(try !RegistryConfiguration().endpoints(for: "ghcr.io")[0].fallsBackToHTTP)
    let wildcard = RegistryConfiguration(mirrors: ["*": ["cache.local"]], insecure: ["cache.local"])
    #expect(try wildcard.endpoints(for: "ghcr.io").map(\.baseURL) == ["http://cache.local/v2", "https://ghcr.io/v2"])
    #expect(throws: RuntimeError.self) {
      try RegistryConfiguration(mirrors: ["docker.io": ["ftp://x"]]).endpoints(for: "docker.io")
    }
  }

  @Test func imageReferencesWithPortsDigestsAndTags() throws {
    let withPort = try ImageReference(parsing: "127.0.0.1:5000/test/busybox:1")
    #expect(withPort.registry == "127.0.0.1:5000" && withPort.repository == "test/busybox" && withPort.tag == "1")
    let digest = "sha256:" + String(repeating: "0f", count: 32)
    let pinned = try ImageReference(parsing: "localhost:5000/app@\(digest)")
    #expect(pinned.registry == "localhost:5000" && pinned.tag == nil && pinned.manifestReference == digest)
    let both = try ImageReference(parsing: "busybox:1.36@\(digest)")
    #expect(both.description == "docker.io/library/busybox:1.36@\(digest)" && both.manifestReference == digest)
    #expect(
      try ImageReference(parsing: "index.docker.io/library/busybox").description == "docker.io/library/busybox:latest")
    for bad in ["busybox:", "busybox:-x", "/busybox", "busybox@sha256:12"] {
      #expect(throws: RuntimeError.self, "\(bad)") { try ImageReference(parsing: bad) }
    }
  }
}
