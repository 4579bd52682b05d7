import Foundation
import GRPCCore
import Store

extension Mvccpb_KeyValue {
  init(_ kv: KeyValue) {
    self.init()
    key = Data(kv.key)
    value = Data(kv.value)
    createRevision = kv.createRevision
    modRevision = kv.modRevision
    version = kv.version
    lease = kv.lease
  }
}

extension Mvccpb_Event {
  init(_ event: WatchEvent, withPrevious: Bool) {
    self.init()
    type = event.kind == .put ? .put : .delete
    kv = Mvccpb_KeyValue(event.kv)
    if withPrevious, let previous = event.prevKV { prevKv = Mvccpb_KeyValue(previous) }
  }
}

extension KeyRange {
  init(key: Data, rangeEnd: Data) {
    self.init(start: Array(key), end: Array(rangeEnd))
  }
}

extension Etcdserverpb_PutRequest {
  func validated() throws -> PutRequest {
    if key.isEmpty { throw EtcdError.keyNotProvided }
    if ignoreValue && !value.isEmpty { throw EtcdError.valueProvided }
    if ignoreLease && lease != 0 { throw EtcdError.leaseProvided }
    return PutRequest(
      key: Array(key), value: Array(value), lease: lease, prevKV: prevKv, ignoreValue: ignoreValue,
      ignoreLease: ignoreLease)
  }
}

extension Etcdserverpb_DeleteRangeRequest {
  func validated() throws -> DeleteRequest {
    if key.isEmpty { throw EtcdError.keyNotProvided }
    return DeleteRequest(range: KeyRange(key: key, rangeEnd: rangeEnd), prevKV: prevKv)
  }
}

extension Etcdserverpb_Compare {
  func validated() throws -> Compare {
    if key.isEmpty { throw EtcdError.keyNotProvided }
    let target: Compare.Target
    switch targetUnion {
    case .version(let v): target = .version(v)
    case .createRevision(let v): target = .createRevision(v)
    case .modRevision(let v): target = .modRevision(v)
    case .value(let v): target = .value(Array(v))
    case .lease(let v): target = .lease(v)
    case nil:
      // An unset oneof means the zero value of the declared target.
      switch self.target {
      case .version: target = .version(0)
      case .create: target = .createRevision(0)
      case .mod: target = .modRevision(0)
      case .value: target = .value([])
      case .lease: target = .lease(0)
      case .UNRECOGNIZED(let raw):
        throw RPCError(code: .invalidArgument, message: "etcdserver: unknown compare target \(raw)")
      }
    }
    let result: Compare.Result
    switch self.result {
    case .equal: result = .equal
    case .greater: result = .greater
    case .less: result = .less
    case .notEqual: result = .notEqual
    case .UNRECOGNIZED: result = .equal
    }
    return Compare(range: KeyRange(key: key, rangeEnd: rangeEnd), target: target, result: result)
  }
}
