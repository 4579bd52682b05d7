/// One key at one revision, with etcd's bookkeeping.
public struct KeyValue: Sendable, Equatable {
  public var key: [UInt8]
  public var value: [UInt8]
  /// Revision of the put that created this incarnation of the key.
  public var createRevision: Int64
  /// Revision of the last change.
  public var modRevision: Int64
  /// Number of puts since creation, 1 for a new key.
  public var version: Int64
  /// Attached lease id, 0 for none.
  public var lease: Int64

  public init(
    key: [UInt8], value: [UInt8] = [], createRevision: Int64 = 0, modRevision: Int64 = 0,
    version: Int64 = 0, lease: Int64 = 0
  ) {
    self.key = key
    self.value = value
    self.createRevision = createRevision
    self.modRevision = modRevision
    self.version = version
    self.lease = lease
  }
}

/// A change recorded in the revision log, as watchers see it.
public struct WatchEvent: Sendable, Equatable {
  public enum Kind: Sendable, Equatable { case put, delete }
  public var kind: Kind
  /// For a delete, only `key` and `modRevision` are set, as in etcd.
  public var kv: KeyValue
  /// The key's value just before this change, if it existed and is still retained.
  public var prevKV: KeyValue?

  public var revision: Int64 { kv.modRevision }

  public init(kind: Kind, kv: KeyValue, prevKV: KeyValue?) {
    self.kind = kind
    self.kv = kv
    self.prevKV = prevKV
  }

  /// Bytes this event holds, used to bound in-memory buffers.
  var footprint: Int { kv.key.count + kv.value.count + (prevKV.map { $0.key.count + $0.value.count } ?? 0) + 96 }
}
