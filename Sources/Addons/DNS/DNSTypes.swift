/// A resource record type (RFC 1035 and successors); unknown values are kept as numbers.
public struct DNSType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  public var rawValue: UInt16
  public init(rawValue: UInt16) { self.rawValue = rawValue }

  public static let a = DNSType(rawValue: 1)
  public static let ns = DNSType(rawValue: 2)
  public static let cname = DNSType(rawValue: 5)
  public static let soa = DNSType(rawValue: 6)
  public static let ptr = DNSType(rawValue: 12)
  public static let mx = DNSType(rawValue: 15)
  public static let txt = DNSType(rawValue: 16)
  public static let aaaa = DNSType(rawValue: 28)
  public static let srv = DNSType(rawValue: 33)
  public static let opt = DNSType(rawValue: 41)
  public static let ixfr = DNSType(rawValue: 251)
  public static let axfr = DNSType(rawValue: 252)
  public static let any = DNSType(rawValue: 255)

  public var description: String {
    switch self {
    case .a: "A"
    case .ns: "NS"
    case .cname: "CNAME"
    case .soa: "SOA"
    case .ptr: "PTR"
    case .mx: "MX"
    case .txt: "TXT"
    case .aaaa: "AAAA"
    case .srv: "SRV"
    case .opt: "OPT"
    case .any: "ANY"
    default: "TYPE\(rawValue)"
    }
  }
}

/// Record classes: only IN is served from the cluster zone.
public enum DNSClass {
  public static let internet: UInt16 = 1
  public static let any: UInt16 = 255
}

/// Response codes, including the EDNS extended BADVERS.
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable {
  public var rawValue: UInt16
  public init(rawValue: UInt16) { self.rawValue = rawValue }

  public static let noError = DNSResponseCode(rawValue: 0)
  public static let formatError = DNSResponseCode(rawValue: 1)
  public static let serverFailure = DNSResponseCode(rawValue: 2)
  public static let nameError = DNSResponseCode(rawValue: 3)
  public static let notImplemented = DNSResponseCode(rawValue: 4)
  public static let refused = DNSResponseCode(rawValue: 5)
  public static let badVersion = DNSResponseCode(rawValue: 16)
}

/// One entry of the question section.
public struct DNSQuestion: Hashable, Sendable {
  public var name: DNSName
  public var type: DNSType
  public var recordClass: UInt16

  public init(name: DNSName, type: DNSType, recordClass: UInt16 = DNSClass.internet) {
    self.name = name
    self.type = type
    self.recordClass = recordClass
  }
}

/// The EDNS(0) pseudo-record (RFC 6891): the sender's UDP payload size, version and DO bit.
public struct EDNS: Hashable, Sendable {
  public var udpPayloadSize: UInt16
  public var version: UInt8 = 0
  public var dnssecOK = false
  /// Options, undecoded (code, data).
  public var options: [(code: UInt16, data: [UInt8])] = []

  public init(udpPayloadSize: UInt16, version: UInt8 = 0, dnssecOK: Bool = false) {
    self.udpPayloadSize = udpPayloadSize
    self.version = version
    self.dnssecOK = dnssecOK
  }

  public static func == (lhs: EDNS, rhs: EDNS) -> Bool {
    lhs.udpPayloadSize == rhs.udpPayloadSize && lhs.version == rhs.version && lhs.dnssecOK == rhs.dnssecOK
      && lhs.options.map(\.code) == rhs.options.map(\.code) && lhs.options.map(\.data) == rhs.options.map(\.data)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(udpPayloadSize)
    hasher.combine(version)
    hasher.combine(dnssecOK)
  }
}
