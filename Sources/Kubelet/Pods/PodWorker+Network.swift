import Runtime
import SkiffCore
import SkiffNetwork

extension PodWorker {
  /// Pods on the pod network; hostNetwork pods and `--network-backend none` have none.
  var usesPodNetwork: Bool { !hostNetwork && context.network != nil }

  /// Reserves the pod's address before its sandbox exists (its /etc/hosts names it). Waits a
  /// little for a node that has just registered; then the sync retries with the reason shown.
  func reservePodAddress() async throws {
    guard usesPodNetwork, let network = context.network else { return }
    guard await network.waitUntilReady(timeout: .seconds(10)) else {
      throw KubeletError(.unavailable, "network is not ready: waiting for the node's pod CIDR and the skiff0 bridge")
    }
    let id = uid
    podAddress = try await Blocking.run { try network.allocate(podUID: id).description }
  }

  /// Wires the sandbox's namespace into the bridge once; an adopted sandbox that is already
  /// wired (agent restart) keeps its address.
  func ensurePodNetwork(_ sandbox: Sandbox) async throws {
    guard usesPodNetwork, let network = context.network, !networkAttached else { return }
    let id = uid
    if let address = network.address(of: id), network.isAttached(podUID: id) {
      podAddress = address.description
      networkAttached = true
      return
    }
    guard await network.waitUntilReady(timeout: .seconds(10)) else {
      throw KubeletError(.unavailable, "network is not ready: waiting for the node's pod CIDR and the skiff0 bridge")
    }
    let path = sandbox.networkNamespacePath
    let (address, duration) = try await Blocking.run { try network.attach(podUID: id, networkNamespace: path) }
    podAddress = address.description
    networkAttached = true
    context.logger.debug(
      "pod network set up", metadata: ["pod": "\(key)", "ip": "\(address)", "duration": "\(duration)"])
  }

  /// A finished pod runs nothing any more: its veth goes and its address returns to the pool,
  /// so completed Jobs do not exhaust the node's range; the status keeps the IP, as upstream's.
  func releasePodNetwork() async {
    guard usesPodNetwork, let network = context.network, !networkReleased else { return }
    if podAddress == nil { podAddress = pod["status"]?["podIP"]?.stringValue }
    let id = uid
    do {
      try await Blocking.run { try network.detach(podUID: id) }
      networkReleased = true
      networkAttached = false
    } catch {
      context.logger.warning(
        "cannot release a finished pod's address", metadata: ["pod": "\(key)", "error": "\(error)"])
    }
  }
}
