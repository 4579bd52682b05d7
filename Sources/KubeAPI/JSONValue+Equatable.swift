extension JSONValue {
  /// Structural equality, computed with an explicit work list so that comparing documents nested
  /// thousands deep cannot overflow a small (task or event-loop) thread stack.
  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    var work: [(JSONValue, JSONValue)] = []
    var a = lhs
    var b = rhs
    while true {
      switch (a, b) {
      case (.null, .null): break
      case (.bool(let x), .bool(let y)): if x != y { return false }
      case (.int(let x), .int(let y)): if x != y { return false }
      case (.double(let x), .double(let y)): if x != y { return false }
      case (.string(let x), .string(let y)): if x != y { return false }
      case (.array(let x), .array(let y)):
        guard x.count == y.count else { return false }
        for i in x.indices { work.append((x[i], y[i])) }
      case (.object(let x), .object(let y)):
        guard x.count == y.count else { return false }
        for (key, value) in x {
          guard let other = y[key] else { return false }
          work.append((value, other))
        }
      default:
        return false
      }
      guard let next = work.popLast() else { return true }
      (a, b) = next
    }
  }
}
