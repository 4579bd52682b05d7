import KubeAPI

/// One step into an object, as structured-merge-diff names it in managed fields.
public enum PathElement: Sendable, Hashable, Comparable, CustomStringConvertible {
  case field(String)
  /// A list item found by its key fields (an object of the key values).
  case key(JSONValue)
  /// A set member found by its value.
  case value(JSONValue)
  case index(Int)

  /// The FieldsV1 spelling: `f:name`, `k:{"name":"app"}`, `v:"a"`, `i:0`.
  public var fieldsV1Key: String {
    switch self {
    case .field(let name): return "f:" + name
    case .key(let keys): return "k:" + keys.canonicalText
    case .value(let value): return "v:" + value.canonicalText
    case .index(let index): return "i:\(index)"
    }
  }

  init?(fieldsV1Key text: String) {
    guard text.count >= 2 else { return nil }
    let body = String(text.dropFirst(2))
    switch text.prefix(2) {
    case "f:": self = .field(body)
    case "k:": guard let keys = try? MiniJSON.parse(body) else { return nil }; self = .key(keys)
    case "v:": guard let value = try? MiniJSON.parse(body) else { return nil }; self = .value(value)
    case "i:": guard let index = Int(body) else { return nil }; self = .index(index)
    default: return nil
    }
  }

  /// As upstream prints paths in conflict messages: `.spec`, `[name="app"]`, `[="a"]`, `[0]`.
  public var description: String {
    switch self {
    case .field(let name): return "." + name
    case .key(let keys):
      let members = keys.objectValue ?? [:]
      return "[" + members.keys.sorted().map { "\($0)=\(members[$0]!.canonicalText)" }.joined(separator: ",") + "]"
    case .value(let value): return "[=" + value.canonicalText + "]"
    case .index(let index): return "[\(index)]"
    }
  }

  public static func < (lhs: PathElement, rhs: PathElement) -> Bool { lhs.fieldsV1Key < rhs.fieldsV1Key }
}

/// A path from the object root; managed field sets are sets of these.
public struct ManagedFieldPath: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var elements: [PathElement]

  public init(_ elements: [PathElement]) { self.elements = elements }

  /// A path of plain field names, e.g. `ManagedFieldPath(fields: "metadata", "labels")` for reset or ignored subtrees.
  public init(fields names: String...) { elements = names.map(PathElement.field) }

  public func appending(_ element: PathElement) -> ManagedFieldPath { ManagedFieldPath(elements + [element]) }

  public func hasPrefix(_ prefix: ManagedFieldPath) -> Bool {
    elements.count >= prefix.elements.count && elements.starts(with: prefix.elements)
  }

  public var description: String { elements.map(\.description).joined() }

  public static func < (lhs: ManagedFieldPath, rhs: ManagedFieldPath) -> Bool {
    lhs.elements.lexicographicallyPrecedes(rhs.elements)
  }
}

/// FieldsV1 (`managedFields[].fieldsV1`) to and from a set of paths. A path that has children in the set
/// is marked with `".": {}` inside its node; a path without children is an empty object.
public enum FieldsV1 {
  public static func encode(_ paths: Set<ManagedFieldPath>) -> JSONValue {
    final class Node {
      var children: [String: Node] = [:]
      var member = false
    }
    let root = Node()
    for path in paths {
      var node = root
      for element in path.elements {
        let key = element.fieldsV1Key
        if let next = node.children[key] {
          node = next
        } else {
          let next = Node()
          node.children[key] = next
          node = next
        }
      }
      node.member = true
    }
    func render(_ node: Node) -> JSONValue {
      var members = node.children.mapValues(render)
      if node.member && !node.children.isEmpty { members["."] = .object([:]) }
      return .object(members)
    }
    return render(root)
  }

  /// Whether the set `fields` encodes holds `path`, found without decoding the set. Exact for
  /// FieldsV1 this server wrote (keys spelled canonically); see ``ManagedFieldsEntry/entries(of:)``.
  static func contains(_ fields: JSONValue, _ path: ManagedFieldPath) -> Bool {
    var node = fields
    for element in path.elements {
      guard let child = node[element.fieldsV1Key] else { return false }
      node = child
    }
    guard let members = node.objectValue else { return false }
    return members.isEmpty || members["."] != nil
  }

  public static func decode(_ fields: JSONValue) -> Set<ManagedFieldPath> {
    var paths: Set<ManagedFieldPath> = []
    func walk(_ value: JSONValue, _ prefix: ManagedFieldPath) {
      for (key, child) in value.objectValue ?? [:] {
        if key == "." {
          paths.insert(prefix)
          continue
        }
        guard let element = PathElement(fieldsV1Key: key) else { continue }
        let path = prefix.appending(element)
        if (child.objectValue ?? [:]).isEmpty {
          paths.insert(path)
        } else {
          walk(child, path)
        }
      }
    }
    walk(fields, ManagedFieldPath([]))
    return paths
  }
}

extension JSONValue {
  /// Compact, key-sorted JSON text (how FieldsV1 spells keys and values).
  var canonicalText: String {
    var text = ""
    writeCanonical(to: &text)
    return text
  }
}
