/// What one tar entry of an image layer does to a snapshot directory, decided without I/O.
/// Whiteouts become overlayfs's own markers (a 0/0 character device for a removed name,
/// the `trusted.overlay.opaque` attribute for an opaque directory), so each layer can be
/// unpacked on its own and stacked as an overlay lower directory.
enum LayerOperation: Equatable, Sendable {
  case directory(path: String)
  case file(path: String)
  case symlink(path: String, target: String)
  case hardLink(path: String, target: String)
  case fifo(path: String)
  /// A name removed from the layers below.
  case whiteout(path: String)
  /// A directory whose lower-layer contents are hidden.
  case opaque(directory: String)
  /// Skipped, with the reason (device nodes, unknown types).
  case refused(path: String, reason: String)

  static let whiteoutPrefix = ".wh."
  static let opaqueMarker = ".wh..wh..opq"

  /// Classifies an entry; throws for paths that would leave the layer.
  static func plan(_ entry: TarEntry) throws -> LayerOperation? {
    guard let path = try clean(entry.path) else { return nil }
    let name = path.split(separator: "/").last.map(String.init) ?? path
    let parent = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : ""
    if name == opaqueMarker { return .opaque(directory: parent) }
    if name.hasPrefix(whiteoutPrefix) {
      let hidden = String(name.dropFirst(whiteoutPrefix.count))
      guard !hidden.isEmpty, hidden != ".", hidden != ".." else {
        throw RuntimeError(.invalidImage, "invalid whiteout entry \(entry.path)")
      }
      return .whiteout(path: parent.isEmpty ? hidden : parent + "/" + hidden)
    }
    switch entry.kind {
    case .directory: return .directory(path: path)
    case .file, .other(0): return .file(path: path)
    case .symlink: return .symlink(path: path, target: entry.linkTarget)
    case .hardLink:
      guard let target = try clean(entry.linkTarget) else {
        throw RuntimeError(.invalidImage, "hard link \(entry.path) has no target")
      }
      return .hardLink(path: path, target: target)
    case .fifo: return .fifo(path: path)
    case .characterDevice, .blockDevice:
      return .refused(path: path, reason: "device nodes are not allowed in image layers")
    case .other(let type):
      return .refused(path: path, reason: "unsupported tar entry type \(UnicodeScalar(type))")
    }
  }

  /// Normalises a member path to a relative one; nil for the root itself.
  static func clean(_ raw: String) throws -> String? {
    var parts: [Substring] = []
    for part in raw.split(separator: "/") {
      switch part {
      case ".": continue
      case "..":
        guard !parts.isEmpty else { throw RuntimeError(.invalidImage, "layer entry \(raw) points outside the layer") }
        parts.removeLast()
      default: parts.append(part)
      }
    }
    return parts.isEmpty ? nil : parts.joined(separator: "/")
  }
}
