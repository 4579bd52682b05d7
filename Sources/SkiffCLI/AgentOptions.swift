import APIServer
import ArgumentParser
import Foundation
import Kubelet
import Logging
import PKI
import Runtime
import Yams

/// The node flags `skiff agent` and the embedded agent of `skiff server` share.
struct AgentOptions: ParsableArguments {
  @Option(help: "Name of this node (default: the hostname, lower-cased).")
  var nodeName: String?

  @Option(help: "IP address this node is reached at (default: the primary IPv4 address).")
  var nodeIp: String?

  @Option(help: "Label for this node, KEY=VALUE (repeatable).")
  var nodeLabel: [String] = []

  @Option(help: "Taint for this node, KEY=VALUE:EFFECT (repeatable).")
  var nodeTaint: [String] = []

  @Option(help: "HTTPS port of the kubelet API (logs, exec, port-forward, stats).")
  var kubeletPort = 10250

  @Option(help: "Cluster DNS server IP written into pods' resolv.conf.")
  var clusterDns = "10.43.0.10"

  @Option(help: "Cluster domain.")
  var clusterDomain = "cluster.local"

  @Option(help: "Registry mirrors, credentials and TLS in K3s's registries.yaml format.")
  var registryConfig = "/etc/skiff/registries.yaml"

  @Option(help: "Pod network between nodes: vxlan, host-gw, or none (pods get loopback only; bring your own CNI).")
  var networkBackend = "vxlan"

  @Option(help: "Interface the pod network's overlay uses (default: the one carrying the node IP).")
  var networkIface: String?

  @Flag(help: "Remove the skiff0 bridge, the overlay and pod addresses when the agent stops (pods lose their network).")
  var cleanupNetworkOnExit = false

  @Option(help: "Resolver file pods with dnsPolicy Default get, and cluster DNS forwards other names to.")
  var resolvConf = "/etc/resolv.conf"

  @Flag(help: "Do not run the nftables service proxy on this node.")
  var disableKubeProxy = false

  @Flag(help: "Do not enforce NetworkPolicy on this node.")
  var disableNetworkPolicy = false

  @Flag(help: "Do not serve cluster DNS on this node.")
  var disableClusterDns = false

  func validate() throws {
    for label in nodeLabel where !label.contains("=") {
      throw ValidationError("--node-label \"\(label)\" must be KEY=VALUE")
    }
    guard (1...65535).contains(kubeletPort) else { throw ValidationError("--kubelet-port must be 1-65535") }
    guard KubeletConfiguration.networkBackends.contains(networkBackend) else {
      throw ValidationError("--network-backend must be one of vxlan, host-gw, none: got \(networkBackend)")
    }
  }

  var resolvedNodeName: String { nodeName ?? ClusterPKI.currentHostname() }

  var resolvedNodeIP: String { nodeIp ?? NodeAddress.primaryIPv4() ?? "127.0.0.1" }

  /// The kubelet configuration for a node keeping its state in `<dataDir>/agent`, its pods'
  /// addresses from `clusterCIDR` (the server's `--cluster-cidr`).
  func kubeletConfiguration(dataDir: String, clusterCIDR: String, extraLabels: [String: String] = [:]) throws
    -> KubeletConfiguration
  {
    var configuration = KubeletConfiguration(
      nodeName: resolvedNodeName, directory: dataDir + "/agent", nodeIP: resolvedNodeIP)
    for label in nodeLabel {
      let parts = label.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      configuration.labels[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
    }
    for (key, value) in extraLabels { configuration.labels[key] = value }
    configuration.taints = nodeTaint
    configuration.kubeletPort = kubeletPort
    configuration.clusterDNS = [clusterDns]
    configuration.clusterDomain = clusterDomain
    configuration.resolvConf = resolvConf
    do {
      _ = try configuration.parsedTaints()
    } catch let error as KubeletError {
      throw ValidationError(error.message)
    }
    configuration.cleanupNetworkOnExit = cleanupNetworkOnExit
    do {
      try configuration.setNetwork(backend: networkBackend, clusterCIDR: clusterCIDR, interface: networkIface)
    } catch let error as KubeletError {
      throw ValidationError(error.message)
    }
    return configuration
  }

  /// The node's container runtime over `<dataDir>/agent` (the same store `skiff ctr` uses),
  /// pulling as `--registry-config` says.
  func runtime(dataDir: String) throws -> ContainerRuntime {
    let directory = dataDir + "/agent"
    let images = try ImageStore(root: directory + "/images", logger: Logger(label: "images"))
    images.registryConfiguration = try Self.registryConfiguration(at: registryConfig)
    return try ContainerRuntime(root: directory, images: images, logger: Logger(label: "runtime"))
  }

  /// A registries.yaml, or the defaults when the file is absent or empty; a broken file is an error.
  static func registryConfiguration(at path: String) throws -> RegistryConfiguration {
    guard let data = FileManager.default.contents(atPath: path),
      case let text = String(decoding: data, as: UTF8.self),
      !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    else { return RegistryConfiguration() }
    do {
      return try YAMLDecoder().decode(RegistryConfiguration.self, from: text)
    } catch {
      throw ValidationError("\(path) is not a valid registries.yaml: \(error)")
    }
  }
}
