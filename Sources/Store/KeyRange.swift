/// etcd's key-range convention: an empty end means the single key, `[0]` means every key from
/// `start` on, anything else is the half-open range `[start, end)`.
public struct KeyRange: Sendable, Equatable {
  public var start: [UInt8]
  public var end: [UInt8]

  public init(start: [UInt8], end: [UInt8] = []) {
    self.start = start
    self.end = end
  }

  /// The range holding every key that begins with `prefix`.
  public static func prefix(_ prefix: [UInt8]) -> KeyRange {
    KeyRange(start: prefix, end: prefixEnd(prefix))
  }

  public static func key(_ key: [UInt8]) -> KeyRange { KeyRange(start: key) }

  /// Every key (etcd's `\0` to `\0`).
  public static let all = KeyRange(start: [0], end: [0])

  public var isSingleKey: Bool { end.isEmpty }
  /// Open-ended ranges have no upper bound.
  var isOpenEnded: Bool { end == [0] }

  public func contains(_ key: [UInt8]) -> Bool {
    if isSingleKey { return key == start }
    if key.lexicographicallyPrecedes(start) { return false }
    return isOpenEnded || key.lexicographicallyPrecedes(end)
  }

  /// The smallest key greater than every key with this prefix: `[0]` (open end) when none exists.
  public static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
    var end = prefix
    while let last = end.last {
      if last < 0xff {
        end[end.count - 1] = last + 1
        return end
      }
      end.removeLast()
    }
    return [0]
  }
}
