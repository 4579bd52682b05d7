import Foundation

/// A byte-level JSON parser with Go encoding/json's error messages and number typing.
///
/// It is iterative (explicit container stacks), so hostile nesting cannot overflow the thread
/// stack; nesting deeper than `maxDepth` is refused as Go does. Numbers that are integers and
/// fit in Int64 become `.int`, all others `.double`, as Kubernetes' unstructured decoder does.
struct JSONParser {
  static let maxDepth = 10_000

  private let bytes: UnsafePointer<UInt8>
  private let end: Int
  private var pos = 0
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
  private var scratch: [UInt8] = []

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

  private func syntax(_ c: UInt8, _ context: String) -> KubeAPIError {
    KubeAPIError(.json, "invalid character \(goQuoteChar(c)) \(context)", offset: pos)
  }
}

extension JSONParser {
  // MARK: - Strings

  /// Parses a string starting at the opening quote; invalid UTF-8 becomes U+FFFD as in Go.
  fileprivate mutating func parseString() throws(KubeAPIError) -> String {
    pos += 1
    let start = pos
    while pos < end {
      let c = bytes[pos]
      if c == UInt8(ascii: "\"") {
        let s = String(decoding: UnsafeBufferPointer(start: bytes + start, count: pos - start), as: UTF8.self)
        pos += 1
        return s
      }
      if c == UInt8(ascii: "\\") { break }
      if c < 0x20 { throw syntax(c, "in string literal") }
      pos += 1
    }
    guard pos < end else { throw Self.unexpectedEnd(pos) }
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: UnsafeBufferPointer(start: bytes + start, count: pos - start))
    while pos < end {
      let c = bytes[pos]
      switch c {
      case UInt8(ascii: "\""):
        pos += 1
        return String(decoding: scratch, as: UTF8.self)
      case UInt8(ascii: "\\"):
        pos += 1
        try parseEscape()
      case 0..<0x20:
        throw syntax(c, "in string literal")
      default:
        scratch.append(c)
        pos += 1
      }
    }
    throw Self.unexpectedEnd(pos)
  }

  private mutating func parseEscape() throws(KubeAPIError) {
    guard pos < end else { throw Self.unexpectedEnd(pos) }
    let c = bytes[pos]
    pos += 1
    switch c {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(c)
    case UInt8(ascii: "b"): scratch.append(0x08)
    case UInt8(ascii: "f"): scratch.append(0x0C)
    case UInt8(ascii: "n"): scratch.append(0x0A)
    case UInt8(ascii: "r"): scratch.append(0x0D)
    case UInt8(ascii: "t"): scratch.append(0x09)
    case UInt8(ascii: "u"):
      var scalar = try parseHex4()
      if (0xD800..<0xDC00).contains(scalar) {
        // A high surrogate must be followed by \uDC00-\uDFFF; otherwise it decodes to U+FFFD.
        if pos + 1 < end && bytes[pos] == UInt8(ascii: "\\") && bytes[pos + 1] == UInt8(ascii: "u") {
          let save = pos
          pos += 2
          let low = try parseHex4()
          if (0xDC00..<0xE000).contains(low) {
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          } else {
            pos = save
            scalar = 0xFFFD
          }
        } else {
          scalar = 0xFFFD
        }
      } else if (0xDC00..<0xE000).contains(scalar) {
        scalar = 0xFFFD
      }
      appendUTF8(scalar)
    default:
      pos -= 1
      throw syntax(c, "in string escape code")
    }
  }

  private mutating func parseHex4() throws(KubeAPIError) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      guard pos < end else { throw Self.unexpectedEnd(pos) }
      let c = bytes[pos]
      let digit: UInt8
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
      default: throw syntax(c, "in \\u hexadecimal character escape")
      }
      value = value << 4 | UInt32(digit)
      pos += 1
    }
    return value
  }

  private mutating func appendUTF8(_ scalar: UInt32) {
    switch scalar {
    case 0..<0x80:
      scratch.append(UInt8(scalar))
    case 0x80..<0x800:
      scratch.append(UInt8(0xC0 | (scalar >> 6)))
      scratch.append(UInt8(0x80 | (scalar & 0x3F)))
    case 0x800..<0x10000:
      scratch.append(UInt8(0xE0 | (scalar >> 12)))
      scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
      scratch.append(UInt8(0x80 | (scalar & 0x3F)))
    default:
      scratch.append(UInt8(0xF0 | (scalar >> 18)))
      scratch.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
      scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
      scratch.append(UInt8(0x80 | (scalar & 0x3F)))
    }
  }

  // MARK: - Numbers

  fileprivate mutating func parseNumber() throws(KubeAPIError) -> JSONValue {
    let start = pos
    var negative = false
    if bytes[pos] == UInt8(ascii: "-") {
      negative = true
      pos += 1
      guard pos < end else { throw Self.unexpectedEnd(pos) }
      guard isDigit(bytes[pos]) else { throw syntax(bytes[pos], "in numeric literal") }
    }
    // Accumulate the magnitude as negative to reach Int64.min without overflow.
    var accumulator: Int64 = 0
    var fitsInt = true
    if bytes[pos] == UInt8(ascii: "0") {
      pos += 1
    } else {
      while pos < end, isDigit(bytes[pos]) {
        let digit = Int64(bytes[pos] - UInt8(ascii: "0"))
        if fitsInt {
          let (times10, o1) = accumulator.multipliedReportingOverflow(by: 10)
          let (next, o2) = times10.subtractingReportingOverflow(digit)
          if o1 || o2 { fitsInt = false } else { accumulator = next }
        }
        pos += 1
      }
    }
    var isInteger = true
    if pos < end && bytes[pos] == UInt8(ascii: ".") {
      isInteger = false
      pos += 1
      guard pos < end else { throw Self.unexpectedEnd(pos) }
      guard isDigit(bytes[pos]) else { throw syntax(bytes[pos], "after decimal point in numeric literal") }
      while pos < end, isDigit(bytes[pos]) { pos += 1 }
    }
    if pos < end && (bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E")) {
      isInteger = false
      pos += 1
      if pos < end && (bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-")) { pos += 1 }
      guard pos < end else { throw Self.unexpectedEnd(pos) }
      guard isDigit(bytes[pos]) else { throw syntax(bytes[pos], "in exponent of numeric literal") }
      while pos < end, isDigit(bytes[pos]) { pos += 1 }
    }
    if isInteger && fitsInt {
      if negative { return .int(accumulator) }
      if accumulator != Int64.min { return .int(-accumulator) }
    }
    return .double(try parseDouble(from: start))
  }

  private func parseDouble(from start: Int) throws(KubeAPIError) -> Double {
    let length = pos - start
    let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer -> Double in
      for i in 0..<length { buffer[i] = CChar(bitPattern: bytes[start + i]) }
      buffer[length] = 0
      return strtod(buffer.baseAddress!, nil)
    }
    guard value.isFinite else {
      let text = String(decoding: UnsafeBufferPointer(start: bytes + start, count: length), as: UTF8.self)
      throw KubeAPIError(.json, "json: cannot unmarshal number \(text) into Go value of type float64", offset: start)
    }
    return value
  }

  @inline(__always)
  private func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }
}

/// Go's `quoteChar` from encoding/json: a byte shown in single quotes, escaped like strconv.Quote.
func goQuoteChar(_ c: UInt8) -> String {
  switch c {
  case UInt8(ascii: "'"): return "'\\''"
  case UInt8(ascii: "\""): return "'\"'"
  default: return "'" + goQuoteInner(Unicode.Scalar(c)) + "'"
  }
}
