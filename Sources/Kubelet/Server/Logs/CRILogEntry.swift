import KubeAPI

/// One record of a CRI log file: `<RFC3339Nano> <stdout|stderr> <F|P> <text>`. The shim writes
/// them (Sources/CRuntime/crilog.c); a `P`artial record continues in the next one.
struct CRILogEntry: Sendable, Equatable {
  enum Stream: String, Sendable { case stdout, stderr }

  /// The timestamp as written (kept verbatim for `timestamps=true`, as the kubelet does).
  var timestampText: String
  var time: KubeTime
  var stream: Stream
  var partial: Bool
  var content: ArraySlice<UInt8>

  /// Parses one line without its newline; nil for a malformed line (skipped, as upstream does).
  init?(line: ArraySlice<UInt8>) {
    let space = UInt8(ascii: " ")
    guard let first = line.firstIndex(of: space) else { return nil }
    let stamp = String(decoding: line[line.startIndex..<first], as: UTF8.self)
    guard let time = try? KubeTime(parsing: stamp) else { return nil }
    let afterStamp = line.index(after: first)
    guard let second = line[afterStamp...].firstIndex(of: space),
      let stream = Stream(rawValue: String(decoding: line[afterStamp..<second], as: UTF8.self))
    else { return nil }
    let tagStart = line.index(after: second)
    guard tagStart < line.endIndex else { return nil }
    let tag = line[tagStart]
    guard tag == UInt8(ascii: "F") || tag == UInt8(ascii: "P") else { return nil }
    let contentStart = line.index(after: tagStart)
    if contentStart < line.endIndex {
      guard line[contentStart] == space else { return nil }
      content = line[line.index(after: contentStart)...]
    } else {
      content = []
    }
    self.timestampText = stamp
    self.time = time
    self.stream = stream
    self.partial = tag == UInt8(ascii: "P")
  }

  /// What `kubectl logs` shows for this record: the text, a newline unless partial, and the
  /// timestamp in front when asked.
  func rendered(timestamps: Bool) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(content.count + (timestamps ? timestampText.utf8.count + 2 : 1))
    if timestamps {
      out += timestampText.utf8
      out.append(UInt8(ascii: " "))
    }
    out += content
    if !partial { out.append(UInt8(ascii: "\n")) }
    return out
  }
}
