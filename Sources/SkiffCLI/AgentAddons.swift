import Addons
import KubeClient
import Logging
import ServiceLifecycle
import SkiffNetwork

/// What every node runs beside the kubelet, in-process and without images: the nftables service
/// proxy with NetworkPolicy, and cluster DNS on the `kube-dns` Service IP.
struct AgentAddons: Sendable {
  var proxy: ProxyConfiguration?
  var proxyOptions = ServiceProxy.Options()
  var dns: ClusterDNSConfiguration?

  /// The services to run for this node, on `client` (the node's identity).
  func services(client: KubeClient, logger: Logger) throws -> [any Service] {
    var services: [any Service] = []
    if let proxy {
      services.append(
        try ServiceProxy(
          informers: SharedInformers(client: client, logger: logger), configuration: proxy, options: proxyOptions,
          logger: Logger(label: "proxy")))
    }
    if let dns { services.append(try ClusterDNS(client: client, configuration: dns, logger: Logger(label: "dns"))) }
    return services
  }
}

extension AgentOptions {
  /// The add-ons these flags ask for.
  func addons(nodeName: String, nodeIP: String, clusterCIDR: String, serviceCIDR: String) -> AgentAddons {
    var addons = AgentAddons()
    if !disableKubeProxy || !disableNetworkPolicy {
      addons.proxy = ProxyConfiguration(
        nodeName: nodeName, nodeIPs: [nodeIP], clusterCIDR: clusterCIDR, serviceCIDR: serviceCIDR,
        localServiceIPs: disableClusterDns ? [] : [clusterDns])
      addons.proxyOptions = ServiceProxy.Options(
        serviceProxy: !disableKubeProxy, networkPolicy: !disableNetworkPolicy)
    }
    if !disableClusterDns {
      addons.dns = ClusterDNSConfiguration(
        clusterDomain: clusterDomain, serviceIP: clusterDns, upstreams: .resolvConf(path: resolvConf))
    }
    return addons
  }
}
