import Foundation
import SkiffNetwork

// Service-proxy syncs for N Services × M endpoints in a throw-away network namespace: ruleset
// generation, the first (whole-table) sync, a sync of one changed endpoint, the periodic full
// resync, and the size of what the kernel holds. Needs root and nft.
//   swift run -c release proxy-bench [services] [endpoints] [write-script-to]

let arguments = CommandLine.arguments
let serviceCount = arguments.count > 1 ? Int(arguments[1]) ?? 1000 : 1000
let endpointCount = arguments.count > 2 ? Int(arguments[2]) ?? 10 : 10

func snapshot(seed: Int) -> ProxySnapshot {
  var services: [ProxiedService] = []
  var endpoints: [String: [String: [ServiceEndpoint]]] = [:]
  for index in 0..<serviceCount {
    let service = ProxiedService(
      namespace: "bench", name: "svc-\(index)", clusterIPs: ["10.43.\(index / 250 + 1).\(index % 250 + 1)"],
      ports: [.init(name: "http", port: 80, nodePort: 30000 + index)], exposesNodePorts: index % 10 == 0,
      affinityTimeout: index % 50 == 0 ? 600 : nil)
    services.append(service)
    endpoints[service.key] = [
      "http": (0..<endpointCount).map { endpoint in
        let address = index * endpointCount + endpoint + seed
        return ServiceEndpoint(
          ip: "10.42.\(address / 250 % 250).\(address % 250 + 1)", port: 8080,
          nodeName: endpoint == 0 ? "bench" : "other")
      }
    ]
  }
  return ProxySnapshot(services: services, endpoints: endpoints)
}

func milliseconds(_ duration: Duration) -> String {
  String(format: "%.1f ms", Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000)
}

func shell(_ arguments: [String]) -> Int32 {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
  process.arguments = arguments
  try? process.run()
  process.waitUntilExit()
  return process.terminationStatus
}

let configuration = ProxyConfiguration(nodeName: "bench", nodeIPs: ["192.168.50.1"])
let clock = ContinuousClock()
let state = snapshot(seed: 0)

// Generation: the pure part, median of 5.
var generations: [Duration] = []
var script = ""
var table = NFTTable()
for _ in 0..<5 {
  let start = clock.now
  table = NodeRuleset.table(configuration: configuration, proxy: state)
  script = table.script(replacing: nil)
  generations.append(clock.now - start)
}
let generation = generations.sorted()[2]
print("services: \(serviceCount) × \(endpointCount) endpoints")
print("rules: \(table.ruleCount), set/map elements: \(table.elementCount), chains: \(table.chains.count)")
print("script: \(script.utf8.count / 1024) KiB")
print("generate: \(milliseconds(generation)) (median of 5)")
if arguments.count > 3 {
  // A copy of the script, to time `nft -f` on its own or read what the kernel is asked to hold.
  try script.write(toFile: arguments[3], atomically: true, encoding: .utf8)
}

guard getuid() == 0, NFTables.isAvailable else {
  print("apply: skipped (needs root and nft)")
  exit(0)
}
let namespace = "skiff-proxy-bench-\(getpid())"
guard shell(["netns", "add", namespace]) == 0 else {
  print("apply: could not create network namespace \(namespace)")
  exit(1)
}

let applier = NodeRulesetApplier(configuration: configuration, networkNamespace: "/run/netns/\(namespace)")
do {
  // `apply` renders and runs `nft -f`: a sync as the proxy does it, generation included.
  var start = clock.now
  try await applier.apply(proxy: state, policy: nil)
  let first = clock.now - start
  // A sync after one endpoint moved: only the changed elements go to the kernel.
  var changed = state
  changed.endpoints["bench/svc-0"]?["http"]?[0].ip = "10.42.249.250"
  start = clock.now
  try await applier.apply(proxy: changed, policy: nil)
  let partial = clock.now - start
  // The periodic resync: the whole table rewritten in place (flush and re-add).
  start = clock.now
  try await applier.apply(proxy: state, policy: nil, full: true)
  let resync = clock.now - start
  // `nft -f` alone, replacing the whole table.
  start = clock.now
  try await applier.nft.apply(script)
  let nftOnly = clock.now - start
  print("nft -f alone (whole table): \(milliseconds(nftOnly))")
  print("first sync (generate + nft -f): \(milliseconds(first))")
  print("sync after one endpoint moved (changes only): \(milliseconds(partial))")
  print("periodic full resync (whole table in place): \(milliseconds(resync))")
} catch {
  print("apply failed: \(error)")
  _ = shell(["netns", "del", namespace])
  exit(1)
}
_ = shell(["netns", "del", namespace])
exit(0)
