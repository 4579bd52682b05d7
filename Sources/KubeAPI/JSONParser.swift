import Foundation

/// A byte-level JSON parser with Go encoding/json's error messages and number typing.
///
/// It is iterative (explicit container stacks), so hostile nesting cannot overflow the thread
/// stack; nesting deeper than `maxDepth` is refused as Go does. Numbers that are integers and
/// fit in Int64 become `.int`, all others `.double`, as Kubernetes' unstructured decoder does.
struct JSONParser {
  static let maxDepth = 10_000

  let bytes: UnsafePointer<UInt8>
  let end: Int
  var pos = 0
  private let trackDuplicates: Bool
  private(set) var duplicates: [String] = []

  /// An open container. Children of all open containers live on one flat `values` stack (and
  /// object keys on `keys`), so a container is built once, at its final size, when it closes.
  private struct Frame {
    var isObject: Bool
    var valueStart: Int
    var keyStart: Int
  }
  private var frames: [Frame] = []
  private var values: [JSONValue] = []
  private var keys: [String] = []
  var scratch: [UInt8] = []

  init(_ bytes: UnsafePointer<UInt8>, count: Int, trackDuplicates: Bool) {
    self.bytes = bytes
    self.end = count
    self.trackDuplicates = trackDuplicates
  }

  /// Parses one complete document; trailing non-space bytes are an error.
  mutating func parseDocument() throws(KubeAPIError) -> JSONValue {
    let value = try parseValue()
    skipSpace()
    if pos < end { throw syntax(bytes[pos], "after top-level value") }
    return value
  }

  // MARK: - Values

  private mutating func parseValue() throws(KubeAPIError) -> JSONValue {
    var value: JSONValue
    next: while true {
      skipSpace()
      guard pos < end else { throw Self.unexpectedEnd(pos) }
      let c = bytes[pos]
      switch c {
      case UInt8(ascii: "{"):
        try push(c)
        pos += 1
        skipSpace()
        if pos < end && bytes[pos] == UInt8(ascii: "}") {
          pos += 1
          frames.removeLast()
          value = .object([:])
        } else {
          keys.append(try parseKey())
          continue next
        }
      case UInt8(ascii: "["):
        try push(c)
        pos += 1
        skipSpace()
        if pos < end && bytes[pos] == UInt8(ascii: "]") {
          pos += 1
          frames.removeLast()
          value = .array([])
        } else {
          continue next
        }
      case UInt8(ascii: "\""):
        value = .string(try parseString())
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        value = try parseNumber()
      case UInt8(ascii: "t"):
        try expectLiteral("true")
        value = .bool(true)
      case UInt8(ascii: "f"):
        try expectLiteral("false")
        value = .bool(false)
      case UInt8(ascii: "n"):
        try expectLiteral("null")
        value = .null
      default:
        throw syntax(c, "looking for beginning of value")
      }

      // Attach the finished value to the enclosing containers, closing as many as end here.
      while let frame = frames.last {
        values.append(value)
        skipSpace()
        guard pos < end else { throw Self.unexpectedEnd(pos) }
        let c = bytes[pos]
        if c == UInt8(ascii: ",") {
          pos += 1
          if frame.isObject {
            skipSpace()
            keys.append(try parseKey())
          }
          continue next
        }
        if frame.isObject {
          guard c == UInt8(ascii: "}") else { throw syntax(c, "after object key:value pair") }
          pos += 1
          value = closeObject(frame)
        } else {
          guard c == UInt8(ascii: "]") else { throw syntax(c, "after array element") }
          pos += 1
          value = closeArray(frame)
        }
      }
      return value
    }
  }

  private mutating func push(_ c: UInt8) throws(KubeAPIError) {
    if frames.count >= Self.maxDepth { throw syntax(c, "exceeded max depth") }
    frames.append(Frame(isObject: c == UInt8(ascii: "{"), valueStart: values.count, keyStart: keys.count))
  }

