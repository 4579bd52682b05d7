import Glibc

extension PodNetwork {
  /// Deletes everything the pod network put on this node: pod veths, `skiff0`, `skiff.1` (its
  /// routes, neighbour and forwarding entries go with it), host-gw routes, and the IPAM state.
  /// Running pods lose their network: for `--cleanup-network-on-exit` and uninstalling.
  public func removeAll() throws(NetworkError) {
    let links = try kernel.links()
    for link in links where link.name.hasPrefix("skv") && link.name.count == 15 {
      try kernel.deleteLink(named: link.name)
    }
    let bridge = links.first { $0.name == configuration.bridgeName }
    for route in try kernel.routes()
    where configuration.clusterCIDR.contains(route.destination) && route.interfaceIndex != bridge?.index
      && route.gateway != nil
    {
      try kernel.deleteRoute(route)
    }
    try kernel.deleteLink(named: configuration.vxlanName)
    try kernel.deleteLink(named: configuration.bridgeName)
    Self.removeTree(configuration.directory)
    state.withLock { $0.node = nil }
  }

  static func removeTree(_ path: String) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    if info.st_mode & S_IFMT == S_IFDIR {
      for name in HostLocalIPAM.list(path) { removeTree("\(path)/\(name)") }
      rmdir(path)
    } else {
      unlink(path)
    }
  }
}
