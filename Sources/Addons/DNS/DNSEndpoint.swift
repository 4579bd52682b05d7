import NIOCore

/// Parses "ip", "ip:port", "[ipv6]:port" into a socket address.
enum DNSEndpoint {
  static func parse(_ text: String, defaultPort: Int = 53) throws(AddonsError) -> SocketAddress {
    var host = text
    var port = defaultPort
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]") else { throw invalid(text) }
      host = String(text[text.index(after: text.startIndex)..<close])
      let rest = text[text.index(after: close)...]
      if !rest.isEmpty {
        guard rest.hasPrefix(":"), let value = Int(rest.dropFirst()) else { throw invalid(text) }
        port = value
      }
    } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
      host = String(text[..<colon])
      guard let value = Int(text[text.index(after: colon)...]) else { throw invalid(text) }
      port = value
    }
    guard (0...65535).contains(port), IPAddress(host) != nil,
      let address = try? SocketAddress(ipAddress: host, port: port)
    else { throw invalid(text) }
    return address
  }

  private static func invalid(_ text: String) -> AddonsError {
    AddonsError(
      .invalidConfiguration,
      "invalid DNS address \"\(text)\": want an IP address with an optional port, like 10.43.0.10:53 or [fd00::10]:53")
  }
}
