/// RFC 6902 JSON Patch applied as Kubernetes applies it (evanphx/json-patch v4 semantics and
/// messages): `-` appends, negative indexes count from the end, `replace` may create an object
/// key, and `test` compares numbers by value.
public enum JSONPatch {
  private static let missing = "missing value"
  private static let invalidIndex = "invalid index referenced"

  /// Applies a patch document (a JSON array of operations) to `document` (an object or array).
  public static func apply(_ patch: JSONValue, to document: JSONValue) throws(KubeAPIError) -> JSONValue {
    guard case .array(let operations) = patch else {
      throw fail("json: cannot unmarshal \(patch.typeName) into Go value of type jsonpatch.Patch")
    }
    guard document.objectValue != nil || document.arrayValue != nil else {
      throw fail("json: cannot unmarshal \(document.typeName) into Go value of type jsonpatch.partialDoc")
    }
    var doc = document
    for operation in operations {
      guard case .object(let op) = operation else {
        throw fail("json: cannot unmarshal \(operation.typeName) into Go value of type jsonpatch.Operation")
      }
      try apply(op, to: &doc)
    }
    return doc
  }

  /// Parses and applies patch bytes (the body of an `application/json-patch+json` request).
  public static func apply(patchBytes: [UInt8], to document: JSONValue) throws(KubeAPIError) -> JSONValue {
    try apply(try JSONValue.parse(patchBytes), to: document)
  }

  private static func apply(_ op: [String: JSONValue], to doc: inout JSONValue) throws(KubeAPIError) {
    let kind = op["op"]?.stringValue ?? "unknown"
    let value = op["value"] ?? .null
    switch kind {
    case "add":
      guard let path = op["path"]?.stringValue else { throw fail("add operation failed to decode path: \(missing)") }
      try at(path, in: &doc, missingMessage: "add operation does not apply: doc is missing path: \"\(path)\"") {
        (parent, key) throws(KubeAPIError) in
        try add(value, to: &parent, key: key, context: "error in add for path: '\(path)'")
      }
    case "remove":
      guard let path = op["path"]?.stringValue else {
        throw fail("remove operation failed to decode path: \(missing)")
      }
      try at(path, in: &doc, missingMessage: "remove operation does not apply: doc is missing path: \"\(path)\"") {
        (parent, key) throws(KubeAPIError) in
        _ = try remove(from: &parent, key: key, context: "error in remove for path: '\(path)'")
      }
    case "replace":
      guard let path = op["path"]?.stringValue else {
        throw fail("replace operation failed to decode path: \(missing)")
      }
      try at(path, in: &doc, missingMessage: "replace operation does not apply: doc is missing path: \(path)") {
        (parent, key) throws(KubeAPIError) in
        if case .array(var items) = parent {
          guard let index = Int(key), items.indices.contains(index) else {
            throw fail("replace operation does not apply: doc is missing key: \(path): \(missing)")
          }
          parent = .null
          items[index] = value
          parent = .array(items)
        } else {
          parent.withObjectMembers { $0[key] = value }
        }
      }
    case "move", "copy":
      guard let from = op["from"]?.stringValue else {
        throw fail("\(kind) operation failed to decode from: operation, missing from field: \(missing)")
      }
      var moved: JSONValue = .null
      try at(from, in: &doc, missingMessage: "\(kind) operation does not apply: doc is missing from path: \(from)") {
        (parent, key) throws(KubeAPIError) in
        if kind == "move" {
          moved = try remove(from: &parent, key: key, context: "error in move for path: '\(key)'")
        } else {
          guard let found = try get(parent, key: key, context: "error in copy for from: '\(from)'") else {
            throw fail("error in copy for from: '\(from)': Unable to get nonexistent key: \(key): \(missing)")
          }
          moved = found
        }
      }
      guard let path = op["path"]?.stringValue else {
        throw fail("\(kind) operation failed to decode path: \(missing)")
      }
      try at(
        path, in: &doc, missingMessage: "\(kind) operation does not apply: doc is missing destination path: \(path)"
      ) {
        (parent, key) throws(KubeAPIError) in
        let context = kind == "move" ? "error in move for path: '\(path)'" : "error while adding value during copy"
        try add(moved, to: &parent, key: key, context: context)
      }
    case "test":
      guard let path = op["path"]?.stringValue else {
        throw fail("test operation failed to decode path: \(missing)")
      }
      try at(path, in: &doc, missingMessage: "test operation does not apply: is missing path: \(path)") {
        (parent, key) throws(KubeAPIError) in
        let current = try get(parent, key: key, context: "error in test for path: '\(path)'")
        guard let current, current.semanticallyEquals(value) else {
          throw fail("testing value \(path) failed: test failed")
        }
      }
    default:
      throw fail("Unexpected kind: \(kind)")
    }
  }

  // MARK: - Pointer navigation

