import Foundation
import Testing

@testable import Runtime

/// The pure parts of the registry protocol: challenges, manifest classification, platform choice.
struct RegistryProtocolTests {
  @Test func parsesDockerHubBearerChallenge() {
    let header =
      #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#
    let challenges = AuthChallenge.parse(header)
    #expect(challenges.count == 1)
    #expect(challenges[0].scheme == .bearer)
    #expect(challenges[0].realm == "https://auth.docker.io/token")
    #expect(challenges[0].service == "registry.docker.io")
    #expect(challenges[0].scope == "repository:library/busybox:pull")
  }

  @Test func parsesSeveralChallengesEscapesAndUnquotedValues() {
    let challenges = AuthChallenge.parse(
      #"Basic realm="Registry \"Realm\"", Bearer realm=https://t.example/token ,service=svc,error="invalid_token""#)
    #expect(challenges.map(\.scheme) == [.basic, .bearer])
    #expect(challenges[0].realm == #"Registry "Realm""#)
    #expect(challenges[1].realm == "https://t.example/token")
    #expect(
      challenges[1].parameters == ["realm": "https://t.example/token", "service": "svc", "error": "invalid_token"])
    #expect(AuthChallenge.parse(["basic REALM=\"x\"", "Negotiate"]).map(\.scheme) == [.basic, .other("Negotiate")])
    #expect(AuthChallenge.parse(["basic REALM=\"x\""])[0].realm == "x", "scheme and names are case-insensitive")
    #expect(AuthChallenge.parse("").isEmpty)
  }

