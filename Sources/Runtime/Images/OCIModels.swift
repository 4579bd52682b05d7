/// The OCI and Docker image documents the runtime reads. Unknown fields are ignored;
/// missing optional ones stay nil.
public enum MediaType {
  public static let ociIndex = "application/vnd.oci.image.index.v1+json"
  public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
  public static let ociConfig = "application/vnd.oci.image.config.v1+json"
  public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
  public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
  public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
  public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
  public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
  public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
  public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"

  static func isIndex(_ type: String?) -> Bool { type == ociIndex || type == dockerManifestList }
  static func isManifest(_ type: String?) -> Bool { type == ociManifest || type == dockerManifest }
}

public struct Platform: Codable, Sendable, Hashable {
  public var architecture: String
  public var os: String
  public var variant: String?

  public init(architecture: String, os: String = "linux", variant: String? = nil) {
    self.architecture = architecture
    self.os = os
    self.variant = variant
  }

  /// The platform of this machine in OCI's words (GOARCH names).
  public static var host: Platform {
    #if arch(x86_64)
      Platform(architecture: "amd64")
    #elseif arch(arm64)
      Platform(architecture: "arm64", variant: "v8")
    #else
      Platform(architecture: "unknown")
    #endif
  }

  /// Whether an image for `other` runs here; a missing variant matches any.
  func accepts(_ other: Platform) -> Bool {
    guard other.os == os, other.architecture == architecture else { return false }
    guard let wanted = variant, let offered = other.variant else { return true }
    return wanted == offered
  }
}

public struct Descriptor: Codable, Sendable, Hashable {
  public var mediaType: String
  public var digest: Digest
  public var size: Int64
  public var platform: Platform?
  public var annotations: [String: String]?

  public init(
    mediaType: String, digest: Digest, size: Int64, platform: Platform? = nil,
    annotations: [String: String]? = nil
  ) {
    self.mediaType = mediaType
    self.digest = digest
    self.size = size
    self.platform = platform
    self.annotations = annotations
  }
}

public struct ImageIndex: Codable, Sendable {
  public var schemaVersion: Int
  public var mediaType: String?
  public var manifests: [Descriptor]

  public init(schemaVersion: Int = 2, mediaType: String? = MediaType.ociIndex, manifests: [Descriptor]) {
    self.schemaVersion = schemaVersion
    self.mediaType = mediaType
    self.manifests = manifests
  }
}

public struct ImageManifest: Codable, Sendable {
  public var schemaVersion: Int
  public var mediaType: String?
  public var config: Descriptor
  public var layers: [Descriptor]

  public init(config: Descriptor, layers: [Descriptor]) {
    schemaVersion = 2
    mediaType = MediaType.ociManifest
    self.config = config
    self.layers = layers
  }
}

/// The runtime configuration inside an image config (`config` in OCI's document).
public struct ImageRuntimeConfig: Codable, Sendable, Equatable {
  public var user: String?
  public var env: [String]?
  public var entrypoint: [String]?
  public var cmd: [String]?
  public var workingDir: String?
  public var stopSignal: String?
  public var labels: [String: String]?

  enum CodingKeys: String, CodingKey {
    case user = "User", env = "Env", entrypoint = "Entrypoint", cmd = "Cmd", workingDir = "WorkingDir"
    case stopSignal = "StopSignal", labels = "Labels"
  }

  public init(
    user: String? = nil, env: [String]? = nil, entrypoint: [String]? = nil, cmd: [String]? = nil,
    workingDir: String? = nil
  ) {
    self.user = user
    self.env = env
    self.entrypoint = entrypoint
    self.cmd = cmd
    self.workingDir = workingDir
  }
}

public struct ImageConfig: Codable, Sendable {
  public struct RootFS: Codable, Sendable {
    public var type: String
    public var diffIDs: [Digest]

    enum CodingKeys: String, CodingKey {
      case type
      case diffIDs = "diff_ids"
    }
  }

  public var architecture: String?
  public var os: String?
  public var config: ImageRuntimeConfig?
  public var rootfs: RootFS

  public init(architecture: String, os: String, config: ImageRuntimeConfig, diffIDs: [Digest]) {
    self.architecture = architecture
    self.os = os
    self.config = config
    rootfs = RootFS(type: "layers", diffIDs: diffIDs)
  }
}

/// `manifest.json` at the top of a `docker save` archive.
struct DockerArchiveEntry: Codable, Sendable {
  var config: String
  var repoTags: [String]?
  var layers: [String]

  enum CodingKeys: String, CodingKey {
    case config = "Config", repoTags = "RepoTags", layers = "Layers"
  }
}
