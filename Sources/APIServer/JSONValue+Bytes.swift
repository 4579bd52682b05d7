import KubeAPI

extension JSONValue {
  /// Parses a request body or stored value.
  static func decode(_ bytes: [UInt8]) throws(KubeAPIError) -> JSONValue { try JSONValue.parse(bytes) }

  /// Serializes as the API writes JSON. Values that JSON cannot carry (NaN) never reach here:
  /// they can only come from parsing, which refuses them.
  func encoded() -> [UInt8] { (try? serialized()) ?? Array("null".utf8) }
}
