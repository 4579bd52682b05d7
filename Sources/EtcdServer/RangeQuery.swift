import NIOCore
import Store

/// An etcd Range as the store runs it, plus what etcd does afterwards in the server: revision
/// filters, sorting and the limit applied after them.
struct RangeQuery {
  let proto: Etcdserverpb_RangeRequest

  init(_ proto: Etcdserverpb_RangeRequest) throws {
    if proto.key.isEmpty { throw EtcdError.keyNotProvided }
    self.proto = proto
  }

  /// etcd sorts ascending by default only when the target is not the key (the store's order).
  private var sortOrder: Etcdserverpb_RangeRequest.SortOrder {
    proto.sortOrder == .none && proto.sortTarget != .key ? .ascend : proto.sortOrder
  }

  private var filters: Bool {
    proto.minModRevision != 0 || proto.maxModRevision != 0 || proto.minCreateRevision != 0
      || proto.maxCreateRevision != 0
  }

  /// Sorting or filtering needs every key before the limit applies.
  private var fetchesAll: Bool {
    filters || !(sortOrder == .none || (sortOrder == .ascend && proto.sortTarget == .key))
  }

  var storeRequest: RangeRequest {
    RangeRequest(
      range: KeyRange(key: proto.key, rangeEnd: proto.rangeEnd), revision: proto.revision,
      limit: fetchesAll ? 0 : proto.limit, keysOnly: proto.keysOnly, countOnly: proto.countOnly)
  }

  /// The answer as a message, for a range inside a transaction.
  func response(_ result: RangeResult, header: Etcdserverpb_ResponseHeader) -> Etcdserverpb_RangeResponse {
    let (kvs, more) = selected(result)
    var response = Etcdserverpb_RangeResponse()
    response.header = header
    response.kvs = kvs.map(Mvccpb_KeyValue.init)
    response.more = more
    response.count = result.count
    return response
  }

  /// The answer as its gRPC frame, encoded from the store's key-values with no message between.
  func frame(_ result: RangeResult, header: Etcdserverpb_ResponseHeader) throws -> ByteBuffer {
    let (kvs, more) = selected(result)
    return try RangeResponseFrame.encode(header: header, kvs: kvs, more: more, count: result.count)
  }

  /// The key-values the client gets, after the filters, sorting and limit the store left to us.
  private func selected(_ result: RangeResult) -> (kvs: [KeyValue], more: Bool) {
    guard fetchesAll else { return (result.kvs, result.more) }
    var kvs = result.kvs.filter { kv in
      (proto.minModRevision == 0 || kv.modRevision >= proto.minModRevision)
        && (proto.maxModRevision == 0 || kv.modRevision <= proto.maxModRevision)
        && (proto.minCreateRevision == 0 || kv.createRevision >= proto.minCreateRevision)
        && (proto.maxCreateRevision == 0 || kv.createRevision <= proto.maxCreateRevision)
    }
    var more = result.more
    if sortOrder != .none {
      kvs.sort(by: ordering)
      if sortOrder == .descend { kvs.reverse() }
    }
    if proto.limit > 0 && kvs.count > proto.limit {
      kvs.removeLast(kvs.count - Int(proto.limit))
      more = true
    }
    return (kvs, more)
  }

  private func ordering(_ a: KeyValue, _ b: KeyValue) -> Bool {
    switch proto.sortTarget {
    case .version: a.version < b.version
    case .create: a.createRevision < b.createRevision
    case .mod: a.modRevision < b.modRevision
    case .value: a.value.lexicographicallyPrecedes(b.value)
    default: a.key.lexicographicallyPrecedes(b.key)
    }
  }
}
