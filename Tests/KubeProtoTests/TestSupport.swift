import Foundation
import KubeAPI

/// Helpers shared by the KubeProto tests: fixtures on disk and JSON through Foundation, so the
/// expected values never pass through the code under test.
enum TestSupport {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
  static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  static func fixtureBytes(_ name: String) throws -> [UInt8] {
    let text = try String(contentsOf: fixtures.appendingPathComponent(name + ".b64"), encoding: .utf8)
    guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
      throw TestFailure("fixture \(name).b64 is not base64")
    }
    return [UInt8](data)
  }

  static func fixtureJSON(_ file: String) throws -> JSONValue {
    try parse(Data(contentsOf: fixtures.appendingPathComponent(file)))
  }

  static func parse(_ data: Data) throws -> JSONValue {
    convert(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
  }

  static func parse(_ text: String) throws -> JSONValue {
    try parse(Data(text.utf8))
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

  /// Drops members whose value is null: Go prints `null` for zero timestamps and nil slices
  /// in non-omitempty fields, which KubeProto leaves out.
  static func withoutNulls(_ value: JSONValue) -> JSONValue {
    switch value {
    case .object(let members): .object(members.filter { !$0.value.isNull }.mapValues(withoutNulls))
    case .array(let items): .array(items.map(withoutNulls))
    default: value
    }
  }

  /// A readable first difference between two JSON values, nil when equal.
  static func difference(_ actual: JSONValue, _ expected: JSONValue, path: String = "$") -> String? {
    switch (actual, expected) {
    case (.object(let a), .object(let e)):
      for key in Set(a.keys).union(e.keys).sorted() {
        guard let left = a[key] else { return "\(path).\(key): missing, expected \(e[key]!)" }
        guard let right = e[key] else { return "\(path).\(key): unexpected \(left)" }
        if let found = difference(left, right, path: path + "." + key) { return found }
      }
      return nil
    case (.array(let a), .array(let e)):
      guard a.count == e.count else { return "\(path): \(a.count) items, expected \(e.count)" }
      for (index, pair) in zip(a, e).enumerated() {
        if let found = difference(pair.0, pair.1, path: "\(path)[\(index)]") { return found }
      }
      return nil
    default:
      return actual == expected ? nil : "\(path): \(actual), expected \(expected)"
    }
  }
}

struct TestFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
