import SkiffCore
import Testing

@testable import Addons

@Suite struct DNSCodecTests {
  static func name(_ text: String) -> DNSName { try! DNSName(text) }

  static var sample: DNSMessage {
    var message = DNSMessage.response(
      to: .query(id: 0xBEEF, name: name("Web.Default.svc.cluster.local"), type: .a, edns: EDNS(udpPayloadSize: 1232)))
    message.authoritative = true
    message.edns = EDNS(udpPayloadSize: 1232, dnssecOK: true)
    let owner = name("Web.Default.svc.cluster.local")
    message.answers = [
      .a(owner, IPAddress("10.43.1.5")!, ttl: 5),
      .a(owner, IPAddress("fd00:43::5")!, ttl: 5),
      DNSRecord(name: owner, type: .cname, ttl: 30, data: .name(name("other.example.com"))),
      DNSRecord(name: owner, type: .ptr, ttl: 30, data: .name(name("x.svc.cluster.local"))),
      DNSRecord(name: owner, type: .mx, ttl: 30, data: .mx(preference: 10, exchange: name("mail.example.com"))),
      DNSRecord(
        name: owner, type: .srv, ttl: 5, data: .srv(priority: 0, weight: 100, port: 80, target: owner)),
      DNSRecord(name: owner, type: .txt, ttl: 5, data: .opaque([5] + Array("hello".utf8))),
    ]
    message.authorities = [
      DNSRecord(
        name: name("cluster.local"), type: .soa, ttl: 5,
        data: .soa(
          primary: name("ns.dns.cluster.local"), mailbox: name("hostmaster.cluster.local"), serial: 7,
          refresh: 7200, retry: 1800, expire: 86400, minimum: 5))
    ]
    message.additionals = [.a(name("ns.dns.cluster.local"), IPAddress("10.43.0.10")!, ttl: 5)]
    return message
  }

  @Test func roundTripsEveryRecordTypeAndEDNS() throws {
    let message = Self.sample
    let decoded = try DNSMessage(decoding: message.encoded())
    #expect(decoded == message)
    #expect(decoded.questions[0].name.description == "Web.Default.svc.cluster.local.")
    #expect(decoded.edns?.dnssecOK == true)
  }

  @Test func compressesRepeatedNamesWithPointers() throws {
    let message = Self.sample
    let bytes = message.encoded()
    // The first answer's owner is a pointer to the question name at offset 12.
    let questionEnd = 12 + Self.name("Web.Default.svc.cluster.local").wire.count + 4
    #expect(bytes[questionEnd] == 0xC0 && bytes[questionEnd + 1] == 12)
    let uncompressed =
      message.answers.count * (message.questions[0].name.wire.count + 10)
    #expect(bytes.count < uncompressed + 200)
    // Names compare case-insensitively, so a differently cased owner still compresses.
    var shouting = message
    shouting.answers = [.a(Self.name("WEB.DEFAULT.SVC.CLUSTER.LOCAL"), IPAddress("10.0.0.1")!, ttl: 5)]
    shouting.authorities = []
    shouting.additionals = []
    shouting.edns = nil
    #expect(shouting.encoded().count == 12 + 31 + 4 + 2 + 10 + 4)
  }

