import KubeAPI
import SkiffCore

/// Another node as the overlay needs it, read from its Node object.
public struct OverlayPeer: Sendable, Hashable {
  public var name: String
  public var podCIDR: IPv4CIDR
  /// Where its VXLAN packets go (host-gw: the next hop).
  public var publicIP: IPv4Address
  /// Its `skiff.1` MAC (VXLAN only).
  public var vtepMAC: [UInt8]?

  public init(name: String, podCIDR: IPv4CIDR, publicIP: IPv4Address, vtepMAC: [UInt8]? = nil) {
    self.name = name
    self.podCIDR = podCIDR
    self.publicIP = publicIP
    self.vtepMAC = vtepMAC
  }

  public static let backendAnnotation = "skiff.io/backend"
  public static let macAnnotation = "skiff.io/vxlan-mac"
  public static let publicIPAnnotation = "skiff.io/public-ip"

  /// The peer a Node describes, or nil while it lacks a pod CIDR or (for VXLAN) its VTEP MAC.
  public init?(node: JSONValue, backend: NetworkBackend) {
    let annotations = node.metadata.annotations ?? [:]
    guard let name = node.metadata.name, let cidr = node["spec"]?["podCIDR"]?.stringValue.flatMap(IPv4CIDR.init)
    else { return nil }
    let internalIP = (node["status"]?["addresses"]?.arrayValue ?? [])
      .first { $0["type"]?.stringValue == "InternalIP" }?["address"]?.stringValue
    guard let ip = (annotations[Self.publicIPAnnotation] ?? internalIP).flatMap(IPv4Address.init) else { return nil }
    let mac = annotations[Self.macAnnotation].flatMap { [UInt8](macText: $0) }
    if backend == .vxlan && mac == nil { return nil }
    self.init(name: name, podCIDR: cidr, publicIP: ip, vtepMAC: mac)
  }

  /// What this node publishes about itself for the others.
  public static func annotations(backend: NetworkBackend, publicIP: IPv4Address, vtepMAC: [UInt8]?) -> [String: String]
  {
    var annotations = [Self.backendAnnotation: backend.rawValue, Self.publicIPAnnotation: publicIP.description]
    if let vtepMAC { annotations[Self.macAnnotation] = vtepMAC.macText }
    return annotations
  }
}
