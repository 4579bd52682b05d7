import NIOCore
import NIOPosix
import Testing

@testable import Addons

@Suite struct ClusterZoneTests {
  let records = ClusterFixtures.records()
  var queries: DNSQueryHandler { DNSQueryHandler(zone: ClusterFixtures.zone(records), upstream: nil) }

  /// Sends a query through the handler as a UDP client with EDNS would.
  func ask(_ name: String, _ type: DNSType, id: UInt16 = 7) throws -> DNSMessage {
    let query = DNSMessage.query(id: id, name: try DNSName(name), type: type, edns: EDNS(udpPayloadSize: 1232))
    let bytes = query.encoded()
    let reply = bytes.withUnsafeBytes {
      queries.handle($0, udp: true, on: MultiThreadedEventLoopGroup.singleton.next())
    }
    guard case .now(let answer) = reply else {
      Issue.record("\(name) was not answered at once")
      return DNSMessage(id: 0)
    }
    return try DNSMessage(decoding: answer)
  }

  func addresses(_ message: DNSMessage) -> [String] {
    message.answers.compactMap { if case .address(let address) = $0.data { "\(address)" } else { nil } }.sorted()
  }

  @Test func servicesResolveToTheirClusterIPs() throws {
    let answer = try ask("web.default.svc.cluster.local", .a)
    #expect(answer.responseCode == .noError && answer.authoritative && answer.id == 7)
    #expect(addresses(answer) == ["10.43.1.5"])
    #expect(answer.answers.allSatisfy { $0.ttl == 5 })
    #expect(addresses(try ask("dual.default.svc.cluster.local", .aaaa)) == ["fd00:43::6"])
    #expect(addresses(try ask("dual.default.svc.cluster.local", .a)) == ["10.43.1.6"])
  }

  @Test func namesAreCaseInsensitiveAndEchoedAsAsked() throws {
    let answer = try ask("WEB.Default.Svc.Cluster.Local.", .a)
    #expect(addresses(answer) == ["10.43.1.5"])
    #expect(answer.questions[0].name.description == "WEB.Default.Svc.Cluster.Local.")
    #expect(answer.answers[0].name.description == "WEB.Default.Svc.Cluster.Local.")
  }

  @Test func existingNameWithOtherTypeIsNoData() throws {
    for (name, type) in [
      ("web.default.svc.cluster.local", DNSType.aaaa), ("web.default.svc.cluster.local", .txt),
      ("default.svc.cluster.local", .a), ("empty.svc.cluster.local", .a), ("svc.cluster.local", .a),
      ("cluster.local", .a), ("_tcp.web.default.svc.cluster.local", .a),
      ("_http._tcp.web.default.svc.cluster.local", .a),
    ] {
      let answer = try ask(name, type)
      #expect(answer.responseCode == .noError, "\(name) \(type)")
      #expect(answer.answers.isEmpty, "\(name) \(type)")
      #expect(answer.authorities.first?.type == .soa, "\(name) \(type)")
      #expect(answer.authorities.first?.ttl == 5)
    }
  }

  @Test func missingNamesAreNXDomainWithSOA() throws {
    for name in [
      "nope.default.svc.cluster.local", "web.nowhere.svc.cluster.local", "nowhere.svc.cluster.local",
      "foo.cluster.local", "db-9.db.default.svc.cluster.local", "x.web.default.svc.cluster.local",
      "_http._udp.web.default.svc.cluster.local", "_udp.db.default.svc.cluster.local",
      "not-an-ip.default.pod.cluster.local",
    ] {
      let answer = try ask(name, .a)
      #expect(answer.responseCode == .nameError, "\(name)")
      #expect(answer.authorities.first?.type == .soa, "\(name)")
    }
  }

  @Test func headlessServicesAnswerReadyEndpoints() throws {
    #expect(addresses(try ask("db.default.svc.cluster.local", .a)) == ["10.42.0.7", "10.42.0.8"])
    #expect(addresses(try ask("db-0.db.default.svc.cluster.local", .a)) == ["10.42.0.7"])
    #expect(addresses(try ask("10-42-0-8.db.default.svc.cluster.local", .a)) == ["10.42.0.8"])
    // Not ready: no record.
    #expect(try ask("db-2.db.default.svc.cluster.local", .a).responseCode == .nameError)
  }

  @Test func srvForNamedPorts() throws {
    let web = try ask("_http._tcp.web.default.svc.cluster.local", .srv)
    #expect(web.answers.count == 1)
    guard case .srv(_, _, let port, let target) = web.answers.first?.data else {
      Issue.record("no SRV")
      return
    }
    #expect(port == 80 && target.description == "web.default.svc.cluster.local.")
    #expect(addresses(DNSMessage(id: 0).with(answers: web.additionals)) == ["10.43.1.5"])

    let db = try ask("_mysql._tcp.db.default.svc.cluster.local", .srv)
    let targets = db.answers.compactMap { record -> String? in
      if case .srv(_, _, 3306, let target) = record.data { return target.description }
      return nil
    }.sorted()
    #expect(targets == ["10-42-0-8.db.default.svc.cluster.local.", "db-0.db.default.svc.cluster.local."])
    #expect(db.additionals.count == 2)

    let all = try ask("web.default.svc.cluster.local", .srv)
    #expect(all.answers.count == 2)
  }