  /// Decodes one reference token: `~1` is `/`, `~0` is `~` (single left-to-right pass).
  static func decodeToken(_ token: Substring) -> String {
    guard token.contains("~") else { return String(token) }
    var out = ""
    var iterator = token.makeIterator()
    while let ch = iterator.next() {
      if ch == "~" {
        switch iterator.next() {
        case "1": out.append("/")
        case "0": out.append("~")
        case let other?: out.append("~"); out.append(other)
        case nil: out.append("~")
        }
      } else {
        out.append(ch)
      }
    }
    return out
  }

  /// Runs `body` on the container that holds the last token of `path`, in place.
  private static func at(
    _ path: String, in doc: inout JSONValue, missingMessage: String,
    _ body: (inout JSONValue, String) throws(KubeAPIError) -> Void
  ) throws(KubeAPIError) {
    let split = path.split(separator: "/", omittingEmptySubsequences: false)
    guard split.count >= 2 else { throw fail("\(missingMessage): \(missing)") }
    let parents = split[1..<(split.count - 1)].map(decodeToken)
    let key = decodeToken(split[split.count - 1])
    let found = try descend(&doc, parents[...]) { (parent) throws(KubeAPIError) in try body(&parent, key) }
    if !found { throw fail("\(missingMessage): \(missing)") }
  }

  /// Walks `parents` down from `value` without copying containers; false if a step is missing.
  private static func descend(
    _ value: inout JSONValue, _ parents: ArraySlice<String>, _ body: (inout JSONValue) throws(KubeAPIError) -> Void
  ) throws(KubeAPIError) -> Bool {
    guard let first = parents.first else {
      guard value.objectValue != nil || value.arrayValue != nil else { return false }
      try body(&value)
      return true
    }
    switch value {
    case .object(var members):
      guard var child = members[first], child.objectValue != nil || child.arrayValue != nil else { return false }
      value = .null
      members[first] = .null
      defer {
        members[first] = child
        value = .object(members)
      }
      return try descend(&child, parents.dropFirst(), body)
    case .array(var items):
      guard let index = Int(first), items.indices.contains(index) else { return false }
      var child = items[index]
      guard child.objectValue != nil || child.arrayValue != nil else { return false }
      value = .null
      items[index] = .null
      defer {
        items[index] = child
        value = .array(items)
      }
      return try descend(&child, parents.dropFirst(), body)
    default:
      return false
    }
  }

  private static func arrayIndex(_ key: String, context: String) throws(KubeAPIError) -> Int {
    guard let index = Int(key) else {
      throw fail("\(context): strconv.Atoi: parsing \(goQuote(key)): invalid syntax")
    }
    return index
  }

  private static func add(_ value: JSONValue, to parent: inout JSONValue, key: String, context: String)
    throws(KubeAPIError)
  {
    guard case .array(var items) = parent else {
      parent.withObjectMembers { $0[key] = value }
      return
    }
    if key == "-" {
      parent = .null
      items.append(value)
      parent = .array(items)
      return
    }
    guard var index = Int(key) else {
      throw fail(
        "\(context): value was not a proper array index: '\(key)': strconv.Atoi: parsing \(goQuote(key)): invalid syntax"
      )
    }
    let size = items.count + 1
    guard index < size && index >= -size else {
      throw fail("\(context): Unable to access invalid index: \(index): \(invalidIndex)")
    }
    if index < 0 { index += size }
    parent = .null
    items.insert(value, at: index)
    parent = .array(items)
  }

  private static func get(_ parent: JSONValue, key: String, context: String) throws(KubeAPIError) -> JSONValue? {
    guard case .array(let items) = parent else { return parent[key] }
    let index = try arrayIndex(key, context: context)
    guard items.indices.contains(index) else {
      throw fail("\(context): Unable to access invalid index: \(index): \(invalidIndex)")
    }
    return items[index]
  }

  private static func remove(from parent: inout JSONValue, key: String, context: String) throws(KubeAPIError)
    -> JSONValue
  {
    switch parent {
    case .array(var items):
      var index = try arrayIndex(key, context: context)
      guard index < items.count && index >= -items.count else {
        throw fail("\(context): Unable to access invalid index: \(index): \(invalidIndex)")
      }
      if index < 0 { index += items.count }
      parent = .null
      let removed = items.remove(at: index)
      parent = .array(items)
      return removed
    default:
      var removed: JSONValue?
      parent.withObjectMembers { removed = $0.removeValue(forKey: key) }
      guard let removed else { throw fail("\(context): Unable to remove nonexistent key: \(key): \(missing)") }
      return removed
    }
  }

  private static func fail(_ message: String) -> KubeAPIError { KubeAPIError(.patch, message) }
}

extension JSONValue {
  /// Equality where numbers compare by value (`1` equals `1.0`), as decoded Go values do.
  public func semanticallyEquals(_ other: JSONValue) -> Bool {
    switch (self, other) {
    case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
    case (.array(let a), .array(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.semanticallyEquals($1) }
    case (.object(let a), .object(let b)):
      return a.count == b.count && a.allSatisfy { key, value in b[key].map { value.semanticallyEquals($0) } ?? false }
    default: return self == other
    }
  }
}
