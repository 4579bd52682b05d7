import KubeAPI
import SkiffNetwork

/// How one node's kubelet runs: who it is, where it keeps pods, and what it reserves.
public struct KubeletConfiguration: Sendable {
  public var nodeName: String
  /// `<data-dir>/agent`: pods, volumes, static manifests and images live under it.
  public var directory: String
  public var nodeIP: String
  public var labels: [String: String] = [:]
  /// `key=value:Effect` or `key:Effect` as `--node-taint` takes them.
  public var taints: [String] = []
  public var kubeletPort = 10250
  public var clusterDNS: [String] = ["10.43.0.10"]
  public var clusterDomain = "cluster.local"
  public var maxPods: Int64 = 110
  /// Kept back from allocatable for the OS and skiff itself.
  public var reservedCPUMillis: Int64 = 100
  public var reservedMemoryBytes: Int64 = 256 << 20
  /// Lease renewal; node status is written only when it changes or every `statusInterval`.
  public var heartbeat: Duration = .seconds(10)
  public var statusInterval: Duration = .seconds(300)
  /// Evict when less memory than this is available, or less than this fraction of nodefs.
  public var evictionMemoryAvailableBytes: Int64 = 100 << 20
  public var evictionNodefsAvailableFraction = 0.10
  public var resolvConf = "/etc/resolv.conf"
  /// The pod network (bridge, IPAM, overlay); nil or backend `none`: pods get loopback only.
  public var network: PodNetworkConfiguration?
  /// Remove the bridge, overlay and IPAM state when the kubelet stops (pods lose their network).
  public var cleanupNetworkOnExit = false

  public init(nodeName: String, directory: String, nodeIP: String) {
    self.nodeName = nodeName
    self.directory = directory
    self.nodeIP = nodeIP
  }

  public var podsDirectory: String { directory + "/pods" }
  public var manifestsDirectory: String { directory + "/pod-manifests" }
  public var imagesDirectory: String { directory + "/images" }
  public var seccompDirectory: String { directory + "/seccomp" }
  public var networkDirectory: String { directory + "/network" }

  /// What `--network-backend` accepts.
  public static let networkBackends = NetworkBackend.allCases.map(\.rawValue)

  /// Sets the pod network from its flags; the error names the bad value.
  public mutating func setNetwork(backend: String, clusterCIDR: String, interface: String?) throws {
    do {
      network = try PodNetworkConfiguration(
        backend: backend, clusterCIDR: clusterCIDR, nodeIP: nodeIP, directory: networkDirectory, interface: interface)
    } catch {
      throw KubeletError(.invalidArgument, error.message)
    }
  }

  /// Parses `--node-taint` values into Node taints; the error names the bad one.
  public func parsedTaints() throws -> [JSONValue] {
    try taints.map { text in
      let effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
      guard let colon = text.lastIndex(of: ":"), effects.contains(String(text[text.index(after: colon)...])) else {
        throw KubeletError(
          .invalidArgument,
          "invalid taint \"\(text)\": use key=value:Effect with Effect one of \(effects.joined(separator: ", "))")
      }
      let effect = String(text[text.index(after: colon)...])
      let pair = text[..<colon].split(separator: "=", maxSplits: 1)
      guard let key = pair.first, !key.isEmpty else {
        throw KubeletError(.invalidArgument, "invalid taint \"\(text)\": the key is empty")
      }
      var taint: [String: JSONValue] = ["key": .string(String(key)), "effect": .string(effect)]
      if pair.count == 2 { taint["value"] = .string(String(pair[1])) }
      return .object(taint)
    }
  }
}
