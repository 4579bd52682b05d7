import KubeAPI

/// A small JSON reader for the key and value elements of FieldsV1 (`k:{"name":"app"}`); the module has no
/// other need to parse JSON text.
struct MiniJSON {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  private let bytes: [UInt8]
  private var at = 0

  static func parse(_ text: String) throws -> JSONValue {
    var reader = MiniJSON(bytes: Array(text.utf8))
    let value = try reader.value()
    reader.skipSpace()
    guard reader.at == reader.bytes.count else { throw Failure(description: "trailing text at \(reader.at)") }
    return value
  }

  private init(bytes: [UInt8]) { self.bytes = bytes }

  private mutating func skipSpace() {
    while at < bytes.count, [9, 10, 13, 32].contains(bytes[at]) { at += 1 }
  }

  private mutating func expect(_ literal: String) throws {
    for byte in literal.utf8 {
      guard at < bytes.count, bytes[at] == byte else { throw Failure(description: "expected \(literal) at \(at)") }
      at += 1
    }
  }

  private mutating func value() throws -> JSONValue {
    skipSpace()
    guard at < bytes.count else { throw Failure(description: "unexpected end") }
    switch bytes[at] {
    case UInt8(ascii: "{"):
      at += 1
      var members: [String: JSONValue] = [:]
      skipSpace()
      if bytes[at] == UInt8(ascii: "}") {
        at += 1
        return .object(members)
      }
      while true {
        skipSpace()
        let key = try string()
        skipSpace()
        try expect(":")
        members[key] = try value()
        skipSpace()
        if bytes[at] == UInt8(ascii: ",") {
          at += 1
        } else {
          try expect("}")
          return .object(members)
        }
      }
    case UInt8(ascii: "["):
      at += 1
      var items: [JSONValue] = []
      skipSpace()
      if bytes[at] == UInt8(ascii: "]") {
        at += 1
        return .array(items)
      }
      while true {
        items.append(try value())
        skipSpace()
        if bytes[at] == UInt8(ascii: ",") {
          at += 1
        } else {
          try expect("]")
          return .array(items)
        }
      }
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"):
      try expect("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expect("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expect("null")
      return .null
    default: return try number()
    }
  }

  private mutating func string() throws -> String {
    try expect("\"")
    var out: [UInt8] = []
    while at < bytes.count, bytes[at] != UInt8(ascii: "\"") {
      if bytes[at] == UInt8(ascii: "\\") {
        at += 1
        switch bytes[at] {
        case UInt8(ascii: "n"): out.append(10)
        case UInt8(ascii: "t"): out.append(9)
        default: out.append(bytes[at])
        }
      } else {
        out.append(bytes[at])
      }
      at += 1
    }
    try expect("\"")
    return String(decoding: out, as: UTF8.self)
  }

  private mutating func number() throws -> JSONValue {
    let start = at
    while at < bytes.count, "+-0123456789.eE".utf8.contains(bytes[at]) { at += 1 }
    let text = String(decoding: bytes[start..<at], as: UTF8.self)
    if let int = Int64(text) { return .int(int) }
    if let double = Double(text) { return .double(double) }
    throw Failure(description: "bad number \(text)")
  }
}