  @Test func rejectsCompressionLoops() {
    // Header with one question whose name is a pointer to itself.
    let selfLoop: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1]
    #expect(throws: AddonsError.self) { try DNSMessage(decoding: selfLoop) }
    // Two labels pointing at each other: 12 -> label "a" then pointer to 16; 16 -> pointer to 12.
    let mutual: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0xC0, 16, 0xC0, 12, 0, 1, 0, 1]
    #expect(throws: AddonsError.self) { try DNSMessage(decoding: mutual) }
    // A forward pointer past the end.
    let outside: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 1, 0, 1]
    #expect(throws: AddonsError.self) { try DNSMessage(decoding: outside) }
  }

  @Test func everyTruncationOfAValidMessageFailsCleanly() throws {
    let bytes = Self.sample.encoded()
    for length in 0..<bytes.count {
      #expect(throws: AddonsError.self) { try DNSMessage(decoding: Array(bytes.prefix(length))) }
    }
  }

  @Test func corruptedMessagesNeverCrash() {
    let bytes = Self.sample.encoded()
    var generator = SplitMix64(seed: 42)
    var decoded = 0
    for _ in 0..<5000 {
      var mutated = bytes
      for _ in 0..<Int(generator.next() % 4 + 1) {
        mutated[Int(generator.next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: generator.next())
      }
      if (try? DNSMessage(decoding: mutated)) != nil { decoded += 1 }
    }
    // Most single-byte changes land in TTLs or addresses and still decode.
    #expect(decoded > 0)
  }

  @Test func carriesTheExtendedResponseCodeInOPT() throws {
    var message = DNSMessage.response(to: .query(id: 1, name: .root, type: .a))
    message.edns = EDNS(udpPayloadSize: 4096)
    message.responseCode = .badVersion
    let bytes = message.encoded()
    #expect(bytes[3] & 0xF == 0)
    let decoded = try DNSMessage(decoding: bytes)
    #expect(decoded.responseCode == .badVersion)
    #expect(decoded.edns?.udpPayloadSize == 4096)
  }

  @Test func rejectsASecondOPTRecord() {
    var message = DNSMessage.query(id: 1, name: .root, type: .a, edns: EDNS(udpPayloadSize: 512))
    message.additionals = [DNSRecord(name: .root, type: .opt, recordClass: 512, ttl: 0, data: .opaque([]))]
    #expect(throws: AddonsError.self) { try DNSMessage(decoding: message.encoded()) }
  }

  @Test func truncatesWholeRecordsAndSetsTC() throws {
    var message = DNSMessage.response(to: .query(id: 9, name: Self.name("big.default.svc.cluster.local"), type: .a))
    message.edns = EDNS(udpPayloadSize: 1232)
    message.answers = (0..<100).map {
      .a(Self.name("big.default.svc.cluster.local"), .v4(0x0A2A_0000 + UInt32($0)), ttl: 5)
    }
    let bytes = message.encoded(maxSize: 512)
    #expect(bytes.count <= 512)
    let decoded = try DNSMessage(decoding: bytes)
    #expect(decoded.truncated)
    #expect(decoded.answers.count > 0 && decoded.answers.count < 100)
    #expect(decoded.edns != nil)
    let whole = try DNSMessage(decoding: message.encoded())
    #expect(!whole.truncated && whole.answers.count == 100)
  }

  @Test func namesCompareCaseInsensitivelyAndKeepTheirSpelling() throws {
    let asked = try DNSName("WeB.Default.SVC.cluster.local.")
    #expect(asked == (try DNSName("web.default.svc.cluster.local")))
    #expect(asked.hashValue == (try DNSName("web.default.svc.cluster.local")).hashValue)
    #expect(asked.description == "WeB.Default.SVC.cluster.local.")
    #expect(asked.labels == ["web", "default", "svc", "cluster", "local"])
    #expect(asked.isSubdomain(of: try DNSName("Cluster.Local")))
    #expect(!(try DNSName("xcluster.local")).isSubdomain(of: try DNSName("cluster.local")))
    #expect(throws: AddonsError.self) { try DNSName(String(repeating: "a", count: 64) + ".local") }
  }

  @Test func addressesFormatAndReverse() {
    #expect(IPAddress("fd00:0:0::1")?.description == "fd00::1")
    #expect(IPAddress("10.43.0.10")?.reverseName.description == "10.0.43.10.in-addr.arpa.")
    let v6 = IPAddress("2001:db8::567:89ab")!
    #expect(v6.reverseName.description.hasPrefix("b.a.9.8.7.6.5.0.0.0"))
    #expect(IPAddress(reverseLabels: v6.reverseName.labels) == v6)
    #expect(IPAddress("1.2.3") == nil && IPAddress("1::2::3") == nil)
  }
}
