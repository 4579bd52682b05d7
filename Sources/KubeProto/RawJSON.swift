import KubeAPI

/// Reads and writes the JSON carried inside protobuf bytes (RawExtension, FieldsV1). These
/// payloads are small, so a compact recursive parser is enough; KubeAPI's own codec can take
/// over once it exists.
enum RawJSON {
  static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> JSONValue {
    var parser = Parser(bytes: bytes, position: 0)
    parser.skipSpace()
    let value = try parser.value(depth: 0)
    parser.skipSpace()
    guard parser.position == bytes.count else { throw parser.error("trailing bytes") }
    return value
  }

  static func serialize(_ value: JSONValue) -> [UInt8] {
    var out: [UInt8] = []
    write(value, to: &out)
    return out
  }

  static func write(_ value: JSONValue, to out: inout [UInt8]) {
    switch value {
    case .null: out += Array("null".utf8)
    case .bool(let flag): out += Array((flag ? "true" : "false").utf8)
    case .int(let number): out += Array(String(number).utf8)
    case .double(let number):
      let text =
        number.isFinite && number == number.rounded() && abs(number) < 1e15
        ? String(Int64(number)) : number.isFinite ? "\(number)" : "null"
      out += Array(text.utf8)
    case .string(let text): writeString(text, to: &out)
    case .array(let items):
      out.append(UInt8(ascii: "["))
      for (index, item) in items.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        write(item, to: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      for (index, key) in members.keys.sorted().enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        writeString(key, to: &out)
        out.append(UInt8(ascii: ":"))
        write(members[key]!, to: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  private static func writeString(_ text: String, to out: inout [UInt8]) {
    let hex = Array("0123456789abcdef".utf8)
    out.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
      case 0x0a: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
      case 0x0d: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
      case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
      case 0..<0x20: out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
      default: out.append(byte)
      }
    }
    out.append(UInt8(ascii: "\""))
  }

  private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int

    func error(_ reason: String) -> KubeProtoError {
      .malformed("embedded JSON: \(reason) at byte \(position)")
    }

    mutating func skipSpace() {
      while position < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[position]) { position += 1 }
    }

    mutating func expect(_ literal: String, _ value: JSONValue) throws -> JSONValue {
      for byte in literal.utf8 {
        guard position < bytes.count, bytes[position] == byte else { throw error("bad literal") }
        position += 1
      }
      return value
    }

    mutating func value(depth: Int) throws -> JSONValue {
      guard depth < 512 else { throw error("nested too deeply") }
      guard position < bytes.count else { throw error("unexpected end") }
      switch bytes[position] {
      case UInt8(ascii: "{"):
        position += 1
        var members: [String: JSONValue] = [:]
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
          position += 1
          return .object(members)
        }
        while true {
          skipSpace()
          guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a key") }
          let key = try string()
          skipSpace()
          guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
          position += 1
          skipSpace()
          members[key] = try value(depth: depth + 1)
          skipSpace()
          guard position < bytes.count else { throw error("unterminated object") }
          position += 1
          if bytes[position - 1] == UInt8(ascii: "}") { return .object(members) }
          guard bytes[position - 1] == UInt8(ascii: ",") else { throw error("expected ',' or '}'") }
        }
      case UInt8(ascii: "["):
        position += 1
        var items: [JSONValue] = []
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
          position += 1
          return .array(items)
        }
        while true {
          skipSpace()
          items.append(try value(depth: depth + 1))
          skipSpace()
          guard position < bytes.count else { throw error("unterminated array") }
          position += 1
          if bytes[position - 1] == UInt8(ascii: "]") { return .array(items) }
          guard bytes[position - 1] == UInt8(ascii: ",") else { throw error("expected ',' or ']'") }
        }
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"): return try expect("true", .bool(true))
      case UInt8(ascii: "f"): return try expect("false", .bool(false))
      case UInt8(ascii: "n"): return try expect("null", .null)
      default: return try number()
      }
    }

    mutating func number() throws -> JSONValue {
      let start = position
      var isInteger = true
      while position < bytes.count {
        let byte = bytes[position]
        if byte >= 48 && byte <= 57 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
          position += 1
        } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
          isInteger = false
          position += 1
        } else {
          break
        }
      }
      let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
      if isInteger, let integer = Int64(text) { return .int(integer) }
      guard !text.isEmpty, let double = Double(text) else { throw error("bad number") }
      return .double(double)
    }

    mutating func string() throws -> String {
      position += 1
      var out: [UInt8] = []
      while position < bytes.count {
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
        case UInt8(ascii: "\\"):
          guard position < bytes.count else { throw error("unterminated escape") }
          let escape = bytes[position]
          position += 1
          switch escape {
          case UInt8(ascii: "n"): out.append(0x0a)
          case UInt8(ascii: "t"): out.append(0x09)
          case UInt8(ascii: "r"): out.append(0x0d)
          case UInt8(ascii: "b"): out.append(0x08)
          case UInt8(ascii: "f"): out.append(0x0c)
          case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar), position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
              bytes[position + 1] == UInt8(ascii: "u")
            {
              position += 2
              let low = try hex4()
              scalar = (0xDC00..<0xE000).contains(low) ? 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00) : 0xFFFD
            }
            out += Array(String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8)
          default: out.append(escape)
          }
        default: out.append(byte)
        }
      }
      throw error("unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
      guard position + 4 <= bytes.count else { throw error("short \\u escape") }
      var value: UInt32 = 0
      for _ in 0..<4 {
        let byte = bytes[position]
        position += 1
        let digit: UInt32
        switch byte {
        case 48...57: digit = UInt32(byte - 48)
        case 97...102: digit = UInt32(byte - 87)
        case 65...70: digit = UInt32(byte - 55)
        default: throw error("bad \\u escape")
        }
        value = value << 4 | digit
      }
      return value
    }
  }
}
