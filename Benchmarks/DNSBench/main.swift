import Addons
import Foundation
import KubeAPI
import Logging

/// Serves a synthetic cluster (N ClusterIP services, N/10 headless services with 3 endpoints)
/// from skiff's in-process DNS on 127.0.0.1:<port>, and writes the same records as an
/// unbound config and a dnsperf query file so both servers answer identical questions.
///
///   dns-bench serve <port> [services]
///   dns-bench files <dir> <unbound-port> [services]
let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
  print("usage: dns-bench serve <port> [services] | dns-bench files <dir> <unbound-port> [services]")
  exit(2)
}

func ip(_ base: UInt32, _ index: Int) -> String {
  let value = base + UInt32(index)
  return "\(value >> 24).\(value >> 16 & 255).\(value >> 8 & 255).\(value & 255)"
}

struct Cluster {
  let count: Int
  var services: [(name: String, ip: String)] { (0..<count).map { ("svc-\($0)", ip(0x0A2B_0100, $0)) } }
  var headless: [(name: String, endpoints: [String])] {
    (0..<max(1, count / 10)).map { index in ("db-\(index)", (0..<3).map { ip(0x0A2A_0100, index * 3 + $0) }) }
  }

  func records() -> ClusterRecords {
    let records = ClusterRecords()
    for service in services {
      records.apply(
        service: [
          "metadata": ["name": .string(service.name), "namespace": "default"],
          "spec": ["clusterIP": .string(service.ip), "ports": [["name": "http", "port": 80, "protocol": "TCP"]]],
        ], deleted: false)
    }
    for service in headless {
      records.apply(
        service: [
          "metadata": ["name": .string(service.name), "namespace": "default"],
          "spec": ["clusterIP": "None", "ports": [["name": "sql", "port": 5432, "protocol": "TCP"]]],
        ], deleted: false)
      records.apply(
        endpointSlice: [
          "metadata": [
            "name": .string(service.name + "-x"), "namespace": "default",
            "labels": ["kubernetes.io/service-name": .string(service.name)],
          ],
          "ports": [["name": "sql", "port": 5432, "protocol": "TCP"]],
          "endpoints": .array(service.endpoints.map { ["addresses": [.string($0)]] }),
        ], deleted: false)
    }
    return records
  }

  /// unbound local-data with the same answers, and the query mix (90% service A, 10% headless A).
  func write(to directory: String, unboundPort: Int) throws {
    var config = """
      server:
        interface: 127.0.0.1@\(unboundPort)
        do-daemonize: no
        num-threads: 1
        username: ""
        chroot: ""
        directory: "\(directory)"
        pidfile: ""
        use-syslog: no
        logfile: ""
        verbosity: 0
        access-control: 127.0.0.0/8 allow
        do-not-query-localhost: yes
        local-zone: "cluster.local." static

      """
    for service in services {
      config += "  local-data: \"\(service.name).default.svc.cluster.local. 5 IN A \(service.ip)\"\n"
    }
    for service in headless {
      for endpoint in service.endpoints {
        config += "  local-data: \"\(service.name).default.svc.cluster.local. 5 IN A \(endpoint)\"\n"
      }
    }
    try config.write(toFile: directory + "/unbound.conf", atomically: true, encoding: .utf8)
    var queries = ""
    for (index, service) in services.enumerated() {
      queries += "\(service.name).default.svc.cluster.local A\n"
      if index % 10 == 0 { queries += "\(headless[(index / 10) % headless.count].name).default.svc.cluster.local A\n" }
    }
    try queries.write(toFile: directory + "/queries.txt", atomically: true, encoding: .utf8)
  }
}

switch arguments[1] {
case "files":
  let count = arguments.count > 4 ? Int(arguments[4]) ?? 1000 : 1000
  try Cluster(count: count).write(to: arguments[2], unboundPort: Int(arguments[3]) ?? 5354)
case "serve":
  let count = arguments.count > 3 ? Int(arguments[3]) ?? 1000 : 1000
  LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
  }
  let dns = try ClusterDNS(
    records: Cluster(count: count).records(),
    configuration: ClusterDNSConfiguration(
      listenAddresses: ["127.0.0.1:\(arguments[2])"], upstreams: .none, interfaceName: nil))
  try await dns.run()
default:
  print("unknown mode \(arguments[1])")
  exit(2)
}
