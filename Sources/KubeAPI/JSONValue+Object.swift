/// Object-level accessors: type identity and metadata of an API object held as JSON.
extension JSONValue {
  /// Runs `body` on the members of an object in place (no copy of the dictionary), turning
  /// any non-object value into an empty object first.
  public mutating func withObjectMembers<R>(_ body: (inout [String: JSONValue]) throws -> R) rethrows -> R {
    var members: [String: JSONValue]
    if case .object(let existing) = self { members = existing } else { members = [:] }
    self = .null  // drop this reference so `members` is uniquely owned while mutated
    defer { self = .object(members) }
    return try body(&members)
  }

  public var apiVersion: String? {
    get { self["apiVersion"]?.stringValue }
    set { withObjectMembers { $0["apiVersion"] = newValue.map { .string($0) } } }
  }

  public var kind: String? {
    get { self["kind"]?.stringValue }
    set { withObjectMembers { $0["kind"] = newValue.map { .string($0) } } }
  }

  /// The `metadata` object as an `ObjectMeta` view; writing it back stores the view's `raw`.
  public var metadata: ObjectMeta {
    get { ObjectMeta(self["metadata"]?.objectValue ?? [:]) }
    _modify {
      var meta = ObjectMeta()
      withObjectMembers { members in
        if case .object(let existing)? = members.removeValue(forKey: "metadata") { meta.raw = existing }
      }
      defer { withObjectMembers { $0["metadata"] = .object(meta.raw) } }
      yield &meta
    }
    set { withObjectMembers { $0["metadata"] = .object(newValue.raw) } }
  }

  /// Group, version and kind from `apiVersion` and `kind`; nil when either is missing or malformed.
  public var groupVersionKind: GroupVersionKind? {
    guard let apiVersion, let kind else { return nil }
    return try? GroupVersionKind(apiVersion: apiVersion, kind: kind)
  }

  /// The value at a dotted path of object keys (`spec.template.metadata`); nil if any step is missing.
  public func value(atPath path: String) -> JSONValue? {
    self[path: path.split(separator: ".").map(String.init)]
  }

  /// Sets (or with nil removes) the value at a path of object keys, creating objects on the way.
  public mutating func setValue(_ value: JSONValue?, atPath path: [String]) {
    guard let first = path.first else {
      if let value { self = value }
      return
    }
    if value == nil && objectValue == nil { return }
    withObjectMembers { members in
      if path.count == 1 {
        members[first] = value
        return
      }
      let rest = Array(path.dropFirst())
      let existing = members.removeValue(forKey: first)
      if value == nil {
        guard var child = existing else { return }
        if child.objectValue != nil { child.setValue(nil, atPath: rest) }
        members[first] = child
      } else {
        var child = existing.flatMap { $0.objectValue != nil ? $0 : nil } ?? .object([:])
        child.setValue(value, atPath: rest)
        members[first] = child
      }
    }
  }
}