  /// Moves the children of the top array frame into a new array (no retain/release traffic).
  private mutating func closeArray(_ frame: Frame) -> JSONValue {
    frames.removeLast()
    var items: [JSONValue] = []
    items.reserveCapacity(values.count - frame.valueStart)
    for i in frame.valueStart..<values.count {
      var item = JSONValue.null
      swap(&item, &values[i])
      items.append(item)
    }
    values.removeSubrange(frame.valueStart...)
    return .array(items)
  }

  /// Builds the top object frame's dictionary at its final size; later duplicates win, as in Go.
  private mutating func closeObject(_ frame: Frame) -> JSONValue {
    let count = values.count - frame.valueStart
    var members = [String: JSONValue](minimumCapacity: count)
    for i in 0..<count {
      var key = ""
      var member = JSONValue.null
      swap(&key, &keys[frame.keyStart + i])
      swap(&member, &values[frame.valueStart + i])
      if members.updateValue(member, forKey: key) != nil && trackDuplicates {
        duplicates.append(parentPath(excludingTop: true) + "." + key)
      }
    }
    frames.removeLast()
    values.removeSubrange(frame.valueStart...)
    keys.removeSubrange(frame.keyStart...)
    return .object(members)
  }

  /// Reads `"key"` and the following `:`.
  private mutating func parseKey() throws(KubeAPIError) -> String {
    guard pos < end else { throw Self.unexpectedEnd(pos) }
    guard bytes[pos] == UInt8(ascii: "\"") else {
      throw syntax(bytes[pos], "looking for beginning of object key string")
    }
    let key = try parseString()
    skipSpace()
    guard pos < end else { throw Self.unexpectedEnd(pos) }
    guard bytes[pos] == UInt8(ascii: ":") else { throw syntax(bytes[pos], "after object key") }
    pos += 1
    return key
  }

  /// The JSON path (`.a.b[2]`) of the innermost open container (or, with `excludingTop`, of
  /// the container being closed, which is still the top frame).
  private func parentPath(excludingTop: Bool) -> String {
    var path = ""
    let last = frames.count - (excludingTop ? 1 : 0)
    for depth in 0..<last {
      let frame = frames[depth]
      let childStart = depth + 1 < frames.count ? frames[depth + 1] : nil
      if frame.isObject {
        // The key of the child being built is the last key pushed for this frame.
        let keyIndex = (childStart?.keyStart ?? keys.count) - 1
        path += "." + keys[keyIndex]
      } else {
        path += "[\((childStart?.valueStart ?? values.count) - frame.valueStart)]"
      }
    }
    return path
  }

  @inline(__always)
  private mutating func skipSpace() {
    while pos < end {
      switch bytes[pos] {
      case 0x20, 0x0A, 0x0D, 0x09: pos += 1
      default: return
      }
    }
  }

  private mutating func expectLiteral(_ literal: StaticString) throws(KubeAPIError) {
    let text = literal.utf8Start
    for i in 1..<literal.utf8CodeUnitCount {
      let at = pos + i
      guard at < end else { throw Self.unexpectedEnd(at) }
      if bytes[at] != text[i] {
        pos = at
        throw syntax(bytes[at], "in literal \(literal) (expecting \(goQuoteChar(text[i])))")
      }
    }
    pos += literal.utf8CodeUnitCount
  }

  // MARK: - Errors

  static func unexpectedEnd(_ offset: Int) -> KubeAPIError {
    KubeAPIError(.json, "unexpected end of JSON input", offset: offset)
  }

  func syntax(_ c: UInt8, _ context: String) -> KubeAPIError {
    KubeAPIError(.json, "invalid character \(goQuoteChar(c)) \(context)", offset: pos)
  }
}

/// Go's `quoteChar` from encoding/json: a byte shown in single quotes, escaped like strconv.Quote.
func goQuoteChar(_ c: UInt8) -> String {
  switch c {
  case UInt8(ascii: "'"): return "'\\''"
  case UInt8(ascii: "\""): return "'\"'"
  default: return "'" + goQuoteInner(Unicode.Scalar(c)) + "'"
  }
}
