import Logging
import NIOCore
import NIOPosix
import SkiffCore
import Testing

@testable import Addons

/// The server on loopback high ports, forwarding to an upstream the test runs.
@Suite struct DNSServerTests {
  static let example = try! DNSName("example.com")
  static let big = try! DNSName("big.example.com")

  static func upstreamAnswers() -> [DNSQuestion: DNSUpstreamResult] {
    let soa = DNSRecord(
      name: example, type: .soa, ttl: 300,
      data: .soa(
        primary: try! DNSName("ns1.example.com"), mailbox: try! DNSName("admin.example.com"), serial: 1,
        refresh: 1, retry: 1, expire: 1, minimum: 60))
    return [
      DNSQuestion(name: example, type: .a): DNSUpstreamResult(
        code: .noError, answers: [.a(example, IPAddress("93.184.216.34")!, ttl: 300)]),
      DNSQuestion(name: example, type: .aaaa): DNSUpstreamResult(code: .noError, authorities: [soa]),
      DNSQuestion(name: try! DNSName("missing.example.com"), type: .a): DNSUpstreamResult(
        code: .nameError, authorities: [soa]),
      DNSQuestion(name: big, type: .a): DNSUpstreamResult(
        code: .noError, answers: (0..<60).map { .a(big, .v4(0x0A00_0000 + UInt32($0)), ttl: 300) }),
    ]
  }

  struct Running {
    let upstream: TestUpstream
    let listener: DNSListener
    let clock: ManualClock
    let cache: DNSCache
    var address: SocketAddress { listener.address! }
    var tcpAddress: SocketAddress { listener.tcpAddress! }

    func stop() async {
      await listener.close()
      await upstream.stop()
    }
  }

  static func start(cacheSize: Int = 100) async throws -> Running {
    let upstream = TestUpstream(answers: upstreamAnswers(), truncated: [big])
    try await upstream.start()
    let clock = ManualClock()
    let cache = DNSCache(capacity: cacheSize, clock: clock)
    let forwarder = DNSForwarder(
      upstreams: [upstream.address], cache: cache, timeout: .seconds(5), logger: Logger(label: "test"))
    let queries = DNSQueryHandler(zone: ClusterFixtures.zone(), upstream: forwarder)
    let listener = try await DNSServer.bind(
      try SocketAddress(ipAddress: "127.0.0.1", port: 0), queries: queries, group: MultiThreadedEventLoopGroup.singleton
    )
    return Running(upstream: upstream, listener: listener, clock: clock, cache: cache)
  }

  static func query(_ name: String, _ type: DNSType, edns: UInt16? = 1232) -> DNSMessage {
    DNSMessage.query(
      id: .random(in: 1 ... .max), name: try! DNSName(name), type: type, edns: edns.map { EDNS(udpPayloadSize: $0) })
  }

  @Test func answersClusterNamesOverUDPAndTCP() async throws {
    let server = try await Self.start()
    defer { Task { await server.stop() } }
    let udp = try await TestClient.udp(Self.query("web.default.svc.cluster.local", .a), to: server.address)
    #expect(udp.answers.map { "\($0.data)" } == ["address(10.43.1.5)"])
    #expect(udp.edns?.udpPayloadSize == 1232)
    let tcp = try await TestClient.tcp(
      Self.query("Web.Default.svc.cluster.local", .a, edns: nil), to: server.tcpAddress)
    #expect(tcp.answers.map { "\($0.data)" } == ["address(10.43.1.5)"])
    #expect(tcp.questions[0].name.description == "Web.Default.svc.cluster.local.")
    #expect(server.upstream.count == 0)
  }

  @Test func truncatesLargeUDPAnswersAndTCPCarriesThemWhole() async throws {
    let server = try await Self.start()
    defer { Task { await server.stop() } }
    // The upstream truncates over UDP; the forwarder retries over TCP and gets all 60.
    let whole = try await TestClient.tcp(Self.query("big.example.com", .a), to: server.tcpAddress)
    #expect(whole.answers.count == 60 && !whole.truncated)
    #expect(server.upstream.asked.withLock { $0.map(\.udp) } == [true, false])
    // A classic 512-byte client gets TC and what fits.
    let small = try await TestClient.udp(Self.query("big.example.com", .a, edns: nil), to: server.address)
    #expect(small.truncated && small.answers.count < 60)
    // An EDNS client with 1232 bytes gets all: 60 × 16 bytes fit.
    let large = try await TestClient.udp(Self.query("big.example.com", .a), to: server.address)
    #expect(!large.truncated && large.answers.count == 60)
  }

