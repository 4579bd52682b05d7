import KubeAPI
import Yams

/// YAML request bodies (apply patches, curl users) read into the same JSON values.
enum YAMLBody {
  static func decode(_ bytes: [UInt8]) throws -> JSONValue {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let node = try Yams.compose(yaml: text) else { return .null }
    return convert(node)
  }

  private static func convert(_ node: Node) -> JSONValue {
    switch node {
    case .scalar(let scalar):
      if scalar.style == .plain {
        switch scalar.string {
        case "null", "~", "": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default:
          if let int = Int64(scalar.string) { return .int(int) }
          if let double = Double(scalar.string), scalar.string.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }),
            !scalar.string.hasPrefix(".")
          {
            return .double(double)
          }
        }
      }
      return .string(scalar.string)
    case .mapping(let mapping):
      var members: [String: JSONValue] = [:]
      for (key, value) in mapping { members[key.string ?? ""] = convert(value) }
      return .object(members)
    case .sequence(let sequence):
      return .array(sequence.map(convert))
    }
  }
}
