import Foundation

/// Who this etcd façade says it is: one member of a one-member cluster per server.
public struct EtcdIdentity: Sendable {
  public var clusterID: UInt64
  public var memberID: UInt64
  public var name: String
  /// The URL clients reach this member at, as MemberList reports it.
  public var clientURL: String

  public init(name: String, clientURL: String, datastore: String) {
    self.name = name
    self.clientURL = clientURL
    // Stable across restarts: derived from what identifies the member and its datastore.
    self.memberID = Self.hash("\(name)|\(clientURL)")
    self.clusterID = Self.hash("skiff|\(datastore)")
  }

  func header(_ revision: Int64) -> Etcdserverpb_ResponseHeader {
    var header = Etcdserverpb_ResponseHeader()
    header.clusterID = clusterID
    header.memberID = memberID
    header.revision = revision
    header.raftTerm = 1
    return header
  }

  /// FNV-1a, nonzero: etcd ids are never 0.
  static func hash(_ text: String) -> UInt64 {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      value ^= UInt64(byte)
      value = value &* 0x100_0000_01b3
    }
    return value == 0 ? 1 : value
  }
}
