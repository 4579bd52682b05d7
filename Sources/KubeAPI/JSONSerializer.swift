import Foundation

/// Writes JSON bytes the way Go's encoding/json writes a `map[string]interface{}`: keys sorted
/// bytewise, integers exact, floats in Go's shortest form, strings with Go's escapes (including
/// `<`, `>`, `&` as `\u003c`… when `escapeHTML`), so output matches a real kube-apiserver's.
struct JSONSerializer {
  var out: [UInt8] = []
  let escapeHTML: Bool
  /// nil for compact output; otherwise the indent unit (Go's MarshalIndent with prefix "").
  let indent: [UInt8]?

  init(escapeHTML: Bool, indent: String?, capacity: Int = 1024) {
    self.escapeHTML = escapeHTML
    self.indent = indent.map { Array($0.utf8) }
    out.reserveCapacity(capacity)
  }

  /// An open container: its children and the index of the child being written.
  private struct Frame {
    var items: [JSONValue] = []
    var members: [(key: String, value: JSONValue)] = []
    var isObject: Bool
    var index = 0
    var count: Int { isObject ? members.count : items.count }
  }

  /// Writes `value` iteratively (explicit stack), so nesting depth never touches the thread stack.
  mutating func write(_ value: JSONValue) throws(KubeAPIError) {
    var stack: [Frame] = []
    var pending: JSONValue? = value
    while true {
      if let current = pending {
        pending = nil
        switch current {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .int(let i): writeInt(i)
        case .double(let d):
          guard d.isFinite else {
            throw KubeAPIError(.encoding, "json: unsupported value: \(d.isNaN ? "NaN" : (d < 0 ? "-Inf" : "+Inf"))")
          }
          out.append(contentsOf: GoFloat.format(d).utf8)
        case .string(let s): writeString(s)
        case .array(let items):
          if items.isEmpty {
            append("[]")
          } else {
            out.append(UInt8(ascii: "["))
            newline(stack.count + 1)
            pending = items[0]
            stack.append(Frame(items: items, isObject: false))
            continue
          }
        case .object(let members):
          if members.isEmpty {
            append("{}")
          } else {
            out.append(UInt8(ascii: "{"))
            let sorted = members.sorted { utf8Less($0.key, $1.key) }
            newline(stack.count + 1)
            writeKey(sorted[0].key)
            pending = sorted[0].value
            stack.append(Frame(members: sorted, isObject: true))
            continue
          }
        }
      }
      // The current value is complete: move to the next sibling or close containers.
      guard !stack.isEmpty else { return }
      let top = stack.count - 1
      stack[top].index += 1
      let index = stack[top].index
      if index < stack[top].count {
        out.append(UInt8(ascii: ","))
        newline(stack.count)
        if stack[top].isObject {
          writeKey(stack[top].members[index].key)
          pending = stack[top].members[index].value
        } else {
          pending = stack[top].items[index]
        }
      } else {
        let isObject = stack[top].isObject
        stack.removeLast()
        newline(stack.count)
        out.append(isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
      }
    }
  }

  @inline(__always)
  private mutating func writeKey(_ key: String) {
    writeString(key)
    out.append(UInt8(ascii: ":"))
    if indent != nil { out.append(UInt8(ascii: " ")) }
  }

  @inline(__always)
  private mutating func newline(_ depth: Int) {
    guard let indent else { return }
    out.append(UInt8(ascii: "\n"))
    for _ in 0..<depth { out.append(contentsOf: indent) }
  }

  @inline(__always)
  private mutating func append(_ s: StaticString) {
    out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
  }

  private mutating func writeInt(_ value: Int64) {
    if value == 0 {
      out.append(UInt8(ascii: "0"))
      return
    }
    var magnitude = value.magnitude
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
      var i = 20
      while magnitude > 0 {
        i -= 1
        buffer[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
        magnitude /= 10
      }
      if value < 0 { out.append(UInt8(ascii: "-")) }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[i..<20]))
    }
  }

  private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  /// Bytes below 0x40 that need escaping: controls, `"`, and (with HTML escaping) `&`, `<`, `>`.
  private var lowEscapes: UInt64 {
    let base: UInt64 = 0xFFFF_FFFF | (1 << 0x22)
    return escapeHTML ? base | (1 << 0x26) | (1 << 0x3C) | (1 << 0x3E) : base
  }

  mutating func writeString(_ string: String) {
    var string = string
    let mask = lowEscapes
    string.withUTF8 { bytes in
      out.append(UInt8(ascii: "\""))
      var runStart = 0
      var i = 0
      let count = bytes.count
      while i < count {
        let c = bytes[i]
        // Fast path: most bytes need no escape.
        if c < 0x40 ? (mask >> UInt64(c)) & 1 == 0 : (c != 0x5C && c != 0xE2) {
          i += 1
          continue
        }
        var escape: UInt8  // the short escape letter, or 0xFF for \u00XX, 0xFE for \u2028/9
        var width = 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): escape = c
        case 0x0A: escape = UInt8(ascii: "n")
        case 0x0D: escape = UInt8(ascii: "r")
        case 0x09: escape = UInt8(ascii: "t")
        case 0x08: escape = UInt8(ascii: "b")
        case 0x0C: escape = UInt8(ascii: "f")
        case 0xE2:
          // U+2028 and U+2029 are escaped by Go because JavaScript treats them as newlines.
          guard i + 2 < count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9) else {
            i += 1
            continue
          }
          escape = 0xFE
          width = 3
        default: escape = 0xFF
        }
        if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
        out.append(UInt8(ascii: "\\"))
        if escape == 0xFF {
          out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
          out.append(Self.hexDigits[Int(c >> 4)])
          out.append(Self.hexDigits[Int(c & 0xF)])
        } else if escape == 0xFE {
          out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "2"), UInt8(ascii: "0"), UInt8(ascii: "2")])
          out.append(bytes[i + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"))
        } else {
          out.append(escape)
        }
        i += width
        runStart = i
      }
      if runStart < count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count])) }
      out.append(UInt8(ascii: "\""))
    }
  }
}

/// Bytewise (UTF-8) ordering, which is how Go sorts map keys.
@inline(__always)
func utf8Less(_ a: String, _ b: String) -> Bool {
  let fast = a.utf8.withContiguousStorageIfAvailable { pa in
    b.utf8.withContiguousStorageIfAvailable { pb -> Bool in
      let n = min(pa.count, pb.count)
      if n > 0, let x = pa.baseAddress, let y = pb.baseAddress {
        let order = memcmp(x, y, n)
        if order != 0 { return order < 0 }
      }
      return pa.count < pb.count
    }
  }
  if let fast, let result = fast { return result }
  return a.utf8.lexicographicallyPrecedes(b.utf8)
}
