extension DNSMessage {
  /// Decodes a message; throws `.malformedMessage` on anything short, inconsistent or looping.
  public init(decoding bytes: [UInt8]) throws(AddonsError) {
    let result = bytes.withUnsafeBytes { buffer in
      Result { () throws(AddonsError) -> DNSMessage in try DNSMessage(decoding: buffer) }
    }
    self = try result.get()
  }

  public init(decoding buffer: UnsafeRawBufferPointer) throws(AddonsError) {
    var reader = DNSReader(bytes: buffer)
    let header = try reader.header()
    self.init(id: header.id)
    setFlags(header.flags)
    questions.reserveCapacity(Int(min(header.counts.0, 4)))
    for _ in 0..<header.counts.0 {
      let name = try reader.name()
      questions.append(
        DNSQuestion(name: name, type: DNSType(rawValue: try reader.u16()), recordClass: try reader.u16()))
    }
    for _ in 0..<header.counts.1 { answers.append(try reader.record()) }
    for _ in 0..<header.counts.2 { authorities.append(try reader.record()) }
    for _ in 0..<header.counts.3 {
      let record = try reader.record()
      guard record.type == .opt else {
        additionals.append(record)
        continue
      }
      guard edns == nil, record.name == .root, case .opaque(let data) = record.data else {
        throw AddonsError(.malformedMessage, "DNS message with a second or misplaced OPT record")
      }
      var options = EDNS(
        udpPayloadSize: record.recordClass, version: UInt8(record.ttl >> 16 & 0xFF),
        dnssecOK: record.ttl & 0x8000 != 0)
      options.options = try Self.ednsOptions(data)
      responseCode = DNSResponseCode(rawValue: UInt16(record.ttl >> 24) << 4 | responseCode.rawValue)
      edns = options
    }
  }

  private static func ednsOptions(_ data: [UInt8]) throws(AddonsError) -> [(code: UInt16, data: [UInt8])] {
    var options: [(code: UInt16, data: [UInt8])] = []
    var index = 0
    while index < data.count {
      guard index + 4 <= data.count else { throw AddonsError(.malformedMessage, "truncated EDNS option") }
      let code = UInt16(data[index]) << 8 | UInt16(data[index + 1])
      let length = Int(data[index + 2]) << 8 | Int(data[index + 3])
      guard index + 4 + length <= data.count else { throw AddonsError(.malformedMessage, "truncated EDNS option") }
      options.append((code, Array(data[(index + 4)..<(index + 4 + length)])))
      index += 4 + length
    }
    return options
  }
}

/// Reads wire format out of a buffer, bounds-checking every access.
struct DNSReader {
  let bytes: UnsafeRawBufferPointer
  var offset = 0

  static func truncated(_ what: String) -> AddonsError {
    AddonsError(.malformedMessage, "DNS message truncated inside \(what)")
  }

  mutating func header() throws(AddonsError) -> (id: UInt16, flags: UInt16, counts: (UInt16, UInt16, UInt16, UInt16)) {
    guard bytes.count >= 12 else {
      throw AddonsError(.malformedMessage, "DNS message shorter than its 12-byte header (\(bytes.count) bytes)")
    }
    return (try u16(), try u16(), (try u16(), try u16(), try u16(), try u16()))
  }

  mutating func u8() throws(AddonsError) -> UInt8 {
    guard offset < bytes.count else { throw Self.truncated("a field") }
    defer { offset += 1 }
    return bytes[offset]
  }

  mutating func u16() throws(AddonsError) -> UInt16 {
    guard offset + 2 <= bytes.count else { throw Self.truncated("a field") }
    defer { offset += 2 }
    return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
  }

  mutating func u32() throws(AddonsError) -> UInt32 {
    guard offset + 4 <= bytes.count else { throw Self.truncated("a field") }
    defer { offset += 4 }
    return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
      | UInt32(bytes[offset + 3])
  }

  /// A possibly compressed name. Each pointer must jump strictly before the previous jump's
  /// target, so a chain of pointers always ends: loops are rejected, not followed.
  mutating func name() throws(AddonsError) -> DNSName {
    var wire: [UInt8] = []
    wire.reserveCapacity(32)
    var position = offset
    var limit = offset
    var jumped = false
    while true {
      guard position < bytes.count else { throw Self.truncated("a name") }
      let length = bytes[position]
      switch length & 0xC0 {
      case 0:
        if length == 0 {
          wire.append(0)
          if !jumped { offset = position + 1 }
          return DNSName(uncheckedWire: wire)
        }
        let end = position + 1 + Int(length)
        guard end <= bytes.count else { throw Self.truncated("a name") }
        guard wire.count + Int(length) + 2 <= 255 else {
          throw AddonsError(.malformedMessage, "DNS name longer than 255 bytes")
        }
        wire.append(contentsOf: bytes[position..<end])
        position = end
      case 0xC0:
        guard position + 1 < bytes.count else { throw Self.truncated("a compression pointer") }
        let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
        guard target < limit else {
          throw AddonsError(.malformedMessage, "DNS compression pointer at \(position) does not point backwards")
        }
        if !jumped {
          offset = position + 2
          jumped = true
        }
        limit = target
        position = target
      default:
        throw AddonsError(.malformedMessage, "DNS label type \(length >> 6) is not supported")
      }
    }
  }

  mutating func record() throws(AddonsError) -> DNSRecord {
    let owner = try name()
    let type = DNSType(rawValue: try u16())
    let recordClass = try u16()
    let ttl = try u32()
    let length = Int(try u16())
    let end = offset + length
    guard end <= bytes.count else { throw Self.truncated("record data of \(owner)") }
    let data: DNSRecordData
    switch type {
    case .a, .aaaa:
      guard length == (type == .a ? 4 : 16), let address = IPAddress(bytes: bytes[offset..<end]) else {
        throw AddonsError(.malformedMessage, "\(type) record of \(owner) has \(length) bytes of data")
      }
      data = .address(address)
      offset = end
    case .cname, .ns, .ptr: data = .name(try name())
    case .mx: data = .mx(preference: try u16(), exchange: try name())
    case .srv: data = .srv(priority: try u16(), weight: try u16(), port: try u16(), target: try name())
    case .soa:
      data = .soa(
        primary: try name(), mailbox: try name(), serial: try u32(), refresh: try u32(), retry: try u32(),
        expire: try u32(), minimum: try u32())
    default:
      data = .opaque(Array(bytes[offset..<end]))
      offset = end
    }
    guard offset == end else {
      throw AddonsError(.malformedMessage, "\(type) record of \(owner) has inconsistent data length \(length)")
    }
    return DNSRecord(name: owner, type: type, recordClass: recordClass, ttl: ttl, data: data)
  }
}
