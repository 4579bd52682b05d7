/// Decodes any `Decodable` straight from a `JSONValue` (no bytes in between), so controllers can
/// read typed structs from stored objects. Failures are `KubeAPIError(.decoding)` naming the field.
public struct JSONValueDecoder {
  public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

  public init() {}

  public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(KubeAPIError) -> T {
    do {
      return try ValueDecoder(value: value, codingPath: [], userInfo: userInfo).decodeValue(type)
    } catch let error as KubeAPIError {
      throw error
    } catch let error as DecodingError {
      throw KubeAPIError(.decoding, Self.describe(error))
    } catch {
      throw KubeAPIError(.decoding, "\(error)")
    }
  }

  static func pathText(_ path: [any CodingKey]) -> String {
    var out = ""
    for key in path {
      if let index = key.intValue {
        out += "[\(index)]"
      } else {
        out += out.isEmpty ? key.stringValue : "." + key.stringValue
      }
    }
    return out.isEmpty ? "(root)" : out
  }

  private static func describe(_ error: DecodingError) -> String {
    switch error {
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
      return "\(pathText(context.codingPath)): \(context.debugDescription)"
    case .keyNotFound(let key, let context):
      return "\(pathText(context.codingPath + [key])): required field is missing"
    @unknown default:
      return "\(error)"
    }
  }
}

struct AnyKey: CodingKey {
  var stringValue: String
  var intValue: Int?
  init(stringValue: String) { self.stringValue = stringValue }
  init(intValue: Int) {
    self.stringValue = "\(intValue)"
    self.intValue = intValue
  }
}

private struct ValueDecoder: Decoder {
  let value: JSONValue
  let codingPath: [any CodingKey]
  let userInfo: [CodingUserInfoKey: Any]

  func mismatch(_ expected: String) -> KubeAPIError {
    KubeAPIError(
      .decoding,
      "\(JSONValueDecoder.pathText(codingPath)): expected \(expected), found \(value.typeName)")
  }

  func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
    if let special = try decodeSpecial(type) { return special }
    return try T(from: self)
  }

  func decodeSpecial<T>(_ type: T.Type) throws -> T? {
    if type == JSONValue.self { return value as? T }
    if type == String.self { return try decodeString() as? T }
    if type == Bool.self { return try decodeBool() as? T }
    if type == Int64.self { return try decodeInteger(Int64.self) as? T }
    if type == Int.self { return try decodeInteger(Int.self) as? T }
    if type == Int32.self { return try decodeInteger(Int32.self) as? T }
    if type == Double.self { return try decodeDouble() as? T }
    return nil
  }

  func decodeString() throws -> String {
    guard case .string(let s) = value else { throw mismatch("string") }
    return s
  }

  func decodeBool() throws -> Bool {
    guard case .bool(let b) = value else { throw mismatch("boolean") }
    return b
  }

  func decodeInteger<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
    switch value {
    case .int(let i):
      guard let result = I(exactly: i) else { throw outOfRange(I.self) }
      return result
    case .double(let d):
      guard let result = I(exactly: d) else { throw outOfRange(I.self) }
      return result
    default:
      throw mismatch("integer")
    }
  }

  private func outOfRange<I>(_ type: I.Type) -> KubeAPIError {
    KubeAPIError(.decoding, "\(JSONValueDecoder.pathText(codingPath)): \(value) does not fit in \(I.self)")
  }

  func decodeDouble() throws -> Double {
    guard let d = value.doubleValue else { throw mismatch("number") }
    return d
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    guard case .object(let members) = value else { throw mismatch("object") }
    return KeyedDecodingContainer(KeyedValueDecoder<Key>(members: members, decoder: self))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    guard case .array(let items) = value else { throw mismatch("array") }
    return UnkeyedValueDecoder(items: items, decoder: self)
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleValueDecoder(decoder: self) }

  func child(_ value: JSONValue, key: any CodingKey) -> ValueDecoder {
    ValueDecoder(value: value, codingPath: codingPath + [key], userInfo: userInfo)
  }
}

