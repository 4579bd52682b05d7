/// A resource record. Record data of types whose names may be compressed (RFC 3597 §4) is
/// decoded so it can be re-encoded against a new message; anything else stays opaque bytes.
public struct DNSRecord: Hashable, Sendable {
  public var name: DNSName
  public var type: DNSType
  public var recordClass: UInt16
  public var ttl: UInt32
  public var data: DNSRecordData

  public init(
    name: DNSName, type: DNSType, recordClass: UInt16 = DNSClass.internet, ttl: UInt32, data: DNSRecordData
  ) {
    self.name = name
    self.type = type
    self.recordClass = recordClass
    self.ttl = ttl
    self.data = data
  }

  public static func a(_ name: DNSName, _ address: IPAddress, ttl: UInt32) -> DNSRecord {
    DNSRecord(name: name, type: address.isIPv4 ? .a : .aaaa, ttl: ttl, data: .address(address))
  }
}

public enum DNSRecordData: Hashable, Sendable {
  /// A (IPv4) or AAAA (IPv6).
  case address(IPAddress)
  /// CNAME, NS, PTR: one name.
  case name(DNSName)
  case mx(preference: UInt16, exchange: DNSName)
  case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
  case soa(
    primary: DNSName, mailbox: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32,
    minimum: UInt32)
  /// Any other type, as received.
  case opaque([UInt8])
}