  @Test func forwardsAndCachesForTheRecordTTL() async throws {
    let server = try await Self.start()
    defer { Task { await server.stop() } }
    let first = try await TestClient.udp(Self.query("example.com", .a), to: server.address)
    #expect(first.answers.map { "\($0.data)" } == ["address(93.184.216.34)"])
    #expect(!first.authoritative && first.recursionAvailable)
    server.clock.advance(seconds: 100)
    let second = try await TestClient.udp(Self.query("EXAMPLE.com", .a), to: server.address)
    #expect(server.upstream.count == 1)
    #expect(second.answers.first?.ttl == 200)
    #expect(second.questions[0].name.description == "EXAMPLE.com.")
    server.clock.advance(seconds: 200)
    _ = try await TestClient.udp(Self.query("example.com", .a), to: server.address)
    #expect(server.upstream.count == 2)
  }

  @Test func cachesNegativeAnswersForTheSOAMinimum() async throws {
    let server = try await Self.start()
    defer { Task { await server.stop() } }
    let missing = try await TestClient.udp(Self.query("missing.example.com", .a), to: server.address)
    #expect(missing.responseCode == .nameError && missing.authorities.first?.type == .soa)
    let noData = try await TestClient.udp(Self.query("example.com", .aaaa), to: server.address)
    #expect(noData.responseCode == .noError && noData.answers.isEmpty)
    server.clock.advance(seconds: 59)
    _ = try await TestClient.udp(Self.query("missing.example.com", .a), to: server.address)
    _ = try await TestClient.udp(Self.query("example.com", .aaaa), to: server.address)
    #expect(server.upstream.count == 2)
    server.clock.advance(seconds: 2)
    _ = try await TestClient.udp(Self.query("missing.example.com", .a), to: server.address)
    #expect(server.upstream.count == 3)
  }

  @Test func chasesExternalNamesUpstream() async throws {
    let server = try await Self.start()
    defer { Task { await server.stop() } }
    let answer = try await TestClient.udp(Self.query("ext.default.svc.cluster.local", .a), to: server.address)
    #expect(answer.answers.map(\.type) == [.cname, .a])
    #expect(answer.answers.last.map { "\($0.data)" } == "address(93.184.216.34)")
  }

  @Test func failingUpstreamIsServfailAndNotCached() async throws {
    let clock = ManualClock()
    // A port nothing answers on (the test upstream stopped).
    let upstream = TestUpstream(answers: [:])
    try await upstream.start()
    let dead = upstream.address
    await upstream.stop()
    let forwarder = DNSForwarder(
      upstreams: [dead], cache: DNSCache(clock: clock), timeout: .milliseconds(300), logger: Logger(label: "test"))
    let result = try await forwarder.resolve(
      DNSQuestion(name: Self.example, type: .a), on: MultiThreadedEventLoopGroup.singleton.next()
    ).get()
    #expect(result.code == .serverFailure)
    #expect(forwarder.cache.count == 0)
  }

  @Test func cacheStaysWithinItsCapacity() {
    let clock = ManualClock()
    let cache = DNSCache(capacity: 10, clock: clock)
    for index in 0..<50 {
      let name = try! DNSName("host\(index).example.com")
      cache.store(
        DNSQuestion(name: name, type: .a),
        DNSUpstreamResult(code: .noError, answers: [.a(name, .v4(UInt32(index)), ttl: UInt32(100 + index))]))
      #expect(cache.count <= 10)
    }
    // The longest-lived entries survive.
    #expect(cache.lookup(DNSQuestion(name: try! DNSName("host49.example.com"), type: .a)) != nil)
    #expect(cache.lookup(DNSQuestion(name: try! DNSName("host0.example.com"), type: .a)) == nil)
  }

  @Test func malformedPacketsDoNotStopTheServer() async throws {
    let server = try await Self.start()
    defer { Task { await server.stop() } }
    let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(
      host: "127.0.0.1", port: 0
    )
    .get()
    var generator = SplitMix64(seed: 7)
    for length in [0, 1, 11, 12, 13, 40, 300] {
      let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
      try await channel.writeAndFlush(
        AddressedEnvelope(remoteAddress: server.address, data: channel.allocator.buffer(bytes: bytes)))
    }
    try await channel.close()
    let answer = try await TestClient.udp(Self.query("web.default.svc.cluster.local", .a), to: server.address)
    #expect(answer.answers.count == 1)
  }
}
