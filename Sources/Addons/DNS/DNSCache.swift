import SkiffCore
import Synchronization

/// Forwarded answers, kept for their TTL (capped) and negative answers for the SOA minimum
/// (RFC 2308), bounded in size. Time comes from an injected clock so tests move it.
final class DNSCache: Sendable {
  struct Entry: Sendable {
    var result: DNSUpstreamResult
    var stored: Int64
    var expires: Int64
  }

  let capacity: Int
  let maxTTL: UInt32
  let maxNegativeTTL: UInt32
  let clock: any WallClock
  private let entries = Mutex<[DNSQuestion: Entry]>([:])

  init(capacity: Int = 10_000, maxTTL: UInt32 = 3600, maxNegativeTTL: UInt32 = 1800, clock: any WallClock) {
    self.capacity = max(1, capacity)
    self.maxTTL = maxTTL
    self.maxNegativeTTL = maxNegativeTTL
    self.clock = clock
  }

  var count: Int { entries.withLock { $0.count } }

  /// The cached result with TTLs counted down by the time it spent here.
  func lookup(_ question: DNSQuestion) -> DNSUpstreamResult? {
    let now = clock.nowMilliseconds()
    let key = Self.key(question)
    guard
      let entry = entries.withLock({ entries -> Entry? in
        guard let entry = entries[key] else { return nil }
        if now >= entry.expires {
          entries[key] = nil
          return nil
        }
        return entry
      })
    else { return nil }
    let elapsed = UInt32(clamping: (now - entry.stored) / 1000)
    var result = entry.result
    let age = { (records: inout [DNSRecord]) in
      for index in records.indices {
        records[index].ttl = records[index].ttl > elapsed ? records[index].ttl - elapsed : 0
      }
    }
    age(&result.answers)
    age(&result.authorities)
    age(&result.additionals)
    return result
  }

  /// Stores a result if it may be cached: positive answers for their smallest TTL, NXDOMAIN and
  /// NODATA for min(SOA TTL, SOA minimum); failures never.
  func store(_ question: DNSQuestion, _ result: DNSUpstreamResult) {
    guard let ttl = Self.lifetime(result, maxTTL: maxTTL, maxNegativeTTL: maxNegativeTTL), ttl > 0 else { return }
    let now = clock.nowMilliseconds()
    let entry = Entry(result: result, stored: now, expires: now + Int64(ttl) * 1000)
    let key = Self.key(question)
    entries.withLock { entries in
      if entries[key] == nil, entries.count >= capacity { Self.evict(&entries, now: now, capacity: capacity) }
      entries[key] = entry
    }
  }

  static func key(_ question: DNSQuestion) -> DNSQuestion {
    DNSQuestion(name: question.name.lowercased, type: question.type, recordClass: question.recordClass)
  }

  static func lifetime(_ result: DNSUpstreamResult, maxTTL: UInt32, maxNegativeTTL: UInt32) -> UInt32? {
    switch result.code {
    case .noError where !result.answers.isEmpty:
      let records = result.answers + result.authorities + result.additionals
      return min(records.map(\.ttl).min() ?? 0, maxTTL)
    case .noError, .nameError:
      for record in result.authorities {
        if case .soa(_, _, _, _, _, _, let minimum) = record.data { return min(record.ttl, minimum, maxNegativeTTL) }
      }
      return nil
    default:
      return nil
    }
  }

  /// Drops expired entries, then the ones closest to expiry, down to 90% of capacity.
  private static func evict(_ entries: inout [DNSQuestion: Entry], now: Int64, capacity: Int) {
    entries = entries.filter { $0.value.expires > now }
    let target = capacity * 9 / 10
    guard entries.count > target else { return }
    let doomed = entries.sorted { $0.value.expires < $1.value.expires }.prefix(entries.count - target)
    for (key, _) in doomed { entries[key] = nil }
  }
}

/// What an upstream (or the cache) answered for a question: its code and record sections.
struct DNSUpstreamResult: Sendable, Equatable {
  var code: DNSResponseCode
  var answers: [DNSRecord] = []
  var authorities: [DNSRecord] = []
  var additionals: [DNSRecord] = []
}
