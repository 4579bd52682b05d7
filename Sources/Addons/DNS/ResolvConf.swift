/// The host's upstream resolvers, read from resolv.conf the way kubelet and K3s pick them:
/// loopback stub resolvers (systemd-resolved's 127.0.0.53) are replaced by the real
/// upstreams in /run/systemd/resolve/resolv.conf when that file exists.
public enum ResolvConf {
  public static let defaultPath = "/etc/resolv.conf"
  public static let systemdPath = "/run/systemd/resolve/resolv.conf"

  /// `nameserver` addresses of a resolv.conf text, in order.
  public static func nameservers(in text: String) -> [IPAddress] {
    text.split(whereSeparator: \.isNewline).compactMap { line in
      let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard fields.count >= 2, fields[0] == "nameserver" else { return nil }
      // Drop an IPv6 zone ("fe80::1%eth0"): the forwarder sends through the default route.
      return IPAddress(fields[1].split(separator: "%").first ?? fields[1])
    }
  }

  /// Upstreams for the node: the file's resolvers, or systemd's when the file only has
  /// loopback stubs and systemd's exists. `read` answers a file's text or nil.
  public static func upstreams(path: String = defaultPath, read: (String) -> String?) -> [IPAddress] {
    let primary = read(path).map(nameservers(in:)) ?? []
    if path == defaultPath, primary.isEmpty || primary.contains(where: \.isLoopback),
      let systemd = read(systemdPath).map(nameservers(in:)), !systemd.isEmpty
    {
      return systemd
    }
    return primary
  }
}

extension IPAddress {
  public var isLoopback: Bool {
    switch self {
    case .v4(let value): value >> 24 == 127
    case .v6(let bytes): bytes == [UInt8](repeating: 0, count: 15) + [1]
    }
  }
}
