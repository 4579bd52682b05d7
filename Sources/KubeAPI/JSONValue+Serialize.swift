extension JSONValue {
  /// Compact JSON bytes as kube-apiserver writes them (sorted keys, Go number and string forms).
  /// Throws only for NaN or infinite doubles, which JSON cannot carry.
  public func serialized(escapeHTML: Bool = true) throws(KubeAPIError) -> [UInt8] {
    var serializer = JSONSerializer(escapeHTML: escapeHTML, indent: nil)
    try serializer.write(self)
    return serializer.out
  }

  /// Indented JSON (two spaces, Go's `json.MarshalIndent(v, "", "  ")` layout).
  public func prettySerialized(indent: String = "  ", escapeHTML: Bool = true) throws(KubeAPIError) -> [UInt8] {
    var serializer = JSONSerializer(escapeHTML: escapeHTML, indent: indent)
    try serializer.write(self)
    return serializer.out
  }

  /// Compact JSON as a String; for logs, tests and messages, not the hot path.
  public func jsonString(escapeHTML: Bool = true) throws(KubeAPIError) -> String {
    String(decoding: try serialized(escapeHTML: escapeHTML), as: UTF8.self)
  }

  /// Appends compact JSON to an existing buffer (e.g. a list response being assembled).
  public func serialize(into buffer: inout [UInt8], escapeHTML: Bool = true) throws(KubeAPIError) {
    var serializer = JSONSerializer(escapeHTML: escapeHTML, indent: nil, capacity: 0)
    swap(&serializer.out, &buffer)
    defer { swap(&serializer.out, &buffer) }
    try serializer.write(self)
  }
}

extension JSONValue: CustomStringConvertible {
  /// Compact JSON; non-finite doubles (which JSON cannot carry) print as `null`.
  public var description: String {
    (try? jsonString(escapeHTML: false)) ?? "null"
  }
}
