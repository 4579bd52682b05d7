/// An image reference normalised as Docker and containerd do: `busybox` is
/// `docker.io/library/busybox:latest`; `name@sha256:…` pins a digest.
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
  public var registry: String
  public var repository: String
  public var tag: String?
  public var digest: Digest?

  public init(parsing text: String) throws {
    var rest = Substring(text)
    guard !rest.isEmpty, !rest.contains(where: { $0.isWhitespace }) else {
      throw RuntimeError(.invalidArgument, "invalid image reference \"\(text)\"")
    }
    if let at = rest.firstIndex(of: "@") {
      digest = try Digest(parsing: String(rest[rest.index(after: at)...]))
      rest = rest[..<at]
    }
    let lastSlash = rest.lastIndex(of: "/")
    if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
      tag = String(rest[rest.index(after: colon)...])
      rest = rest[..<colon]
    }
    var parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    if parts.count > 1, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" {
      registry = parts.removeFirst()
    } else {
      registry = "docker.io"
    }
    if registry == "index.docker.io" { registry = "docker.io" }
    if registry == "docker.io" && parts.count == 1 { parts.insert("library", at: 0) }
    repository = parts.joined(separator: "/")
    let valid = parts.allSatisfy { part in
      !part.isEmpty && part.allSatisfy { $0.isLowercase || $0.isNumber || "._-".contains($0) }
    }
    // Tags as Docker allows them: a word character, then up to 127 of word characters, `.` and `-`.
    let validTag = tag.map { tag in
      tag.count <= 128 && tag.first.map { $0.isLetter || $0.isNumber || $0 == "_" } == true
        && tag.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }
    guard valid, validTag ?? true, !registry.isEmpty else {
      throw RuntimeError(.invalidArgument, "invalid image reference \"\(text)\"")
    }
    if tag == nil && digest == nil { tag = "latest" }
  }

  /// `registry/repository:tag` or `registry/repository@digest`, the key under which images are stored.
  public var description: String {
    var text = "\(registry)/\(repository)"
    if let tag { text += ":\(tag)" }
    if let digest { text += "@\(digest)" }
    return text
  }

  /// What a registry is asked for: the digest when pinned, else the tag.
  var manifestReference: String { digest?.description ?? tag ?? "latest" }
}
