/// Encodes any `Encodable` straight into a `JSONValue` (no bytes in between). Nil optionals are
/// left out (like Go's `omitempty` on pointers); non-finite doubles are refused.
public struct JSONValueEncoder {
  public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

  public init() {}

  public func encode<T: Encodable>(_ value: T) throws(KubeAPIError) -> JSONValue {
    let root = EncodingNode()
    do {
      try ValueEncoder(node: root, codingPath: [], userInfo: userInfo).encodeValue(value, into: root, path: [])
    } catch let error as KubeAPIError {
      throw error
    } catch {
      throw KubeAPIError(.encoding, "\(error)")
    }
    return root.materialize()
  }
}

/// A node of the value being built; containers are shared references so nested containers
/// handed out by the Encoder API write into the same tree.
final class EncodingNode {
  enum Content {
    case empty
    case value(JSONValue)
    case object([String: EncodingNode])
    case array([EncodingNode])
  }

  var content: Content = .empty

  func materialize() -> JSONValue {
    switch content {
    case .empty: return .object([:])
    case .value(let value): return value
    case .object(let members): return .object(members.mapValues { $0.materialize() })
    case .array(let items): return .array(items.map { $0.materialize() })
    }
  }

  func makeObject() {
    if case .object = content { return }
    content = .object([:])
  }

  func makeArray() {
    if case .array = content { return }
    content = .array([])
  }

  func child(forKey key: String) -> EncodingNode {
    makeObject()
    guard case .object(var members) = content else { return EncodingNode() }
    if let existing = members[key] { return existing }
    let node = EncodingNode()
    content = .empty
    members[key] = node
    content = .object(members)
    return node
  }

  func appendChild() -> EncodingNode {
    makeArray()
    guard case .array(var items) = content else { return EncodingNode() }
    let node = EncodingNode()
    content = .empty
    items.append(node)
    content = .array(items)
    return node
  }

  var count: Int {
    switch content {
    case .array(let items): return items.count
    case .object(let members): return members.count
    default: return 0
    }
  }
}

private struct ValueEncoder: Encoder {
  let node: EncodingNode
  let codingPath: [any CodingKey]
  let userInfo: [CodingUserInfoKey: Any]

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    node.makeObject()
    return KeyedEncodingContainer(KeyedValueEncoder<Key>(encoder: self))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    node.makeArray()
    return UnkeyedValueEncoder(encoder: self)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer { SingleValueEncoder(encoder: self) }

  func encodeValue<T: Encodable>(_ value: T, into node: EncodingNode, path: [any CodingKey]) throws {
    switch value {
    case let json as JSONValue: node.content = .value(json)
    case let s as String: node.content = .value(.string(s))
    case let b as Bool: node.content = .value(.bool(b))
    case let i as Int: node.content = .value(.int(Int64(i)))
    case let i as Int64: node.content = .value(.int(i))
    case let i as Int32: node.content = .value(.int(Int64(i)))
    case let d as Double: node.content = .value(try Self.number(d, path: path))
    default: try value.encode(to: ValueEncoder(node: node, codingPath: path, userInfo: userInfo))
    }
  }

  static func number(_ d: Double, path: [any CodingKey]) throws -> JSONValue {
    guard d.isFinite else {
      throw KubeAPIError(.encoding, "\(JSONValueDecoder.pathText(path)): json: unsupported value: \(d)")
    }
    return .double(d)
  }

  static func integer<I: BinaryInteger>(_ i: I) -> JSONValue {
    if let exact = Int64(exactly: i) { return .int(exact) }
    return .double(Double(i))
  }
}

private struct KeyedValueEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let encoder: ValueEncoder
  var codingPath: [any CodingKey] { encoder.codingPath }

  private func set(_ value: JSONValue, _ key: Key) {
    encoder.node.child(forKey: key.stringValue).content = .value(value)
  }

  mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
  mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
  mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
  mutating func encode(_ value: Double, forKey key: Key) throws {
    set(try ValueEncoder.number(value, path: codingPath + [key]), key)
  }
  mutating func encode(_ value: Float, forKey key: Key) throws {
    set(try ValueEncoder.number(Double(value), path: codingPath + [key]), key)
  }
  mutating func encode(_ value: Int, forKey key: Key) throws { set(ValueEncoder.integer(value), key) }
  mutating func encode(_ value: Int8, forKey key: Key) throws { set(ValueEncoder.integer(value), key) }
  mutating func encode(_ value: Int16, forKey key: Key) throws { set(ValueEncoder.integer(value), key) }
  mutating func encode(_ value: Int32, forKey key: Key) throws { set(ValueEncoder.integer(value), key) }
  mutating func encode(_ value: Int64, forKey key: Key) throws { set(ValueEncoder.integer(value), key) }
  mutating func encode(_ value: UInt, forKey key: Key) throws { set(ValueEncoder.integer(value), key) }
  mutating func encode(_ value: UInt8, forKey key: Key) throws { set(ValueEncoder.integer(value), key) }
  mutating func encode(_ value: UInt16, forKey key: Key) throws { set(ValueEncoder.integer(value), key) }
  mutating func encode(_ value: UInt32, forKey key: Key) throws { set(ValueEncoder.integer(value), key) }
  mutating func encode(_ value: UInt64, forKey key: Key) throws { set(ValueEncoder.integer(value), key) }

  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    let child = encoder.node.child(forKey: key.stringValue)
    try encoder.encodeValue(value, into: child, path: codingPath + [key])
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
    -> KeyedEncodingContainer<NestedKey>
  {
    let child = encoder.node.child(forKey: key.stringValue)
    return ValueEncoder(node: child, codingPath: codingPath + [key], userInfo: encoder.userInfo)
      .container(keyedBy: keyType)
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    let child = encoder.node.child(forKey: key.stringValue)
    return ValueEncoder(node: child, codingPath: codingPath + [key], userInfo: encoder.userInfo).unkeyedContainer()
  }

  mutating func superEncoder() -> any Encoder {
    let child = encoder.node.child(forKey: "super")
    return ValueEncoder(
      node: child, codingPath: codingPath + [AnyKey(stringValue: "super")], userInfo: encoder.userInfo)
  }

  mutating func superEncoder(forKey key: Key) -> any Encoder {
    let child = encoder.node.child(forKey: key.stringValue)
    return ValueEncoder(node: child, codingPath: codingPath + [key], userInfo: encoder.userInfo)
  }
}

