import KubeAPI

/// A PATCH body and how to apply it to the current object.
struct PatchRequest: Sendable {
  enum Kind: Sendable { case json, merge, strategic, apply }

  let kind: Kind
  let patch: JSONValue
  let definition: ResourceDefinition
  let state: APIState

  init(contentType: String, body: [UInt8], definition: ResourceDefinition, state: APIState) throws(APIError) {
    switch contentType {
    case "application/json-patch+json": kind = .json
    case "application/merge-patch+json": kind = .merge
    case "application/strategic-merge-patch+json": kind = .strategic
    case "application/apply-patch+yaml", "application/apply-patch+cbor": kind = .apply
    default: throw APIError.unsupportedMediaType(contentType)
    }
    do {
      patch = kind == .apply ? try YAMLBody.decode(body) : try JSONValue.decode(body)
    } catch {
      throw APIError.badRequest("error decoding patch: \(error)")
    }
    if kind == .json, patch.arrayValue == nil {
      throw APIError.badRequest("json: cannot unmarshal \(patch.typeName) into Go value of type jsonpatch.Patch")
    }
    if kind != .json, patch.objectValue == nil {
      throw APIError.badRequest(
        "json: cannot unmarshal \(patch.typeName) into Go value of type map[string]interface {}")
    }
    self.definition = definition
    self.state = state
  }

  /// JSON patches that `test` a value must not silently retry against a newer object.
  var retriesOnConflict: Bool { kind != .json }

  func apply(to object: JSONValue, fieldManager: String?, force: Bool) throws(APIError) -> JSONValue {
    switch kind {
    case .json: return try JSONPatch.apply(patch.arrayValue ?? [], to: object)
    case .merge: return MergePatch.apply(patch, to: object)
    case .strategic: return try state.strategicMerge(patch, to: object, definition: definition)
    case .apply:
      return try state.serverSideApply(
        patch, to: object, definition: definition, manager: fieldManager ?? "", force: force)
    }
  }
}

/// RFC 7386: objects merge recursively, null deletes, anything else replaces.
enum MergePatch {
  static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
    guard case .object(let members) = patch else { return patch }
    var result = target.objectValue ?? [:]
    for (key, value) in members {
      if value.isNull { result[key] = nil } else { result[key] = apply(value, to: result[key] ?? .null) }
    }
    return .object(result)
  }
}

/// RFC 6902 with JSON pointers (RFC 6901).
enum JSONPatch {
  static func apply(_ operations: [JSONValue], to document: JSONValue) throws(APIError) -> JSONValue {
    var document = document
    for operation in operations {
      guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
        throw APIError.badRequest("the server rejected our request due to an error in our request")
      }
      let pointer = try tokens(path)
      switch op {
      case "add": document = try set(document, pointer[...], value: operation["value"] ?? .null, insert: true)
      case "replace":
        _ = try get(document, pointer)
        document = try set(document, pointer[...], value: operation["value"] ?? .null, insert: false)
      case "remove": document = try remove(document, pointer[...])
      case "test":
        guard try get(document, pointer) == (operation["value"] ?? .null) else {
          throw APIError(
            code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request")
        }
      case "move", "copy":
        guard let from = operation["from"]?.stringValue else {
          throw APIError.badRequest("missing from in \(op) operation")
        }
        let source = try tokens(from)
        let value = try get(document, source)
        if op == "move" { document = try remove(document, source[...]) }
        document = try set(document, pointer[...], value: value, insert: true)
      default:
        throw APIError.badRequest("Unexpected kind: \(op)")
      }
    }
    return document
  }

  static func tokens(_ path: String) throws(APIError) -> [String] {
    guard path.isEmpty || path.hasPrefix("/") else {
      throw APIError.badRequest("JSON pointer must start with '/': \(path)")
    }
    return path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
      $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }
  }

  static func get(_ document: JSONValue, _ pointer: [String]) throws(APIError) -> JSONValue {
    var current = document
    for token in pointer {
      switch current {
      case .object(let members):
        guard let next = members[token] else { throw missing(pointer) }
        current = next
      case .array(let items):
        guard let index = Int(token), items.indices.contains(index) else { throw missing(pointer) }
        current = items[index]
      default: throw missing(pointer)
      }
    }
    return current
  }

  private static func missing(_ pointer: [String]) -> APIError {
    APIError(
      code: 422, reason: "Invalid",
      message:
        "the server rejected our request due to an error in our request: replace operation does not apply: doc is missing path: /\(pointer.joined(separator: "/"))"
    )
  }

  static func set(_ document: JSONValue, _ pointer: ArraySlice<String>, value: JSONValue, insert: Bool) throws(APIError)
    -> JSONValue
  {
    guard let token = pointer.first else { return value }
    let rest = pointer.dropFirst()
    switch document {
    case .object(var members):
      if rest.isEmpty {
        members[token] = value
      } else {
        guard let child = members[token] else { throw missing(Array(pointer)) }
        members[token] = try set(child, rest, value: value, insert: insert)
      }
      return .object(members)
    case .array(var items):
      if rest.isEmpty {
        if token == "-" && insert {
          items.append(value)
        } else {
          guard let index = Int(token), index >= 0, index <= items.count, insert || index < items.count else {
            throw missing(Array(pointer))
          }
          if insert { items.insert(value, at: index) } else { items[index] = value }
        }
      } else {
        guard let index = Int(token), items.indices.contains(index) else { throw missing(Array(pointer)) }
        items[index] = try set(items[index], rest, value: value, insert: insert)
      }
      return .array(items)
    default: throw missing(Array(pointer))
    }
  }

  static func remove(_ document: JSONValue, _ pointer: ArraySlice<String>) throws(APIError) -> JSONValue {
    guard let token = pointer.first else { return .null }
    let rest = pointer.dropFirst()
    switch document {
    case .object(var members):
      guard let child = members[token] else { throw missing(Array(pointer)) }
      members[token] = rest.isEmpty ? nil : try remove(child, rest)
      return .object(members)
    case .array(var items):
      guard let index = Int(token), items.indices.contains(index) else { throw missing(Array(pointer)) }
      if rest.isEmpty { items.remove(at: index) } else { items[index] = try remove(items[index], rest) }
      return .array(items)
    default: throw missing(Array(pointer))
    }
  }
}
