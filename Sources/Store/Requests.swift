/// What to read: a key range at a revision (0 = the newest), at most `limit` keys (0 = all).
public struct RangeRequest: Sendable, Equatable {
  public var range: KeyRange
  public var revision: Int64
  public var limit: Int64
  public var keysOnly: Bool
  public var countOnly: Bool

  public init(
    range: KeyRange, revision: Int64 = 0, limit: Int64 = 0, keysOnly: Bool = false,
    countOnly: Bool = false
  ) {
    self.range = range
    self.revision = revision
    self.limit = limit
    self.keysOnly = keysOnly
    self.countOnly = countOnly
  }
}

public struct RangeResult: Sendable, Equatable {
  public var kvs: [KeyValue]
  /// Keys in the range at that revision, regardless of `limit`.
  public var count: Int64
  /// More keys exist beyond `limit`.
  public var more: Bool
  /// The store revision the result was read at (the header revision).
  public var revision: Int64
}

public struct PutRequest: Sendable, Equatable {
  public var key: [UInt8]
  public var value: [UInt8]
  public var lease: Int64
  public var prevKV: Bool
  /// Keep the current value (the key must exist).
  public var ignoreValue: Bool
  /// Keep the current lease (the key must exist).
  public var ignoreLease: Bool

  public init(
    key: [UInt8], value: [UInt8], lease: Int64 = 0, prevKV: Bool = false,
    ignoreValue: Bool = false, ignoreLease: Bool = false
  ) {
    self.key = key
    self.value = value
    self.lease = lease
    self.prevKV = prevKV
    self.ignoreValue = ignoreValue
    self.ignoreLease = ignoreLease
  }
}

public struct DeleteRequest: Sendable, Equatable {
  public var range: KeyRange
  public var prevKV: Bool

  public init(range: KeyRange, prevKV: Bool = false) {
    self.range = range
    self.prevKV = prevKV
  }
}

/// One guard of a transaction; over a range, every key must satisfy it.
public struct Compare: Sendable, Equatable {
  public enum Target: Sendable, Equatable {
    case version(Int64), createRevision(Int64), modRevision(Int64), value([UInt8]), lease(Int64)
  }
  public enum Result: Sendable, Equatable { case equal, greater, less, notEqual }

  public var range: KeyRange
  public var target: Target
  public var result: Result

  public init(range: KeyRange, target: Target, result: Result) {
    self.range = range
    self.target = target
    self.result = result
  }
}

public indirect enum TxnOperation: Sendable, Equatable {
  case range(RangeRequest)
  case put(PutRequest)
  case delete(DeleteRequest)
  case txn(TxnRequest)
}

/// etcd's mini-transaction: if every compare holds, run `success`, else `failure`, atomically and
/// under one revision.
public struct TxnRequest: Sendable, Equatable {
  public var compares: [Compare]
  public var success: [TxnOperation]
  public var failure: [TxnOperation]

  public init(compares: [Compare] = [], success: [TxnOperation] = [], failure: [TxnOperation] = []) {
    self.compares = compares
    self.success = success
    self.failure = failure
  }
}

public indirect enum TxnOperationResult: Sendable, Equatable {
  case range(RangeResult)
  case put(prevKV: KeyValue?)
  case delete(deleted: Int64, prevKVs: [KeyValue])
  case txn(TxnResult)
}

public struct TxnResult: Sendable, Equatable {
  public var succeeded: Bool
  public var results: [TxnOperationResult]
  /// The revision after the transaction: its own when it wrote, else the current one.
  public var revision: Int64
}

/// A lease as the store keeps it.
public struct LeaseInfo: Sendable, Equatable {
  public var id: Int64
  public var grantedTTL: Int64
  /// Seconds left; -1 once expired.
  public var remainingTTL: Int64
  public var keys: [[UInt8]]
}
