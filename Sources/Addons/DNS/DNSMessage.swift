/// A DNS message (RFC 1035 §4) with the EDNS OPT record lifted out of the additional
/// section, so the response code is the full 12-bit value.
public struct DNSMessage: Hashable, Sendable {
  public var id: UInt16
  public var isResponse = false
  public var opcode: UInt8 = 0
  public var authoritative = false
  public var truncated = false
  public var recursionDesired = false
  public var recursionAvailable = false
  public var authenticData = false
  public var checkingDisabled = false
  public var responseCode = DNSResponseCode.noError
  public var questions: [DNSQuestion] = []
  public var answers: [DNSRecord] = []
  public var authorities: [DNSRecord] = []
  public var additionals: [DNSRecord] = []
  public var edns: EDNS?

  public init(id: UInt16, questions: [DNSQuestion] = []) {
    self.id = id
    self.questions = questions
  }

  /// A query with RD set, as a stub resolver sends it.
  public static func query(
    id: UInt16, name: DNSName, type: DNSType, recordClass: UInt16 = DNSClass.internet, edns: EDNS? = nil
  ) -> DNSMessage {
    var message = DNSMessage(id: id, questions: [DNSQuestion(name: name, type: type, recordClass: recordClass)])
    message.recursionDesired = true
    message.edns = edns
    return message
  }

  /// An empty response to `query`: same ID, opcode, RD, CD and question.
  public static func response(to query: DNSMessage, code: DNSResponseCode = .noError) -> DNSMessage {
    var message = DNSMessage(id: query.id, questions: query.questions)
    message.isResponse = true
    message.opcode = query.opcode
    message.recursionDesired = query.recursionDesired
    message.checkingDisabled = query.checkingDisabled
    message.recursionAvailable = true
    message.responseCode = code
    return message
  }

  /// Header flags word (bits 0–15), with the low four bits of the response code.
  var flags: UInt16 {
    var flags: UInt16 = 0
    if isResponse { flags |= 0x8000 }
    flags |= UInt16(opcode & 0xF) << 11
    if authoritative { flags |= 0x0400 }
    if truncated { flags |= 0x0200 }
    if recursionDesired { flags |= 0x0100 }
    if recursionAvailable { flags |= 0x0080 }
    if authenticData { flags |= 0x0020 }
    if checkingDisabled { flags |= 0x0010 }
    flags |= responseCode.rawValue & 0xF
    return flags
  }

  mutating func setFlags(_ flags: UInt16) {
    isResponse = flags & 0x8000 != 0
    opcode = UInt8(flags >> 11 & 0xF)
    authoritative = flags & 0x0400 != 0
    truncated = flags & 0x0200 != 0
    recursionDesired = flags & 0x0100 != 0
    recursionAvailable = flags & 0x0080 != 0
    authenticData = flags & 0x0020 != 0
    checkingDisabled = flags & 0x0010 != 0
    responseCode = DNSResponseCode(rawValue: flags & 0xF)
  }
}
