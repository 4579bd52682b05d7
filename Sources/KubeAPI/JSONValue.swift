/// A JSON document as the API server handles it: every object is kept whole, including
/// fields no schema models, so nothing a client sends is silently dropped.
///
/// Integers and floating-point numbers are distinct cases because Kubernetes
/// distinguishes them (an `int64` field must not come back as `1.0`).
public enum JSONValue: Sendable, Hashable {
  case null
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])
}

extension JSONValue {
  /// The member `key` of an object, `nil` for other values or a missing key. Setting a member
  /// of a non-object replaces it with a one-member object; setting nil there changes nothing.
  /// Mutation is in place (`pod["metadata"]?["name"] = "x"` copies no dictionary).
  public subscript(key: String) -> JSONValue? {
    get {
      guard case .object(let members) = self else { return nil }
      return members[key]
    }
    _modify {
      if case .object(var members) = self {
        self = .null  // drop this reference so `members` is uniquely owned
        var child = members.removeValue(forKey: key)
        defer {
          members[key] = child
          self = .object(members)
        }
        yield &child
      } else {
        let original = self
        var child: JSONValue? = nil
        defer { self = child.map { .object([key: $0]) } ?? original }
        yield &child
      }
    }
  }

  public var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  public var intValue: Int64? {
    switch self {
    case .int(let value): return value
    case .double(let value) where value == value.rounded() && abs(value) < 9.2e18: return Int64(value)
    default: return nil
    }
  }

  public var boolValue: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  public var arrayValue: [JSONValue]? {
    if case .array(let value) = self { return value }
    return nil
  }

  public var objectValue: [String: JSONValue]? {
    if case .object(let value) = self { return value }
    return nil
  }

  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// The value at a path of object keys, e.g. `["metadata", "name"]`.
  public subscript(path path: [String]) -> JSONValue? {
    var current: JSONValue? = self
    for key in path { current = current?[key] }
    return current
  }
}
