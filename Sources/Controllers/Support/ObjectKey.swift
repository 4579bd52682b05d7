/// A cache key `namespace/name` (or `name` for cluster-scoped objects), split back.
public struct ObjectKey: Hashable, Sendable, CustomStringConvertible {
  public var namespace: String?
  public var name: String

  public init(namespace: String?, name: String) {
    self.namespace = namespace
    self.name = name
  }

  public init(_ key: String) {
    if let slash = key.firstIndex(of: "/") {
      namespace = String(key[..<slash])
      name = String(key[key.index(after: slash)...])
    } else {
      namespace = nil
      name = key
    }
  }

  public var description: String { namespace.map { "\($0)/\(name)" } ?? name }
}
