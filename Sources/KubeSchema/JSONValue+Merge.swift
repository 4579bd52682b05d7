import KubeAPI

/// Helpers the patch and apply code share: kinds as Go's decoder sees them, and equality that
/// treats `1` and `1.0` alike (both are float64 on the Go side, where the semantics come from).
extension JSONValue {
  enum Shape { case null, bool, number, string, array, object }

  var shape: Shape {
    switch self {
    case .null: .null
    case .bool: .bool
    case .int, .double: .number
    case .string: .string
    case .array: .array
    case .object: .object
    }
  }

  func looselyEquals(_ other: JSONValue) -> Bool {
    switch (self, other) {
    case (.int(let a), .double(let b)): return Double(a) == b
    case (.double(let a), .int(let b)): return a == Double(b)
    case (.array(let a), .array(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.looselyEquals($1) }
    case (.object(let a), .object(let b)):
      return a.count == b.count && a.allSatisfy { key, value in b[key].map { value.looselyEquals($0) } ?? false }
    default: return self == other
    }
  }

  /// Compact text for error messages, close to how Go prints the decoded value.
  var debugText: String {
    switch self {
    case .null: return "<nil>"
    case .bool(let value): return String(value)
    case .int(let value): return String(value)
    case .double(let value): return String(value)
    case .string(let value): return value
    case .array(let items): return "[" + items.map(\.debugText).joined(separator: " ") + "]"
    case .object(let members):
      return "map[" + members.keys.sorted().map { "\($0):\(members[$0]!.debugText)" }.joined(separator: " ") + "]"
    }
  }
}