private struct KeyedValueDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let members: [String: JSONValue]
  let decoder: ValueDecoder
  var codingPath: [any CodingKey] { decoder.codingPath }
  var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

  func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

  private func child(_ key: Key) throws -> ValueDecoder {
    guard let value = members[key.stringValue] else {
      throw KubeAPIError(
        .decoding, "\(JSONValueDecoder.pathText(codingPath + [key])): required field is missing")
    }
    return decoder.child(value, key: key)
  }

  func decodeNil(forKey key: Key) throws -> Bool { members[key.stringValue]?.isNull ?? true }
  func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decodeBool() }
  func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decodeString() }
  func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decodeDouble() }
  func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try child(key).decodeDouble()) }
  func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decodeInteger(Int.self) }
  func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).decodeInteger(Int8.self) }
  func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).decodeInteger(Int16.self) }
  func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).decodeInteger(Int32.self) }
  func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).decodeInteger(Int64.self) }
  func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).decodeInteger(UInt.self) }
  func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).decodeInteger(UInt8.self) }
  func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).decodeInteger(UInt16.self) }
  func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).decodeInteger(UInt32.self) }
  func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).decodeInteger(UInt64.self) }
  func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decodeValue(type) }

  /// A null member reads as absent, as Go leaves a field at its zero value for `null`.
  func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
    guard let value = members[key.stringValue], !value.isNull else { return nil }
    return try decoder.child(value, key: key).decodeValue(type)
  }

  func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    try child(key).container(keyedBy: type)
  }

  func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
    try child(key).unkeyedContainer()
  }

  func superDecoder() throws -> any Decoder {
    decoder.child(members["super"] ?? .null, key: AnyKey(stringValue: "super"))
  }

  func superDecoder(forKey key: Key) throws -> any Decoder {
    decoder.child(members[key.stringValue] ?? .null, key: key)
  }
}

private struct UnkeyedValueDecoder: UnkeyedDecodingContainer {
  let items: [JSONValue]
  let decoder: ValueDecoder
  var currentIndex = 0
  var codingPath: [any CodingKey] { decoder.codingPath }
  var count: Int? { items.count }
  var isAtEnd: Bool { currentIndex >= items.count }

  init(items: [JSONValue], decoder: ValueDecoder) {
    self.items = items
    self.decoder = decoder
  }

  private mutating func next() throws -> ValueDecoder {
    guard !isAtEnd else {
      throw KubeAPIError(.decoding, "\(JSONValueDecoder.pathText(codingPath)): unexpected end of array")
    }
    defer { currentIndex += 1 }
    return decoder.child(items[currentIndex], key: AnyKey(intValue: currentIndex))
  }

  mutating func decodeNil() throws -> Bool {
    guard !isAtEnd, items[currentIndex].isNull else { return false }
    currentIndex += 1
    return true
  }

  mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(type) }
  mutating func decode(_ type: Bool.Type) throws -> Bool { try next().decodeBool() }
  mutating func decode(_ type: String.Type) throws -> String { try next().decodeString() }
  mutating func decode(_ type: Double.Type) throws -> Double { try next().decodeDouble() }
  mutating func decode(_ type: Int.Type) throws -> Int { try next().decodeInteger(Int.self) }
  mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().decodeInteger(Int32.self) }
  mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().decodeInteger(Int64.self) }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    try next().container(keyedBy: type)
  }

  mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
  mutating func superDecoder() throws -> any Decoder { try next() }
}

private struct SingleValueDecoder: SingleValueDecodingContainer {
  let decoder: ValueDecoder
  var codingPath: [any CodingKey] { decoder.codingPath }

  func decodeNil() -> Bool { decoder.value.isNull }
  func decode(_ type: Bool.Type) throws -> Bool { try decoder.decodeBool() }
  func decode(_ type: String.Type) throws -> String { try decoder.decodeString() }
  func decode(_ type: Double.Type) throws -> Double { try decoder.decodeDouble() }
  func decode(_ type: Float.Type) throws -> Float { Float(try decoder.decodeDouble()) }
  func decode(_ type: Int.Type) throws -> Int { try decoder.decodeInteger(Int.self) }
  func decode(_ type: Int8.Type) throws -> Int8 { try decoder.decodeInteger(Int8.self) }
  func decode(_ type: Int16.Type) throws -> Int16 { try decoder.decodeInteger(Int16.self) }
  func decode(_ type: Int32.Type) throws -> Int32 { try decoder.decodeInteger(Int32.self) }
  func decode(_ type: Int64.Type) throws -> Int64 { try decoder.decodeInteger(Int64.self) }
  func decode(_ type: UInt.Type) throws -> UInt { try decoder.decodeInteger(UInt.self) }
  func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.decodeInteger(UInt8.self) }
  func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.decodeInteger(UInt16.self) }
  func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.decodeInteger(UInt32.self) }
  func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.decodeInteger(UInt64.self) }
  func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
}
