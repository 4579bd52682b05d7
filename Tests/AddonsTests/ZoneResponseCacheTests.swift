import NIOPosix
import Testing

@testable import Addons

@Suite struct ZoneResponseCacheTests {
  let records = ClusterFixtures.records()
  let queries: DNSQueryHandler

  init() { queries = DNSQueryHandler(zone: ClusterFixtures.zone(records), upstream: nil) }

  func ask(_ query: DNSMessage, udp: Bool = true) throws -> DNSMessage {
    let reply = query.encoded().withUnsafeBytes {
      queries.handle($0, udp: udp, on: MultiThreadedEventLoopGroup.singleton.next())
    }
    guard case .now(let bytes) = reply else { throw AddonsError(.io, "no immediate answer") }
    return try DNSMessage(decoding: bytes)
  }

  @Test func reusedAnswersCarryTheNewIDAndSpelling() throws {
    let first = try ask(.query(id: 1, name: try DNSName("web.default.svc.cluster.local"), type: .a))
    let second = try ask(.query(id: 2, name: try DNSName("WEB.default.SVC.cluster.local"), type: .a))
    #expect(second.id == 2)
    #expect(second.questions[0].name.description == "WEB.default.SVC.cluster.local.")
    #expect(second.answers[0].name.description == "WEB.default.SVC.cluster.local.")
    #expect(second.answers.map(\.data) == first.answers.map(\.data))
  }

  @Test func variantsOfTheSameQuestionAreKeptApart() throws {
    let name = try DNSName("db.default.svc.cluster.local")
    let plain = try ask(.query(id: 1, name: name, type: .a))
    let withEDNS = try ask(.query(id: 2, name: name, type: .a, edns: EDNS(udpPayloadSize: 1232)))
    var noRecursion = DNSMessage.query(id: 3, name: name, type: .a)
    noRecursion.recursionDesired = false
    let quiet = try ask(noRecursion)
    #expect(plain.edns == nil && withEDNS.edns != nil)
    #expect(plain.recursionDesired && !quiet.recursionDesired)
    #expect(try ask(.query(id: 4, name: name, type: .aaaa)).answers.isEmpty)
  }

  @Test func changesInvalidateReusedAnswers() throws {
    let query = DNSMessage.query(id: 1, name: try DNSName("web.default.svc.cluster.local"), type: .a)
    #expect(try ask(query).answers.count == 1)
    #expect(try ask(query).answers.count == 1)
    records.apply(service: ClusterFixtures.service("web"), deleted: true)
    #expect(try ask(query).responseCode == .nameError)
    records.apply(service: ClusterFixtures.service("web", clusterIP: "10.43.9.9"), deleted: false)
    #expect(try ask(query).answers.map { "\($0.data)" } == ["address(10.43.9.9)"])
  }

  @Test func unusualQueriesTakeTheFullPath() throws {
    // Compressed question names, trailing bytes and EDNS version 1 are not quick queries.
    var bytes = DNSMessage.query(id: 1, name: try DNSName("web.default.svc.cluster.local"), type: .a).encoded()
    bytes.append(0)
    #expect(bytes.withUnsafeBytes { QuickQuery($0, udp: true, maxUDPPayload: 1232) } == nil)
    var edns = EDNS(udpPayloadSize: 1232)
    edns.version = 1
    let versioned = DNSMessage.query(id: 1, name: try DNSName("web.default.svc.cluster.local"), type: .a, edns: edns)
    #expect(versioned.encoded().withUnsafeBytes { QuickQuery($0, udp: true, maxUDPPayload: 1232) } == nil)
    #expect(try ask(versioned).responseCode == .badVersion)
    let plain = DNSMessage.query(id: 1, name: try DNSName("web.default.svc.cluster.local"), type: .a)
    #expect(plain.encoded().withUnsafeBytes { QuickQuery($0, udp: true, maxUDPPayload: 1232) } != nil)
  }
}
