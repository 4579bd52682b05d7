import ArgumentParser
import Foundation
import Testing

@testable import SkiffCLI

/// The pod network's agent flags, from the command line and from config.yaml (keys are flag names).
@Suite struct PodNetworkFlagsTests {
  @Test func configFileSetsBackendCIDRAndInterface() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-netflags-\(UUID())").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try """
    network-backend: host-gw
    cluster-cidr: 10.100.0.0/16
    network-iface: eth1
    cleanup-network-on-exit: true
    node-ip: 192.0.2.10
    """.write(toFile: directory + "/config.yaml", atomically: true, encoding: .utf8)
    let merged = try ConfigLoader(environment: [:]).arguments(
      for: ["agent", "--config", directory + "/config.yaml", "--server", "https://s:6443", "--token", "t"])
    let command = try #require(try SkiffCommand.parseAsRoot(merged) as? AgentCommand)
    let configuration = try command.agent.kubeletConfiguration(dataDir: directory, clusterCIDR: command.clusterCidr)
    let network = try #require(configuration.network)
    #expect(network.backend.rawValue == "host-gw")
    #expect(network.clusterCIDR.description == "10.100.0.0/16")
    #expect(network.interface == "eth1")
    #expect(network.nodeIP.description == "192.0.2.10")
    #expect(network.directory == directory + "/agent/network")
    #expect(configuration.cleanupNetworkOnExit)
  }

  @Test func defaultsAndBadValues() throws {
    let command = try #require(
      try SkiffCommand.parseAsRoot(["agent", "--server", "https://s:6443", "--node-ip", "192.0.2.10"]) as? AgentCommand)
    let configuration = try command.agent.kubeletConfiguration(dataDir: "/tmp/x", clusterCIDR: command.clusterCidr)
    #expect(configuration.network?.backend.rawValue == "vxlan")
    #expect(configuration.network?.clusterCIDR.description == "10.42.0.0/16")
    #expect(configuration.cleanupNetworkOnExit == false)
    #expect(throws: (any Error).self) {
      try SkiffCommand.parseAsRoot(["agent", "--network-backend", "flannel"])
    }
    #expect(throws: ValidationError.self) {
      try command.agent.kubeletConfiguration(dataDir: "/tmp/x", clusterCIDR: "10.42.0.0")
    }
  }
}