private struct UnkeyedValueEncoder: UnkeyedEncodingContainer {
  let encoder: ValueEncoder
  var codingPath: [any CodingKey] { encoder.codingPath }
  var count: Int { encoder.node.count }

  private func append(_ value: JSONValue) { encoder.node.appendChild().content = .value(value) }
  private var nextPath: [any CodingKey] { codingPath + [AnyKey(intValue: count)] }

  mutating func encodeNil() throws { append(.null) }
  mutating func encode(_ value: Bool) throws { append(.bool(value)) }
  mutating func encode(_ value: String) throws { append(.string(value)) }
  mutating func encode(_ value: Double) throws { append(try ValueEncoder.number(value, path: nextPath)) }
  mutating func encode(_ value: Float) throws { append(try ValueEncoder.number(Double(value), path: nextPath)) }
  mutating func encode(_ value: Int) throws { append(ValueEncoder.integer(value)) }
  mutating func encode(_ value: Int32) throws { append(ValueEncoder.integer(value)) }
  mutating func encode(_ value: Int64) throws { append(ValueEncoder.integer(value)) }
  mutating func encode(_ value: UInt64) throws { append(ValueEncoder.integer(value)) }

  mutating func encode<T: Encodable>(_ value: T) throws {
    let path = nextPath
    try encoder.encodeValue(value, into: encoder.node.appendChild(), path: path)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
    -> KeyedEncodingContainer<NestedKey>
  {
    let path = nextPath
    return ValueEncoder(node: encoder.node.appendChild(), codingPath: path, userInfo: encoder.userInfo)
      .container(keyedBy: keyType)
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    let path = nextPath
    return ValueEncoder(node: encoder.node.appendChild(), codingPath: path, userInfo: encoder.userInfo)
      .unkeyedContainer()
  }

  mutating func superEncoder() -> any Encoder {
    let path = nextPath
    return ValueEncoder(node: encoder.node.appendChild(), codingPath: path, userInfo: encoder.userInfo)
  }
}

private struct SingleValueEncoder: SingleValueEncodingContainer {
  let encoder: ValueEncoder
  var codingPath: [any CodingKey] { encoder.codingPath }

  private func set(_ value: JSONValue) { encoder.node.content = .value(value) }

  mutating func encodeNil() throws { set(.null) }
  mutating func encode(_ value: Bool) throws { set(.bool(value)) }
  mutating func encode(_ value: String) throws { set(.string(value)) }
  mutating func encode(_ value: Double) throws { set(try ValueEncoder.number(value, path: codingPath)) }
  mutating func encode(_ value: Float) throws { set(try ValueEncoder.number(Double(value), path: codingPath)) }
  mutating func encode(_ value: Int) throws { set(ValueEncoder.integer(value)) }
  mutating func encode(_ value: Int8) throws { set(ValueEncoder.integer(value)) }
  mutating func encode(_ value: Int16) throws { set(ValueEncoder.integer(value)) }
  mutating func encode(_ value: Int32) throws { set(ValueEncoder.integer(value)) }
  mutating func encode(_ value: Int64) throws { set(ValueEncoder.integer(value)) }
  mutating func encode(_ value: UInt) throws { set(ValueEncoder.integer(value)) }
  mutating func encode(_ value: UInt8) throws { set(ValueEncoder.integer(value)) }
  mutating func encode(_ value: UInt16) throws { set(ValueEncoder.integer(value)) }
  mutating func encode(_ value: UInt32) throws { set(ValueEncoder.integer(value)) }
  mutating func encode(_ value: UInt64) throws { set(ValueEncoder.integer(value)) }
  mutating func encode<T: Encodable>(_ value: T) throws {
    try encoder.encodeValue(value, into: encoder.node, path: codingPath)
  }
}
