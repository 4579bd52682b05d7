import NIOCore
import Synchronization

/// Resolves names outside the cluster zone (the forwarder, with its cache).
protocol DNSUpstream: Sendable {
  func resolve(_ question: DNSQuestion, on eventLoop: any EventLoop) -> EventLoopFuture<DNSUpstreamResult>
}

/// Turns one request into one response: validates it (FORMERR, NOTIMP, REFUSED, BADVERS),
/// answers cluster names from the zone at once and forwards the rest. Never throws: a
/// malformed packet gets FORMERR or, when not even the header is there, no answer.
struct DNSQueryHandler: Sendable {
  let zone: ClusterZone
  let upstream: (any DNSUpstream)?
  /// Largest UDP response we send, whatever the client advertises (DNS flag day 2020).
  let maxUDPPayload: Int = 1232
  /// Zone answers already encoded, reused until the records change.
  let responses = ZoneResponseCache()

  enum Reply {
    case now([UInt8])
    case later(EventLoopFuture<[UInt8]>)
    case drop
  }

  func handle(_ bytes: UnsafeRawBufferPointer, udp: Bool, on eventLoop: any EventLoop) -> Reply {
    let quick = QuickQuery(bytes, udp: udp, maxUDPPayload: maxUDPPayload)
    let generation = zone.records.generation.load(ordering: .acquiring)
    if let quick, let cached = responses.response(for: quick, bytes: bytes, generation: generation) {
      return .now(cached)
    }
    let request: DNSMessage
    do {
      request = try DNSMessage(decoding: bytes)
    } catch {
      return formatError(bytes)
    }
    if request.isResponse { return .drop }
    let limit = udp ? min(max(Int(request.edns?.udpPayloadSize ?? 512), 512), maxUDPPayload) : 65535
    var response = DNSMessage.response(to: request)
    if request.edns != nil { response.edns = EDNS(udpPayloadSize: UInt16(maxUDPPayload)) }
    guard request.opcode == 0 else { return .now(fail(response, .notImplemented, limit)) }
    guard request.questions.count == 1, let question = request.questions.first else {
      return .now(fail(response, .formatError, limit))
    }
    if let edns = request.edns, edns.version > 0 { return .now(fail(response, .badVersion, limit)) }
    switch question.type {
    case .opt: return .now(fail(response, .formatError, limit))
    case .axfr, .ixfr: return .now(fail(response, .refused, limit))
    default: break
    }
    let inZone = question.name.isSubdomain(of: zone.domain)
    if inZone, question.recordClass != DNSClass.internet, question.recordClass != DNSClass.any {
      return .now(fail(response, .refused, limit))
    }
    if let answer = zone.resolve(question.name, question.type) {
      response.authoritative = true
      response.responseCode = answer.code
      response.answers = answer.answers
      response.authorities = answer.authorities
      response.additionals = answer.additionals
      guard let target = answer.external else {
        let encoded = response.encoded(maxSize: limit)
        if let quick { responses.store(encoded, for: quick, generation: generation) }
        return .now(encoded)
      }
      guard let upstream else { return .now(response.encoded(maxSize: limit)) }
      // ExternalName: CoreDNS appends the upstream's answer for the CNAME target.
      let chase = DNSQuestion(name: target, type: question.type, recordClass: question.recordClass)
      let partial = response
      return .later(
        upstream.resolve(chase, on: eventLoop).map { result in
          var response = partial
          response.answers += result.answers
          response.responseCode = result.code == .nameError ? .nameError : response.responseCode
          if result.answers.isEmpty { response.authorities = result.authorities }
          return response.encoded(maxSize: limit)
        })
    }
    guard let upstream else { return .now(fail(response, .refused, limit)) }
    let empty = response
    return .later(
      upstream.resolve(question, on: eventLoop).map { result in
        var response = empty
        response.responseCode = result.code
        response.answers = result.answers
        response.authorities = result.authorities
        response.additionals = result.additionals
        return response.encoded(maxSize: limit)
      })
  }

  private func fail(_ response: DNSMessage, _ code: DNSResponseCode, _ limit: Int) -> [UInt8] {
    var response = response
    response.responseCode = code
    if code == .badVersion && response.edns == nil { response.edns = EDNS(udpPayloadSize: UInt16(maxUDPPayload)) }
    return response.encoded(maxSize: limit)
  }

  /// FORMERR echoing the ID and opcode of a request whose header at least arrived intact.
  private func formatError(_ bytes: UnsafeRawBufferPointer) -> Reply {
    guard bytes.count >= 12, bytes[2] & 0x80 == 0 else { return .drop }
    var response = DNSMessage(id: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
    response.isResponse = true
    response.opcode = bytes[2] >> 3 & 0xF
    response.recursionDesired = bytes[2] & 1 != 0
    response.recursionAvailable = true
    response.responseCode = .formatError
    return .now(response.encoded())
  }
}
