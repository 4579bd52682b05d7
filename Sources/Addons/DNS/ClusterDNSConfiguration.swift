/// How a node's cluster DNS server is set up; defaults match K3s (cluster.local, 10.43.0.10).
public struct ClusterDNSConfiguration: Sendable {
  /// Where upstream resolvers come from.
  public enum Upstreams: Sendable, Equatable {
    /// The host's resolv.conf (kubelet's rules for systemd-resolved stubs apply).
    case resolvConf(path: String = ResolvConf.defaultPath)
    /// Fixed resolvers, "1.1.1.1", "1.1.1.1:53", "[2606:4700::1111]:53".
    case servers([String])
    /// Cluster names only; everything else is REFUSED.
    case none
  }

  /// The cluster domain (`--cluster-domain`).
  public var clusterDomain: String
  /// "ip:port" or "[ipv6]:port" to serve on (UDP and TCP each).
  public var listenAddresses: [String]
  /// What `ns.dns.<domain>` answers: the `kube-dns` Service's ClusterIP.
  public var serviceIP: String
  public var upstreams: Upstreams
  /// A dummy interface holding the service IP as /32 so the server can bind it; nil leaves
  /// interfaces alone (tests on loopback).
  public var interfaceName: String?
  /// A named network namespace (`ip netns`) for the interface and the sockets, else the host's.
  public var networkNamespace: String?
  /// TTL of cluster records (CoreDNS `ttl`, default 5 s).
  public var ttl: UInt32
  /// Most forwarded answers kept in the cache.
  public var cacheSize: Int
  /// How long to wait for one upstream before trying the next.
  public var upstreamTimeout: Duration
  /// Also watch Namespaces, so `<ns>.svc.<domain>` of a namespace without services is NODATA
  /// rather than NXDOMAIN. Needs list/watch on namespaces, which the node role lacks.
  public var watchNamespaces: Bool

  public static let defaultServiceIP = "10.43.0.10"
  public static let defaultInterface = "skiff-dns"

  public init(
    clusterDomain: String = "cluster.local", listenAddresses: [String]? = nil,
    serviceIP: String = ClusterDNSConfiguration.defaultServiceIP, upstreams: Upstreams = .resolvConf(),
    interfaceName: String? = ClusterDNSConfiguration.defaultInterface, networkNamespace: String? = nil,
    ttl: UInt32 = 5, cacheSize: Int = 10_000, upstreamTimeout: Duration = .seconds(2), watchNamespaces: Bool = false
  ) {
    self.clusterDomain = clusterDomain
    self.listenAddresses = listenAddresses ?? ["\(serviceIP):53"]
    self.serviceIP = serviceIP
    self.upstreams = upstreams
    self.interfaceName = interfaceName
    self.networkNamespace = networkNamespace
    self.ttl = ttl
    self.cacheSize = cacheSize
    self.upstreamTimeout = upstreamTimeout
    self.watchNamespaces = watchNamespaces
  }
}
