import GRPCCore
import Store

/// The errors etcd's clients know, with etcd's codes and texts so etcdctl and client libraries
/// recognise them (clientv3 matches on the message).
enum EtcdError {
  static let keyNotProvided = RPCError(code: .invalidArgument, message: "etcdserver: key is not provided")
  static let valueProvided = RPCError(code: .invalidArgument, message: "etcdserver: value is provided")
  static let leaseProvided = RPCError(code: .invalidArgument, message: "etcdserver: lease is provided")
  static let requestTooLarge = RPCError(code: .invalidArgument, message: "etcdserver: request is too large")
  static let duplicateWatchID = "mvcc: duplicate watch ID provided on the WatchStream"

  /// Translates a store failure into the status etcd would send.
  static func from(_ error: Error) -> RPCError {
    if let rpc = error as? RPCError { return rpc }
    guard let store = error as? StoreError else {
      if error is CancellationError { return RPCError(code: .cancelled, message: "context canceled") }
      return RPCError(code: .internalError, message: "etcdserver: \(error)")
    }
    switch store {
    case .compacted:
      return RPCError(code: .outOfRange, message: "etcdserver: mvcc: required revision has been compacted")
    case .futureRevision:
      return RPCError(code: .outOfRange, message: "etcdserver: mvcc: required revision is a future revision")
    case .leaseNotFound: return RPCError(code: .notFound, message: "etcdserver: requested lease not found")
    case .leaseExists: return RPCError(code: .failedPrecondition, message: "etcdserver: lease already exists")
    case .keyNotFound: return RPCError(code: .invalidArgument, message: "etcdserver: key not found")
    case .duplicateKey:
      return RPCError(code: .invalidArgument, message: "etcdserver: duplicate key given in txn request")
    case .tooManyOperations:
      return RPCError(code: .invalidArgument, message: "etcdserver: too many operations in txn request")
    case .invalid(let why): return RPCError(code: .outOfRange, message: "etcdserver: \(why)")
    case .unavailable(let why): return RPCError(code: .unavailable, message: "etcdserver: \(why)")
    case .schemaTooNew: return RPCError(code: .failedPrecondition, message: "etcdserver: \(store)")
    }
  }
}

/// Runs `body`, reporting any failure as etcd would.
func etcdCall<T>(_ body: () async throws -> T) async throws -> T {
  do { return try await body() } catch { throw EtcdError.from(error) }
}
