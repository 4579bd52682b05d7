import Foundation
import KubeAPI
import PKI

/// Which kubelet certificate requests may be approved without an administrator: upstream's csrapproving rules
/// (nodeclient for bootstrappers, selfnodeclient for renewing nodes) plus kubelet serving certificates a node asks
/// for itself with names that match its Node object. Pure, so the rules are tested without a cluster.
public enum CSRApprovalRules {
  public enum Decision: Sendable, Equatable {
    /// Approve, with the condition's message.
    case approve(String)
    /// A request for a kubelet signer these rules do not approve; it waits for `kubectl certificate approve`.
    case leave(String)
    /// Another signer's request, or not a CSR these rules look at.
    case ignore
  }

  static let clientUsages: Set<String> = ["client auth", "digital signature", "key encipherment"]
  static let servingUsages: Set<String> = ["server auth", "digital signature", "key encipherment"]

  /// `csr` is the CertificateSigningRequest; `node` looks up a Node object by name (nil when it does not exist).
  public static func decide(_ csr: JSONValue, node: (String) -> JSONValue?) -> Decision {
    let spec = csr["spec"] ?? [:]
    let signer = spec["signerName"]?.stringValue ?? ""
    guard signer == CSRSigner.kubeletClient || signer == CSRSigner.kubeletServing else { return .ignore }
    let pem = String(decoding: Data(base64Encoded: spec["request"]?.stringValue ?? "") ?? Data(), as: UTF8.self)
    guard let request = try? CertificateRequest(pem: pem) else { return .leave("the request is not a valid PEM CSR") }
    let username = spec["username"]?.stringValue ?? ""
    let groups = Set((spec["groups"]?.arrayValue ?? []).compactMap(\.stringValue))
    let usages = Set((spec["usages"]?.arrayValue ?? []).compactMap(\.stringValue))
    if signer == CSRSigner.kubeletClient {
      guard let name = try? request.validateKubeletClient() else {
        return .leave("not a kubelet client certificate (system:node:<name> in system:nodes, no SANs)")
      }
      guard usages.contains("client auth"), usages.isSubset(of: clientUsages) else {
        return .leave("usages \(usages.sorted()) are not those of a kubelet client certificate")
      }
      if username == "system:node:\(name)" && groups.contains("system:nodes") {
        return .approve("Auto approving self kubelet client certificate after SubjectAccessReview.")
      }
      if groups.contains(BootstrapToken.group) {
        return .approve("Auto approving kubelet client certificate after SubjectAccessReview.")
      }
      return .leave("requester \(username) is neither node \(name) nor a bootstrapper")
    }
    guard let name = try? request.validateKubeletServing() else {
      return .leave("not a kubelet serving certificate (system:node:<name> in system:nodes with DNS/IP names)")
    }
    guard username == "system:node:\(name)", groups.contains("system:nodes") else {
      return .leave("only node \(name) itself may ask for its serving certificate, not \(username)")
    }
    guard usages.contains("server auth"), usages.isSubset(of: servingUsages) else {
      return .leave("usages \(usages.sorted()) are not those of a kubelet serving certificate")
    }
    var dnsNames: Set<String> = [name]
    var ips: Set<String>? = nil
    if let object = node(name) {
      var known: Set<String> = []
      for address in object["status"]?["addresses"]?.arrayValue ?? [] {
        guard let value = address["address"]?.stringValue else { continue }
        switch address["type"]?.stringValue {
        case "Hostname", "InternalDNS", "ExternalDNS": dnsNames.insert(value)
        case "InternalIP", "ExternalIP":
          if let canonical = try? SubjectAltNames(ipAddresses: [value]).ipAddresses.first { known.insert(canonical) }
        default: continue
        }
      }
      ips = known
    }
    let foreignDNS = request.names.dnsNames.filter { !dnsNames.contains($0) }
    guard foreignDNS.isEmpty else { return .leave("names \(foreignDNS) are not node \(name)'s") }
    if let ips {
      let foreignIPs = request.names.ipAddresses.filter { !ips.contains($0) }
      guard foreignIPs.isEmpty else {
        return .leave("addresses \(foreignIPs) are not in node \(name)'s status.addresses")
      }
    }
    return .approve("Auto approving kubelet serving certificate: the node asked for its own names and addresses.")
  }
}
