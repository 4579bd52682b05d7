extension DNSMessage {
  /// Wire form with name compression. When the message exceeds `maxSize` (a UDP client's
  /// limit) whole answer/authority records are left off and TC is set; additional records are
  /// simply dropped (RFC 2181 §9). The OPT record always fits.
  public func encoded(maxSize: Int = 65535) -> [UInt8] {
    var writer = DNSWriter()
    writer.bytes.reserveCapacity(min(maxSize, 512))
    writer.u16(id)
    writer.u16(0)  // flags, patched below
    writer.u16(UInt16(questions.count))
    writer.u16(0)
    writer.u16(0)
    writer.u16(0)
    for question in questions {
      writer.name(question.name)
      writer.u16(question.type.rawValue)
      writer.u16(question.recordClass)
    }
    let optSize = edns.map { 11 + $0.options.reduce(0) { $0 + 4 + $1.data.count } } ?? 0
    let budget = max(maxSize, writer.bytes.count + optSize) - optSize
    var overflow = false
    var counts: [UInt16] = [0, 0, 0]
    for (section, records) in [answers, authorities, additionals].enumerated() {
      if overflow { break }
      for record in records {
        let mark = writer.mark()
        writer.record(record)
        if writer.bytes.count > budget {
          writer.rollback(to: mark)
          overflow = section < 2
          break
        }
        counts[section] += 1
      }
    }
    var additionalCount = counts[2]
    if let edns {
      writer.bytes.append(0)
      writer.u16(DNSType.opt.rawValue)
      writer.u16(edns.udpPayloadSize)
      writer.u32(
        UInt32(responseCode.rawValue >> 4 & 0xFF) << 24 | UInt32(edns.version) << 16 | (edns.dnssecOK ? 0x8000 : 0))
      writer.u16(UInt16(optSize - 11))
      for option in edns.options {
        writer.u16(option.code)
        writer.u16(UInt16(option.data.count))
        writer.bytes += option.data
      }
      additionalCount += 1
    }
    var header = self
    header.truncated = truncated || overflow
    writer.set(2, header.flags)
    writer.set(6, counts[0])
    writer.set(8, counts[1])
    writer.set(10, additionalCount)
    return writer.bytes
  }
}

/// Writes wire format, remembering where each name suffix was written so later names can
/// point at it (RFC 1035 §4.1.4).
struct DNSWriter {
  var bytes: [UInt8] = []
  /// Offset in `bytes` of a written suffix, and that suffix's uncompressed length.
  private var suffixes: [(offset: Int, length: Int)] = []

  struct Mark {
    let size: Int
    let suffixCount: Int
  }

  func mark() -> Mark { Mark(size: bytes.count, suffixCount: suffixes.count) }

  mutating func rollback(to mark: Mark) {
    bytes.removeLast(bytes.count - mark.size)
    suffixes.removeLast(suffixes.count - mark.suffixCount)
  }

  mutating func u16(_ value: UInt16) {
    bytes.append(UInt8(value >> 8))
    bytes.append(UInt8(value & 0xFF))
  }

  mutating func u32(_ value: UInt32) {
    u16(UInt16(value >> 16))
    u16(UInt16(value & 0xFFFF))
  }

  mutating func set(_ offset: Int, _ value: UInt16) {
    bytes[offset] = UInt8(value >> 8)
    bytes[offset + 1] = UInt8(value & 0xFF)
  }

  /// Writes `name`, ending in a pointer to the longest suffix already in the message.
  mutating func name(_ name: DNSName, compress: Bool = true) {
    let wire = name.wire
    var index = 0
    while index < wire.count, wire[index] != 0 {
      let remaining = wire.count - index
      if compress, let target = suffixes.first(where: { $0.length == remaining && matches(wire, index, at: $0.offset) })
      {
        u16(0xC000 | UInt16(target.offset))
        return
      }
      if bytes.count < 0x4000 { suffixes.append((bytes.count, remaining)) }
      let length = Int(wire[index])
      bytes.append(contentsOf: wire[index...(index + length)])
      index += length + 1
    }
    bytes.append(0)
  }

  /// Whether the name written at `offset` (following its pointers) equals `wire[index...]`.
  private func matches(_ wire: [UInt8], _ index: Int, at offset: Int) -> Bool {
    var index = index
    var position = offset
    while true {
      var length = bytes[position]
      while length & 0xC0 == 0xC0 {
        position = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
        length = bytes[position]
      }
      guard length == wire[index] else { return false }
      if length == 0 { return true }
      for step in 1...Int(length) where DNSName.lower(bytes[position + step]) != DNSName.lower(wire[index + step]) {
        return false
      }
      position += Int(length) + 1
      index += Int(length) + 1
    }
  }

  mutating func record(_ record: DNSRecord) {
    name(record.name)
    u16(record.type.rawValue)
    u16(record.recordClass)
    u32(record.ttl)
    let lengthOffset = bytes.count
    u16(0)
    switch record.data {
    case .address(let address): bytes += address.bytes
    case .name(let target): name(target)
    case .mx(let preference, let exchange):
      u16(preference)
      name(exchange)
    case .srv(let priority, let weight, let port, let target):
      u16(priority)
      u16(weight)
      u16(port)
      name(target, compress: false)  // RFC 2782: the target is never compressed
    case .soa(let primary, let mailbox, let serial, let refresh, let retry, let expire, let minimum):
      name(primary)
      name(mailbox)
      for value in [serial, refresh, retry, expire, minimum] { u32(value) }
    case .opaque(let data): bytes += data
    }
    set(lengthOffset, UInt16(bytes.count - lengthOffset - 2))
  }
}
