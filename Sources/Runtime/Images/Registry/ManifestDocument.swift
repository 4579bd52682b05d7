import Foundation

/// A manifest or index as a registry served it, classified by media type (the Content-Type,
/// or the document's own `mediaType`, or its shape when neither says).
enum ManifestDocument: Sendable {
  case index(ImageIndex)
  case manifest(ImageManifest)

  /// Media types a pull asks for, most preferred first (the `Accept` header).
  static let accepted = [
    MediaType.ociIndex, MediaType.dockerManifestList, MediaType.ociManifest, MediaType.dockerManifest,
  ]

  static let schema1Types: Set<String> = [
    "application/vnd.docker.distribution.manifest.v1+prettyjws", "application/vnd.docker.distribution.manifest.v1+json",
  ]

  init(bytes: [UInt8], contentType: String?, image: String) throws {
    let probe = try? JSONDecoder().decode(ShapeProbe.self, from: Data(bytes))
    let headerType = contentType.map { $0.split(separator: ";").first.map(String.init) ?? $0 }?
      .trimmingCharacters(in: .whitespaces)
    var type = probe?.mediaType ?? headerType
    if probe?.schemaVersion == 1 || type.map(Self.schema1Types.contains) == true {
      throw RuntimeError(
        .unsupported,
        "image \"\(image)\" uses the Docker schema 1 manifest format, which skiff does not support; push it again "
          + "with a current docker, buildah or skopeo")
    }
    if !MediaType.isIndex(type) && !MediaType.isManifest(type) {
      // OCI allows documents without mediaType; registries may answer with a generic Content-Type.
      if probe?.manifests != nil {
        type = MediaType.ociIndex
      } else if probe?.config != nil && probe?.layers != nil {
        type = MediaType.ociManifest
      } else {
        throw RuntimeError(
          .unsupported,
          "image \"\(image)\" has an unsupported manifest type \(type ?? "(none)"); skiff pulls OCI and Docker v2 images"
        )
      }
    }
    do {
      if MediaType.isIndex(type) {
        self = .index(try JSONDecoder().decode(ImageIndex.self, from: Data(bytes)))
      } else {
        self = .manifest(try JSONDecoder().decode(ImageManifest.self, from: Data(bytes)))
      }
    } catch let error as RuntimeError {
      throw error
    } catch {
      throw RuntimeError(.invalidImage, "the manifest of image \"\(image)\" is malformed: \(error)")
    }
  }

  private struct ShapeProbe: Decodable {
    var schemaVersion: Int?
    var mediaType: String?
    var manifests: [IgnoredValue]?
    var config: IgnoredValue?
    var layers: [IgnoredValue]?
  }

  private struct IgnoredValue: Decodable {
    init(from decoder: Decoder) throws {}
  }
}

extension Platform: CustomStringConvertible {
  /// `os/architecture[/variant]`, as `docker pull --platform` spells it.
  public var description: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }

  /// The best entry of an index for this platform: an exact variant match first, then one
  /// without a variant, then any that `accepts` allows; entries without a platform last.
  func select(from manifests: [Descriptor]) -> Descriptor? {
    let usable = manifests.filter { MediaType.isManifest($0.mediaType) || MediaType.isIndex($0.mediaType) }
    let matching = usable.filter { $0.platform.map(accepts) ?? false }
    return matching.first { $0.platform?.variant == variant } ?? matching.first { $0.platform?.variant == nil }
      ?? matching.first ?? usable.first { $0.platform == nil }
  }

  /// The error when an index has nothing for this platform, listing what it has.
  func noMatch(in manifests: [Descriptor], image: String) -> RuntimeError {
    // Attestation manifests carry unknown/unknown; they are not images.
    let offered = manifests.compactMap(\.platform).filter { $0.os != "unknown" }.map(\.description)
    var unique: [String] = []
    for name in offered where !unique.contains(name) { unique.append(name) }
    let list = unique.isEmpty ? "no platforms listed" : "it has " + unique.joined(separator: ", ")
    return RuntimeError(.unsupported, "no \(os)/\(architecture) image in \(image); \(list)")
  }
}

extension ImageManifest {
  static let configTypes: Set<String> = [MediaType.ociConfig, MediaType.dockerConfig]
  static let layerTypes: Set<String> = [
    MediaType.ociLayer, MediaType.ociLayerGzip, MediaType.ociLayerZstd, MediaType.dockerLayerGzip,
    "application/vnd.docker.image.rootfs.diff.tar",
  ]

  /// Refuses what the runtime cannot run: artifacts (Helm charts, signatures), foreign
  /// (Windows) and encrypted layers. Both archive import and pull call it.
  func checkRunnable(image: String) throws {
    guard Self.configTypes.contains(config.mediaType) else {
      throw RuntimeError(
        .unsupported,
        "\"\(image)\" is not a container image (its config has media type \(config.mediaType))")
    }
    for layer in layers where !Self.layerTypes.contains(layer.mediaType) {
      var reason = "a layer of unsupported media type \(layer.mediaType)"
      if layer.mediaType.contains("foreign") || layer.mediaType.contains("nondistributable") {
        reason = "foreign layers (a Windows image?), which skiff cannot run"
      } else if layer.mediaType.hasSuffix("+encrypted") {
        reason = "encrypted layers, which skiff cannot decrypt"
      }
      throw RuntimeError(.unsupported, "image \"\(image)\" has \(reason)")
    }
  }
}
