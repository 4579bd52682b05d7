import Foundation

/// Strings and numbers: Go's escapes, U+FFFD repair, and Kubernetes' int64-or-float64 typing.
extension JSONParser {
  // MARK: - Strings

  /// Parses a string starting at the opening quote; invalid UTF-8 becomes U+FFFD as in Go.
  mutating func parseString() throws(KubeAPIError) -> String {
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

  mutating func parseNumber() throws(KubeAPIError) -> JSONValue {
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
