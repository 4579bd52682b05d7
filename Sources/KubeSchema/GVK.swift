import KubeAPI

/// A group, version and kind, the key under which the registry finds the type of an object.
///
/// Named `GVK` rather than `GroupVersionKind` so it never collides with a type KubeAPI may add.
public struct GVK: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var group: String
  public var version: String
  public var kind: String

  public init(group: String, version: String, kind: String) {
    self.group = group
    self.version = version
    self.kind = kind
  }

  /// `apiVersion` as objects carry it: `v1` for the core group, `apps/v1` otherwise.
  public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

  /// Reads `apiVersion` and `kind` from an object; nil when either is missing.
  public init?(object: JSONValue) {
    guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue else {
      return nil
    }
    self.init(apiVersion: apiVersion, kind: kind)
  }

  public init(apiVersion: String, kind: String) {
    if let slash = apiVersion.firstIndex(of: "/") {
      group = String(apiVersion[..<slash])
      version = String(apiVersion[apiVersion.index(after: slash)...])
    } else {
      group = ""
      version = apiVersion
    }
    self.kind = kind
  }

  public var description: String { "\(apiVersion), Kind=\(kind)" }

  public static func < (lhs: GVK, rhs: GVK) -> Bool {
    (lhs.group, lhs.version, lhs.kind) < (rhs.group, rhs.version, rhs.kind)
  }
}
