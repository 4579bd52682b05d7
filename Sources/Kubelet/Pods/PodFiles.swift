import Foundation
import KubeAPI

/// The per-pod files the kubelet bind-mounts into every container: /etc/hosts, /etc/resolv.conf
/// and /etc/hostname, written as upstream writes them for each dnsPolicy.
struct PodFiles {
  let pod: JSONValue
  let configuration: KubeletConfiguration

  var hostNetwork: Bool { pod["spec"]?["hostNetwork"]?.boolValue ?? false }

  func write(to directory: String, podIP: String, hostname: String) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try Self.save(hosts(podIP: podIP, hostname: hostname), to: directory + "/etc-hosts")
    try Self.save(
      resolvConf(host: (try? String(contentsOfFile: configuration.resolvConf, encoding: .utf8)) ?? ""),
      to: directory + "/resolv.conf")
    try Self.save(hostname + "\n", to: directory + "/hostname")
  }

  static func save(_ text: String, to path: String) throws {
    guard
      FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644])
    else { throw KubeletError(.io, "cannot write \(path)") }
  }

  func hosts(podIP: String, hostname: String) -> String {
    var text: String
    if hostNetwork {
      text = (try? String(contentsOfFile: "/etc/hosts", encoding: .utf8)) ?? "127.0.0.1\tlocalhost\n"
    } else {
      text = """
        # Kubernetes-managed hosts file.
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        fe00::0\tip6-mcastprefix
        fe00::1\tip6-allnodes
        fe00::2\tip6-allrouters

        """
      if !podIP.isEmpty {
        let namespace = pod.metadata.namespace ?? "default"
        if let subdomain = pod["spec"]?["subdomain"]?.stringValue, !subdomain.isEmpty {
          text += "\(podIP)\t\(hostname).\(subdomain).\(namespace).svc.\(configuration.clusterDomain)\t\(hostname)\n"
        } else {
          text += "\(podIP)\t\(hostname)\n"
        }
      }
    }
    let aliases = pod["spec"]?["hostAliases"]?.arrayValue ?? []
    if !aliases.isEmpty {
      text += "\n# Entries added by HostAliases.\n"
      for alias in aliases {
        let names = (alias["hostnames"]?.arrayValue ?? []).compactMap(\.stringValue)
        text += "\(alias["ip"]?.stringValue ?? "")\t\(names.joined(separator: "\t"))\n"
      }
    }
    return text
  }

  /// resolv.conf for the pod's dnsPolicy, merged with its dnsConfig.
  func resolvConf(host: String) -> String {
    var nameservers: [String] = []
    var searches: [String] = []
    var options: [String] = []
    let hostLines = host.split(separator: "\n").map {
      $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }
    let hostNameservers = hostLines.filter { $0.first == "nameserver" }.compactMap { $0.count > 1 ? $0[1] : nil }
    let hostSearches = hostLines.last { $0.first == "search" }.map { Array($0.dropFirst()) } ?? []
    let hostOptions = hostLines.last { $0.first == "options" }.map { Array($0.dropFirst()) } ?? []
    var policy = pod["spec"]?["dnsPolicy"]?.stringValue ?? "ClusterFirst"
    if policy == "ClusterFirst" && hostNetwork { policy = "Default" }
    switch policy {
    case "None": break
    case "Default":
      nameservers = hostNameservers
      searches = hostSearches
      options = hostOptions
    default:
      let namespace = pod.metadata.namespace ?? "default"
      let domain = configuration.clusterDomain
      nameservers = configuration.clusterDNS
      searches = ["\(namespace).svc.\(domain)", "svc.\(domain)", domain] + hostSearches
      options = ["ndots:5"]
    }
    let config = pod["spec"]?["dnsConfig"]
    nameservers += (config?["nameservers"]?.arrayValue ?? []).compactMap(\.stringValue)
    searches += (config?["searches"]?.arrayValue ?? []).compactMap(\.stringValue)
    for option in config?["options"]?.arrayValue ?? [] {
      guard let name = option["name"]?.stringValue else { continue }
      options.removeAll { $0 == name || $0.hasPrefix(name + ":") }
      options.append(option["value"]?.stringValue.map { "\(name):\($0)" } ?? name)
    }
    var seen = Set<String>()
    searches = searches.filter { seen.insert($0).inserted }
    var text = ""
    for server in nameservers.prefix(3) { text += "nameserver \(server)\n" }
    if !searches.isEmpty { text += "search \(searches.prefix(32).joined(separator: " "))\n" }
    if !options.isEmpty { text += "options \(options.joined(separator: " "))\n" }
    return text
  }
}
