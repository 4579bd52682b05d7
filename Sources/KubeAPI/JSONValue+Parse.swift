extension JSONValue {
  /// Parses one JSON document. Duplicate object keys keep the last value, as Go does.
  ///
  /// Errors carry Go encoding/json's message (`invalid character 'x' looking for beginning of
  /// value`, `unexpected end of JSON input`) so they can go into a `Status` unchanged.
  public static func parse(_ bytes: UnsafeRawBufferPointer) throws(KubeAPIError) -> JSONValue {
    try parseReportingDuplicates(bytes, trackDuplicates: false).value
  }

  public static func parse(_ bytes: [UInt8]) throws(KubeAPIError) -> JSONValue {
    try bytes.withUnsafeBytes { raw in Result { () throws(KubeAPIError) in try parse(raw) } }.get()
  }

  public static func parse(_ text: String) throws(KubeAPIError) -> JSONValue {
    var text = text
    return try text.withUTF8 { utf8 in
      Result { () throws(KubeAPIError) in try parse(UnsafeRawBufferPointer(utf8)) }
    }.get()
  }

  /// Parses like `parse` and also returns the path of every repeated object key
  /// (e.g. `.metadata.labels.app`, `.spec.containers[0].name`), for strict field validation.
  public static func parseReportingDuplicates(
    _ bytes: UnsafeRawBufferPointer
  ) throws(KubeAPIError) -> (value: JSONValue, duplicates: [String]) {
    try parseReportingDuplicates(bytes, trackDuplicates: true)
  }

  public static func parseReportingDuplicates(
    _ bytes: [UInt8]
  ) throws(KubeAPIError) -> (value: JSONValue, duplicates: [String]) {
    try bytes.withUnsafeBytes { raw in
      Result { () throws(KubeAPIError) in try parseReportingDuplicates(raw) }
    }.get()
  }

  private static func parseReportingDuplicates(
    _ bytes: UnsafeRawBufferPointer, trackDuplicates: Bool
  ) throws(KubeAPIError) -> (value: JSONValue, duplicates: [String]) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { throw JSONParser.unexpectedEnd(0) }
    var parser = JSONParser(
      base.assumingMemoryBound(to: UInt8.self), count: bytes.count, trackDuplicates: trackDuplicates)
    let value = try parser.parseDocument()
    return (value, parser.duplicates)
  }
}