  @Test func proxiesComeFromTheEnvironmentExceptNoProxyAndLoopback() {
    let proxy = RegistryProxy.fromEnvironment([
      "HTTPS_PROXY": "http://user:p%40ss@proxy.corp:3128", "http_proxy": "proxy.corp:8080",
      "NO_PROXY": "internal.corp, .svc ,registry.lan:5000,10.0.0.7",
    ])
    #expect(
      proxy.proxy(for: "https://registry-1.docker.io/v2/")?.absoluteString == "http://user:p%40ss@proxy.corp:3128")
    #expect(proxy.proxy(for: "http://mirror.example.com/v2/")?.absoluteString == "http://proxy.corp:8080")
    for direct in [
      "https://internal.corp/v2/", "https://a.internal.corp/v2/", "https://registry.kube-system.svc/v2/",
      "http://registry.lan:5000/v2/", "http://10.0.0.7/v2/", "http://127.0.0.1:5000/v2/", "https://localhost/v2/",
    ] {
      #expect(proxy.proxy(for: direct) == nil, "\(direct)")
    }
    #expect(proxy.proxy(for: "http://registry.lan:5001/v2/") != nil, "a NO_PROXY port is exact")
    #expect(
      RegistryProxy.fromEnvironment(["HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"]).proxy(for: "https://x/") == nil)
    #expect(RegistryProxy.fromEnvironment([:]).proxy(for: "https://ghcr.io/v2/") == nil)
  }

  static func descriptor(_ seed: UInt8, _ architecture: String, variant: String? = nil, os: String = "linux")
    -> Descriptor
  {
    Descriptor(
      mediaType: MediaType.ociManifest, digest: Digest.of([seed]), size: 1,
      platform: Platform(architecture: architecture, os: os, variant: variant))
  }

  @Test func selectsTheHostPlatformAndExplainsWhenMissing() {
    let index = [
      Self.descriptor(1, "arm", variant: "v7"), Self.descriptor(2, "arm64", variant: "v8"),
      Self.descriptor(3, "amd64"), Self.descriptor(4, "unknown", os: "unknown"),
      Self.descriptor(5, "amd64", os: "windows"),
    ]
    #expect(Platform(architecture: "amd64").select(from: index)?.digest == Digest.of([3]))
    #expect(Platform(architecture: "arm64", variant: "v8").select(from: index)?.digest == Digest.of([2]))
    #expect(Platform(architecture: "arm", variant: "v6").select(from: index) == nil)
    let error = Platform(architecture: "riscv64").noMatch(in: index, image: "docker.io/library/busybox:1")
    #expect(
      error.message
        == "no linux/riscv64 image in docker.io/library/busybox:1; it has linux/arm/v7, linux/arm64/v8, linux/amd64, "
        + "windows/amd64")
    #expect(error.code == .unsupported)
    // Without a variant on either side, the first matching architecture wins.
    let plain = [Self.descriptor(6, "arm64"), Self.descriptor(7, "arm64", variant: "v8")]
    #expect(Platform(architecture: "arm64").select(from: plain)?.digest == Digest.of([6]))
  }

  @Test func classifiesManifestsByContentTypeOrShape() throws {
    let config = Descriptor(mediaType: MediaType.dockerConfig, digest: Digest.of([1]), size: 1)
    var manifest = ImageManifest(config: config, layers: [])
    manifest.mediaType = nil
    let bytes = Array(try JSONEncoder().encode(manifest))
    guard case .manifest = try ManifestDocument(bytes: bytes, contentType: MediaType.dockerManifest, image: "x") else {
      Issue.record("a Docker v2 manifest is a manifest")
      return
    }
    guard case .manifest = try ManifestDocument(bytes: bytes, contentType: "application/json", image: "x") else {
      Issue.record("an untyped document with config and layers is a manifest")
      return
    }
    let index = Array(try JSONEncoder().encode(ImageIndex(mediaType: nil, manifests: [Self.descriptor(1, "amd64")])))
    guard case .index(let parsed) = try ManifestDocument(bytes: index, contentType: nil, image: "x") else {
      Issue.record("an untyped document with manifests is an index")
      return
    }
    #expect(parsed.manifests.count == 1)
    let list = try ManifestDocument(
      bytes: index, contentType: "application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8", image: "x")
    guard case .index = list else {
      Issue.record("a Docker manifest list is an index")
      return
    }
  }

  @Test func refusesSchema1ArtifactsAndForeignLayers() throws {
    let schema1 = Array(#"{"schemaVersion":1,"name":"x","fsLayers":[]}"#.utf8)
    let error = #expect(throws: RuntimeError.self) {
      try ManifestDocument(
        bytes: schema1, contentType: "application/vnd.docker.distribution.manifest.v1+prettyjws", image: "old")
    }
    #expect(error?.code == .unsupported && error?.message.contains("schema 1") == true)
    #expect(throws: RuntimeError.self) {
      try ManifestDocument(bytes: Array("{}".utf8), contentType: "text/html", image: "x")
    }
    let layer = Descriptor(mediaType: MediaType.ociLayerGzip, digest: Digest.of([2]), size: 1)
    let helm = ImageManifest(
      config: Descriptor(mediaType: "application/vnd.cncf.helm.config.v1+json", digest: Digest.of([1]), size: 1),
      layers: [layer])
    let artifact = #expect(throws: RuntimeError.self) { try helm.checkRunnable(image: "chart") }
    #expect(
      artifact?.message == "\"chart\" is not a container image (its config has media type "
        + "application/vnd.cncf.helm.config.v1+json)")
    let windows = ImageManifest(
      config: Descriptor(mediaType: MediaType.dockerConfig, digest: Digest.of([1]), size: 1),
      layers: [
        layer,
        Descriptor(
          mediaType: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", digest: Digest.of([3]), size: 1),
      ])
    let foreign = #expect(throws: RuntimeError.self) { try windows.checkRunnable(image: "nanoserver") }
    #expect(foreign?.message.contains("foreign layers") == true)
    let runnable = ImageManifest(
      config: Descriptor(mediaType: MediaType.ociConfig, digest: Digest.of([1]), size: 1),
      layers: [layer, Descriptor(mediaType: MediaType.dockerLayerGzip, digest: Digest.of([4]), size: 1)])
    try runnable.checkRunnable(image: "ok")
  }
}
