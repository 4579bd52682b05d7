import Glibc
import Logging
import SkiffCore
import Synchronization

/// The node's pod network: the `skiff0` bridge carrying the node's pod CIDR, one veth pair and
/// one address per pod sandbox. Calls are synchronous kernel work of a few hundred
/// microseconds; callers run them off Swift's cooperative threads.
public final class PodNetwork: Sendable {
  public let configuration: PodNetworkConfiguration
  let kernel: any NetworkKernel
  let logger: Logger
  let state = Mutex<State>(State())

  struct State {
    var node: NodeState?
  }

  /// What `prepare` found and built.
  public struct NodeState: Sendable {
    public var podCIDR: IPv4CIDR
    public var bridge: LinkInfo
    public var uplink: LinkInfo
    /// Pod and overlay MTU: the uplink's, less the VXLAN overhead with that backend.
    public var mtu: Int
    public var ipam: HostLocalIPAM
  }

  public init(configuration: PodNetworkConfiguration, kernel: any NetworkKernel = NetlinkKernel(), logger: Logger) {
    self.configuration = configuration
    self.kernel = kernel
    self.logger = logger
  }

  public var node: NodeState? { state.withLock { $0.node } }

  /// Waits (cancellably) until `prepare` has succeeded or `timeout` passed; answers whether it is ready.
  public func waitUntilReady(timeout: Duration = .seconds(3600 * 24 * 365)) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while node == nil {
      if Task.isCancelled || ContinuousClock.now >= deadline { return false }
      try? await Task.sleep(for: .milliseconds(100))
    }
    return true
  }

  /// The interface carrying the node IP, or the one `--network-iface` names.
  public func uplink() throws(NetworkError) -> LinkInfo {
    if let name = configuration.interface {
      guard let link = try kernel.link(named: name) else {
        throw NetworkError(.invalidConfiguration, "network interface \(name) does not exist on this node")
      }
      return link
    }
    guard let carrier = try kernel.addresses().first(where: { $0.address == configuration.nodeIP }),
      let link = try kernel.links().first(where: { $0.index == carrier.index })
    else {
      throw NetworkError(
        .invalidConfiguration,
        "no interface carries the node IP \(configuration.nodeIP): pass --node-ip or --network-iface")
    }
    return link
  }

  /// Sysctls, then the bridge with the gateway address; idempotent, so a restarted agent
  /// keeps the bridge (and the running pods' connectivity) as it is.
  @discardableResult
  public func prepare(podCIDR: IPv4CIDR) throws(NetworkError) -> NodeState {
    guard configuration.clusterCIDR.contains(podCIDR) else {
      throw NetworkError(
        .invalidConfiguration,
        "the node's pod CIDR \(podCIDR) is outside the cluster CIDR \(configuration.clusterCIDR): give the agent the server's --cluster-cidr"
      )
    }
    try enableForwarding()
    let uplink = try uplink()
    // Capped at Ethernet's largest MTU: loopback (65536) as the uplink is more than a bridge takes.
    let mtu = min(uplink.mtu, 65535) - (configuration.backend == .vxlan ? PodNetworkConfiguration.vxlanOverhead : 0)
    let name = configuration.bridgeName
    if try kernel.link(named: name) == nil { try kernel.createBridge(name: name, mtu: mtu) }
    guard var bridge = try kernel.link(named: name) else {
      throw NetworkError(.kernel, "bridge \(name) vanished right after it was created")
    }
    if bridge.mtu != mtu { try kernel.setMTU(bridge.index, mtu) }
    try kernel.addAddress(InterfaceAddress(index: bridge.index, address: podCIDR.gateway, prefix: podCIDR.prefix))
    if !bridge.isUp { try kernel.setUp(bridge.index) }
    bridge.mtu = mtu
    let node = NodeState(
      podCIDR: podCIDR, bridge: bridge, uplink: uplink, mtu: mtu,
      ipam: try HostLocalIPAM(range: podCIDR, networkDirectory: configuration.directory))
    state.withLock { $0.node = node }
    logger.info(
      "pod network ready",
      metadata: [
        "bridge": "\(name)", "podCIDR": "\(podCIDR)", "mtu": "\(mtu)", "uplink": "\(uplink.name)",
        "backend": "\(configuration.backend.rawValue)",
      ])
    return node
  }

  /// ip_forward for routing between pods and nodes; bridged traffic through netfilter so the
  /// service proxy's rules see pod-to-pod packets on the same bridge.
  func enableForwarding() throws(NetworkError) {
    _ = try kernel.setSysctl("net.ipv4.ip_forward", "1")
    if access("/proc/sys/net/bridge", F_OK) != 0 { Self.loadModule("br_netfilter") }
    if !(try kernel.setSysctl("net.bridge.bridge-nf-call-iptables", "1")) {
      logger.warning("br_netfilter is not available: service traffic between pods on one node may bypass nftables")
    }
  }

  static func loadModule(_ name: String) {
    for path in ["/usr/sbin/modprobe", "/sbin/modprobe"] where access(path, X_OK) == 0 {
      var pid: pid_t = 0
      let arguments = [path, name]
      var argv = arguments.map { strdup($0) } + [nil]
      defer { for pointer in argv { free(pointer) } }
      guard posix_spawn(&pid, path, nil, nil, &argv, environ) == 0 else { return }
      var status: Int32 = 0
      waitpid(pid, &status, 0)
      return
    }
  }

  private func ready() throws(NetworkError) -> NodeState {
    guard let node = state.withLock({ $0.node }) else {
      throw NetworkError(.unsupported, "the pod network is not ready: waiting for the node's pod CIDR")
    }
    return node
  }

  // MARK: Pods

  /// The pod's address, reserving one when it has none; call before the sandbox exists so
  /// its /etc/hosts can name it.
  public func allocate(podUID: String) throws(NetworkError) -> IPv4Address {
    try ready().ipam.allocate(podUID: podUID)
  }

  /// The address the pod holds, if any; before `prepare`, from the IPAM state on disk.
  public func address(of podUID: String) -> IPv4Address? {
    if let node { return node.ipam.address(of: podUID) }
    return storedRanges().lazy.compactMap { $0.address(of: podUID) }.first
  }

  /// Whether the pod's host-side veth exists (its namespace is wired).
  public func isAttached(podUID: String) -> Bool {
    (try? kernel.link(named: PodNetworkConfiguration.hostInterfaceName(podUID: podUID))) != nil
  }

  /// The IPAM ranges on disk (one per pod CIDR this node ever had).
  func storedRanges() -> [HostLocalIPAM] {
    HostLocalIPAM.list(configuration.directory + "/ipam").compactMap { name in
      let parts = name.split(separator: "_")
      guard parts.count == 2, let range = IPv4CIDR("\(parts[0])/\(parts[1])") else { return nil }
      return try? HostLocalIPAM(range: range, networkDirectory: configuration.directory)
    }
  }

  /// Wires the sandbox's namespace: veth into the bridge, `eth0` with the pod's address and a
  /// default route via the bridge. Answers the address and how long the kernel work took.
  @discardableResult
  public func attach(podUID: String, networkNamespace: String) throws(NetworkError) -> (
    address: IPv4Address, duration: Duration
  ) {
    let node = try ready()
    let started = ContinuousClock.now
    let address = try node.ipam.allocate(podUID: podUID)
    try kernel.createPodInterface(
      PodInterfaceRequest(
        hostName: PodNetworkConfiguration.hostInterfaceName(podUID: podUID), networkNamespace: networkNamespace,
        address: address, prefix: node.podCIDR.prefix, gateway: node.podCIDR.gateway, mtu: node.mtu,
        bridgeIndex: node.bridge.index))
    return (address, ContinuousClock.now - started)
  }

  /// Removes the pod's veth (gone already when its namespace died) and releases its address.
  public func detach(podUID: String) throws(NetworkError) {
    try kernel.deleteLink(named: PodNetworkConfiguration.hostInterfaceName(podUID: podUID))
    if let released = node?.ipam.release(podUID: podUID) ?? releaseWithoutNode(podUID) {
      logger.debug("pod address released", metadata: ["pod": "\(podUID)", "ip": "\(released)"])
    }
  }

  /// Before the pod CIDR is known (agent just restarted), the IPAM directories on disk still hold the pod.
  private func releaseWithoutNode(_ podUID: String) -> IPv4Address? {
    storedRanges().lazy.compactMap { $0.release(podUID: podUID) }.first
  }

  /// Releases addresses of pods `isKnown` denies, and deletes their veths.
  @discardableResult
  public func collectLeaks(isKnown: (String) -> Bool) -> [IPv4Address: String] {
    guard let node else { return [:] }
    let released = node.ipam.collectLeaks(isKnown: isKnown)
    for (address, uid) in released {
      try? kernel.deleteLink(named: PodNetworkConfiguration.hostInterfaceName(podUID: uid))
      logger.info("released leaked pod address", metadata: ["pod": "\(uid)", "ip": "\(address)"])
    }
    return released
  }
}