  @Test func reverseLookupsOfServiceAndEndpointAddresses() throws {
    let service = try ask("5.1.43.10.in-addr.arpa", .ptr)
    #expect(service.answers.map { "\($0.data)" } == ["name(web.default.svc.cluster.local.)"])
    let endpoint = try ask("7.0.42.10.in-addr.arpa", .ptr)
    #expect(endpoint.answers.map { "\($0.data)" } == ["name(db-0.db.default.svc.cluster.local.)"])
    let dashed = try ask("20.0.42.10.in-addr.arpa", .ptr)
    #expect(dashed.answers.map { "\($0.data)" } == ["name(10-42-0-20.web.default.svc.cluster.local.)"])
    let v6 = try ask(IPAddress("fd00:43::6")!.reverseName.description, .ptr)
    #expect(v6.answers.map { "\($0.data)" } == ["name(dual.default.svc.cluster.local.)"])
    // Unknown reverse names go upstream; with none configured they are refused.
    #expect(try ask("1.1.168.192.in-addr.arpa", .ptr).responseCode == .refused)
  }

  @Test func podRecordsFromDashedAddresses() throws {
    #expect(addresses(try ask("10-42-0-99.default.pod.cluster.local", .a)) == ["10.42.0.99"])
    #expect(addresses(try ask("fd00-42--99.anything.pod.cluster.local", .aaaa)) == ["fd00:42::99"])
    let wrongFamily = try ask("10-42-0-99.default.pod.cluster.local", .aaaa)
    #expect(wrongFamily.responseCode == .noError && wrongFamily.answers.isEmpty)
  }

  @Test func externalNameIsACNAMEChasedInsideTheZone() throws {
    let ext = try ask("ext.default.svc.cluster.local", .a)
    #expect(ext.answers.map { "\($0.type):\($0.data)" } == ["CNAME:name(example.com.)"])
    let alias = try ask("alias.default.svc.cluster.local", .a)
    #expect(alias.answers.map(\.type) == [.cname, .a])
    #expect(addresses(alias) == ["10.43.1.5"])
    let loop = try ask("loop.default.svc.cluster.local", .a)
    #expect(loop.answers.allSatisfy { $0.type == .cname })
    #expect(loop.answers.count <= 9)
    let srv = try ask("_https._tcp.ext.default.svc.cluster.local", .srv)
    #expect(srv.answers.map { "\($0.data)" } == ["srv(priority: 0, weight: 100, port: 443, target: example.com.)"])
  }

  @Test func zoneApexAnswersSOAAndNS() throws {
    let soa = try ask("cluster.local", .soa)
    #expect(soa.answers.map(\.type) == [.soa])
    let ns = try ask("cluster.local", .ns)
    #expect(ns.answers.map { "\($0.data)" } == ["name(ns.dns.cluster.local.)"])
    #expect(addresses(DNSMessage(id: 0).with(answers: ns.additionals)) == ["10.43.0.10"])
    #expect(addresses(try ask("ns.dns.cluster.local", .a)) == ["10.43.0.10"])
  }

  @Test func updatesAndDeletesChangeAnswers() throws {
    records.apply(service: ClusterFixtures.service("web", clusterIP: "10.43.1.5"), deleted: true)
    #expect(try ask("web.default.svc.cluster.local", .a).responseCode == .nameError)
    records.apply(
      endpointSlice: ClusterFixtures.slice("db-abc", service: "db", ports: [], endpoints: []), deleted: true)
    let db = try ask("db.default.svc.cluster.local", .a)
    #expect(db.responseCode == .noError && db.answers.isEmpty)
  }

  @Test func protocolErrors() throws {
    let handler = queries
    func raw(_ bytes: [UInt8]) throws -> DNSMessage? {
      let reply = bytes.withUnsafeBytes {
        handler.handle($0, udp: true, on: MultiThreadedEventLoopGroup.singleton.next())
      }
      guard case .now(let answer) = reply else { return nil }
      return try DNSMessage(decoding: answer)
    }
    // Too short for a header: no answer at all.
    #expect(try raw([1, 2, 3]) == nil)
    // Header fine, question garbage: FORMERR with the ID.
    let garbage = try raw([0x12, 0x34, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, 1])
    #expect(garbage?.responseCode == .formatError && garbage?.id == 0x1234)
    // Two questions: FORMERR.
    var two = DNSMessage.query(id: 5, name: try DNSName("a.cluster.local"), type: .a)
    two.questions.append(two.questions[0])
    #expect(try raw(two.encoded())?.responseCode == .formatError)
    // Opcode STATUS: NOTIMP.
    var status = DNSMessage.query(id: 6, name: try DNSName("a.cluster.local"), type: .a)
    status.opcode = 2
    #expect(try raw(status.encoded())?.responseCode == .notImplemented)
    // Zone transfer: REFUSED. EDNS version 1: BADVERS.
    #expect(
      try raw(DNSMessage.query(id: 8, name: try DNSName("cluster.local"), type: .axfr).encoded())?.responseCode
        == .refused)
    var edns = EDNS(udpPayloadSize: 1232)
    edns.version = 1
    let badVersion = try raw(
      DNSMessage.query(id: 9, name: try DNSName("cluster.local"), type: .a, edns: edns).encoded())
    #expect(badVersion?.responseCode == .badVersion)
    // A response sent to us is ignored.
    var response = DNSMessage.query(id: 10, name: try DNSName("cluster.local"), type: .a)
    response.isResponse = true
    #expect(try raw(response.encoded()) == nil)
    // Chaos class inside the zone: REFUSED.
    let chaos = DNSMessage.query(id: 11, name: try DNSName("web.default.svc.cluster.local"), type: .a, recordClass: 3)
    #expect(try raw(chaos.encoded())?.responseCode == .refused)
  }
}

extension DNSMessage {
  func with(answers: [DNSRecord]) -> DNSMessage {
    var message = self
    message.answers = answers
    return message
  }
}
