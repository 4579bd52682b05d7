import Foundation
import KubeAPI

// Bridges JSONValue to bytes through Foundation until KubeAPI's own parser lands.
extension JSONValue {
  static func decode(_ bytes: [UInt8]) throws -> JSONValue {
    let object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    return convert(object)
  }

  private static func convert(_ any: Any) -> JSONValue {
    switch any {
    case is NSNull: return .null
    case let number as NSNumber:
      let type = String(cString: number.objCType)
      if type == "c" || type == "B" { return .bool(number.boolValue) }
      if type == "d" || type == "f" { return .double(number.doubleValue) }
      return .int(number.int64Value)
    case let string as String: return .string(string)
    case let array as [Any]: return .array(array.map(convert))
    case let object as [String: Any]: return .object(object.mapValues(convert))
    default: return .null
    }
  }

  func encoded() -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    write(to: &out)
    return out
  }

  func write(to out: inout [UInt8]) {
    switch self {
    case .null: out += Array("null".utf8)
    case .bool(let value): out += Array((value ? "true" : "false").utf8)
    case .int(let value): out += Array(String(value).utf8)
    case .double(let value):
      out += Array((value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)").utf8)
    case .string(let value): JSONValue.writeString(value, to: &out)
    case .array(let values):
      out.append(UInt8(ascii: "["))
      for (index, value) in values.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        value.write(to: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      for (index, key) in members.keys.sorted().enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        JSONValue.writeString(key, to: &out)
        out.append(UInt8(ascii: ":"))
        members[key]!.write(to: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  static func writeString(_ value: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for byte in value.utf8 {
      switch byte {
      case UInt8(ascii: "\""): out += [92, 34]
      case UInt8(ascii: "\\"): out += [92, 92]
      case 10: out += [92, UInt8(ascii: "n")]
      case 13: out += [92, UInt8(ascii: "r")]
      case 9: out += [92, UInt8(ascii: "t")]
      case 0..<32: out += Array(String(format: "\\u%04x", byte).utf8)
      default: out.append(byte)
      }
    }
    out.append(UInt8(ascii: "\""))
  }
}
