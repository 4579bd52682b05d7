/// Codable conformances so typed structs can hold raw JSON, quantities and times, and so
/// `JSONValue` round-trips through any coder (Foundation's, Yams', or ours).
extension JSONValue: Codable {
  public init(from decoder: any Decoder) throws {
    if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
      var members: [String: JSONValue] = [:]
      for key in keyed.allKeys { members[key.stringValue] = try keyed.decode(JSONValue.self, forKey: key) }
      self = .object(members)
      return
    }
    if var unkeyed = try? decoder.unkeyedContainer() {
      var items: [JSONValue] = []
      while !unkeyed.isAtEnd { items.append(try unkeyed.decode(JSONValue.self)) }
      self = .array(items)
      return
    }
    let single = try decoder.singleValueContainer()
    if single.decodeNil() {
      self = .null
    } else if let b = try? single.decode(Bool.self) {
      self = .bool(b)
    } else if let i = try? single.decode(Int64.self) {
      self = .int(i)
    } else if let d = try? single.decode(Double.self) {
      self = .double(d)
    } else {
      self = .string(try single.decode(String.self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    switch self {
    case .null:
      var c = encoder.singleValueContainer()
      try c.encodeNil()
    case .bool(let b):
      var c = encoder.singleValueContainer()
      try c.encode(b)
    case .int(let i):
      var c = encoder.singleValueContainer()
      try c.encode(i)
    case .double(let d):
      var c = encoder.singleValueContainer()
      try c.encode(d)
    case .string(let s):
      var c = encoder.singleValueContainer()
      try c.encode(s)
    case .array(let items):
      var c = encoder.unkeyedContainer()
      for item in items { try c.encode(item) }
    case .object(let members):
      var c = encoder.container(keyedBy: AnyKey.self)
      for (key, value) in members { try c.encode(value, forKey: AnyKey(stringValue: key)) }
    }
  }
}

extension Quantity: Codable {
  /// Accepts a string (`"100m"`) or a bare number, as upstream's UnmarshalJSON does.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let text = try? c.decode(String.self) {
      self = try Quantity(parsing: text.trimmingSpaces)
    } else if let i = try? c.decode(Int64.self) {
      self = try Quantity(parsing: String(i))
    } else {
      self = try Quantity(parsing: GoFloat.format(try c.decode(Double.self)))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(description)
  }

  /// The quantity as JSON (its canonical string).
  public var json: JSONValue { .string(description) }

  /// From a JSON string or number; nil for other values or unparsable text.
  public init?(json: JSONValue) {
    switch json {
    case .string(let s): guard let q = try? Quantity(parsing: s.trimmingSpaces) else { return nil }; self = q
    case .int(let i): guard let q = try? Quantity(parsing: String(i)) else { return nil }; self = q
    case .double(let d): guard let q = try? Quantity(parsing: GoFloat.format(d)) else { return nil }; self = q
    default: return nil
    }
  }
}

extension KubeTime: Codable {
  public init(from decoder: any Decoder) throws {
    self = try KubeTime(parsing: try decoder.singleValueContainer().decode(String.self))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(rfc3339)
  }
}

extension String {
  var trimmingSpaces: String {
    var s = Substring(self)
    while let f = s.first, f.isWhitespace { s.removeFirst() }
    while let l = s.last, l.isWhitespace { s.removeLast() }
    return String(s)
  }
}
