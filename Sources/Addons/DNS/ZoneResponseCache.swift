import Synchronization

/// Encoded answers to cluster-zone questions, reused until the records change. Queries repeat
/// a few names over and over (every pod resolves the same Services), so the hot path is a
/// lookup and a copy with the ID and the question's spelling patched in.
final class ZoneResponseCache: Sendable {
  let capacity: Int
  private let state = Mutex<(generation: UInt64, entries: [Key: [UInt8]])>((0, [:]))

  /// A question's key bytes, hashed in one call rather than byte by byte.
  struct Key: Hashable {
    let bytes: [UInt8]
    func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
  }

  init(capacity: Int = 4096) { self.capacity = capacity }

  /// The cached response for `query`, rewritten for it; nil on a miss or when records changed.
  func response(for query: QuickQuery, bytes: UnsafeRawBufferPointer, generation: UInt64) -> [UInt8]? {
    guard
      var response = state.withLock({ state -> [UInt8]? in
        guard state.generation == generation else {
          state = (generation, [:])
          return nil
        }
        return state.entries[Key(bytes: query.key)]
      })
    else { return nil }
    // ID, then the question name exactly as asked (same length: only its case can differ).
    response[0] = bytes[0]
    response[1] = bytes[1]
    for offset in 12..<query.questionEnd { response[offset] = bytes[offset] }
    return response
  }

  func store(_ response: [UInt8], for query: QuickQuery, generation: UInt64) {
    state.withLock { state in
      guard state.generation == generation else {
        if generation > state.generation { state = (generation, [:]) } else { return }
        return
      }
      if state.entries.count >= capacity { state.entries = [:] }
      state.entries[Key(bytes: query.key)] = response
    }
  }
}

/// The shape nearly every stub resolver query has — one uncompressed question, optionally one
/// OPT record — read without building a message. Anything else takes the full decoder.
struct QuickQuery {
  /// Lower-cased question (name, type, class) plus what else shapes the response bytes:
  /// RD and CD (echoed), EDNS presence and the size limit.
  let key: [UInt8]
  /// Offset just past the question name.
  let questionEnd: Int

  init?(_ bytes: UnsafeRawBufferPointer, udp: Bool, maxUDPPayload: Int) {
    let count = bytes.count
    // QR=0, opcode 0, one question, no answer/authority records, at most one additional.
    guard count >= 17, bytes[2] & 0xF8 == 0, bytes[4] == 0, bytes[5] == 1, bytes[6] == 0, bytes[7] == 0,
      bytes[8] == 0, bytes[9] == 0, bytes[10] == 0, bytes[11] <= 1
    else { return nil }
    var key: [UInt8] = []
    key.reserveCapacity(64)
    var offset = 12
    while true {
      guard offset < count else { return nil }
      let length = Int(bytes[offset])
      if length == 0 { break }
      guard length <= 63, offset + 1 + length < count, offset + length - 12 < 254 else { return nil }
      key.append(UInt8(length))
      for index in (offset + 1)...(offset + length) { key.append(DNSName.lower(bytes[index])) }
      offset += length + 1
    }
    key.append(0)
    questionEnd = offset + 1
    guard questionEnd + 4 <= count else { return nil }
    for index in questionEnd..<(questionEnd + 4) { key.append(bytes[index]) }
    var end = questionEnd + 4
    var limit = udp ? 512 : 65535
    var hasEDNS: UInt8 = 0
    if bytes[11] == 1 {
      // OPT: root name, type 41, class = payload size, TTL = ext-rcode/version/flags, rdata.
      guard end + 11 <= count, bytes[end] == 0, bytes[end + 1] == 0, bytes[end + 2] == 41, bytes[end + 6] == 0
      else { return nil }
      let payload = Int(bytes[end + 3]) << 8 | Int(bytes[end + 4])
      let length = Int(bytes[end + 9]) << 8 | Int(bytes[end + 10])
      end += 11 + length
      if udp { limit = min(max(payload, 512), maxUDPPayload) }
      hasEDNS = 1
    }
    guard end == count else { return nil }
    key.append(bytes[2] & 0x01 | bytes[3] & 0x10 | hasEDNS << 1)
    key.append(UInt8(limit >> 8))
    key.append(UInt8(limit & 0xFF))
    self.key = key
  }
}
