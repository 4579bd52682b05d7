/// Everything the revision log can refuse, with the text etcd uses where etcd has one.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The asked revision was compacted away; carries the current compact revision.
  case compacted(compactRevision: Int64)
  case futureRevision
  case leaseNotFound
  case leaseExists
  case keyNotFound
  case duplicateKey
  case tooManyOperations
  case invalid(String)
  /// The database cannot be reached or failed; nothing was written.
  case unavailable(String)
  /// The database was written by a newer skiff whose layout this one cannot read.
  case schemaTooNew(found: Int64, supported: Int64)

  /// The database failed, as opposed to the request being refused.
  public var isUnavailable: Bool {
    if case .unavailable = self { return true }
    return false
  }

  /// Retrying cannot help: the database belongs to a newer skiff.
  var isDowngrade: Bool {
    if case .schemaTooNew = self { return true }
    return false
  }

  public var description: String {
    switch self {
    case .compacted: "mvcc: required revision has been compacted"
    case .futureRevision: "mvcc: required revision is a future revision"
    case .leaseNotFound: "lease not found"
    case .leaseExists: "lease already exists"
    case .keyNotFound: "key not found"
    case .duplicateKey: "duplicate key given in txn request"
    case .tooManyOperations: "too many operations in txn request"
    case .invalid(let why): why
    case .unavailable(let why): "datastore unavailable: \(why)"
    case .schemaTooNew(let found, let supported):
      "the datastore has schema version \(found), written by a newer skiff; this skiff reads up to version "
        + "\(supported). Downgrading is refused: run the newer skiff again, or restore a snapshot taken before "
        + "the upgrade (skiff server --cluster-reset --cluster-reset-restore-path FILE)"
    }
  }
}
