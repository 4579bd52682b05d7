import Synchronization
import Testing

@testable import Addons

@Suite struct ResolvConfTests {
  @Test func readsNameserversInOrder() {
    let text = """
      # comment
      search default.svc.cluster.local
      nameserver 192.168.1.1
      nameserver\tfe80::1%eth0
      nameserver not-an-ip
      options ndots:5
      """
    #expect(ResolvConf.nameservers(in: text).map(\.description) == ["192.168.1.1", "fe80::1"])
  }

  @Test func prefersSystemdResolvedUpstreamsOverTheLoopbackStub() {
    let files = [
      "/etc/resolv.conf": "nameserver 127.0.0.53\noptions edns0\n",
      "/run/systemd/resolve/resolv.conf": "nameserver 10.0.0.2\nnameserver 10.0.0.3\n",
    ]
    #expect(ResolvConf.upstreams { files[$0] }.map(\.description) == ["10.0.0.2", "10.0.0.3"])
    // Without systemd's file the stub is used: the server runs in the host's namespace.
    #expect(ResolvConf.upstreams { $0 == "/etc/resolv.conf" ? files[$0] : nil }.map(\.description) == ["127.0.0.53"])
    // A configured file is taken as it is.
    #expect(
      ResolvConf.upstreams(path: "/etc/resolv.conf.custom") { _ in "nameserver 1.1.1.1" }.map(\.description) == [
        "1.1.1.1"
      ])
  }

  @Test func parsesListenAddresses() throws {
    #expect(try DNSEndpoint.parse("10.43.0.10:53").port == 53)
    #expect(try DNSEndpoint.parse("10.43.0.10").port == 53)
    #expect(try DNSEndpoint.parse("[fd00::10]:5353").port == 5353)
    #expect(try DNSEndpoint.parse("fd00::10").port == 53)
    #expect(throws: AddonsError.self) { try DNSEndpoint.parse("dns.local:53") }
    #expect(throws: AddonsError.self) { try DNSEndpoint.parse("10.43.0.10:99999") }
  }
}

/// Records `ip` invocations and fails the ones it is told to.
final class RecordingRunner: LinkCommandRunner {
  let calls = Mutex<[[String]]>([])
  let failing: [String: String]

  init(failing: [String: String] = [:]) { self.failing = failing }

  func run(_ arguments: [String]) throws(AddonsError) {
    calls.withLock { $0.append(arguments) }
    if let message = failing[arguments.joined(separator: " ")] { throw AddonsError(.io, message) }
  }
}

@Suite struct DummyInterfaceTests {
  @Test func createsAddressesAndRaisesTheInterface() throws {
    let runner = RecordingRunner()
    let placement = try DummyInterface(runner: runner, namespace: nil).ensure(name: "skiff-dns", address: "10.43.0.10")
    #expect(placement == .dummy("skiff-dns"))
    #expect(
      runner.calls.withLock { $0 } == [
        ["link", "add", "skiff-dns", "type", "dummy"], ["addr", "replace", "10.43.0.10/32", "dev", "skiff-dns"],
        ["link", "set", "skiff-dns", "up"],
      ])
  }

  @Test func reusesAnExistingInterfaceInANamespace() throws {
    let runner = RecordingRunner(failing: [
      "-n test link add skiff-dns type dummy": "ip: RTNETLINK answers: File exists"
    ])
    let interface = DummyInterface(runner: runner, namespace: "test")
    try interface.remove(try interface.ensure(name: "skiff-dns", address: "fd00:43::a"))
    #expect(runner.calls.withLock { $0 }.last == ["-n", "test", "link", "del", "skiff-dns"])
    #expect(runner.calls.withLock { $0 }[1] == ["-n", "test", "addr", "replace", "fd00:43::a/128", "dev", "skiff-dns"])
  }

  @Test func fallsBackToLoopbackWithoutDummyLinks() throws {
    let runner = RecordingRunner(failing: ["link add skiff-dns type dummy": "Error: Unknown device type."])
    let interface = DummyInterface(runner: runner, namespace: nil)
    let placement = try interface.ensure(name: "skiff-dns", address: "10.43.0.10")
    #expect(placement == .loopback("10.43.0.10/32"))
    try interface.remove(placement)
    #expect(
      runner.calls.withLock { $0 }.suffix(2) == [
        ["addr", "replace", "10.43.0.10/32", "dev", "lo"], ["addr", "del", "10.43.0.10/32", "dev", "lo"],
      ])
  }

  @Test func reportsOtherFailures() {
    let runner = RecordingRunner(failing: ["link add skiff-dns type dummy": "Operation not permitted"])
    #expect(throws: AddonsError.self) {
      try DummyInterface(runner: runner, namespace: nil).ensure(name: "skiff-dns", address: "10.43.0.10")
    }
  }
}
