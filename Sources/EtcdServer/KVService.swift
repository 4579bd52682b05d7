import GRPCCore
import NIOCore
import Store

/// etcd's KV service over the revision log. Range answers go out as frames encoded straight from
/// the store (`RangeResponseFrame`), so this is not a `SimpleServiceProtocol`.
struct KVService {
  let log: RevisionLog
  let identity: EtcdIdentity
  /// etcd's --max-request-bytes default: 1.5 MiB.
  static let maxRequestBytes = 1_572_864

  func range(request: Etcdserverpb_RangeRequest, context: ServerContext) async throws -> ByteBuffer {
    try await etcdCall {
      let query = try RangeQuery(request)
      let result = try await log.range(query.storeRequest)
      return try query.frame(result, header: identity.header(result.revision))
    }
  }

  func put(request: Etcdserverpb_PutRequest, context: ServerContext) async throws -> Etcdserverpb_PutResponse {
    try await etcdCall {
      if request.key.count + request.value.count > Self.maxRequestBytes { throw EtcdError.requestTooLarge }
      let (revision, previous) = try await log.put(try request.validated())
      var response = Etcdserverpb_PutResponse()
      response.header = identity.header(revision)
      if let previous { response.prevKv = Mvccpb_KeyValue(previous) }
      return response
    }
  }

  func deleteRange(
    request: Etcdserverpb_DeleteRangeRequest, context: ServerContext
  ) async throws -> Etcdserverpb_DeleteRangeResponse {
    try await etcdCall {
      let result = try await log.delete(try request.validated())
      var response = Etcdserverpb_DeleteRangeResponse()
      response.header = identity.header(result.revision)
      response.deleted = result.deleted
      response.prevKvs = result.prevKVs.map(Mvccpb_KeyValue.init)
      return response
    }
  }

  func txn(request: Etcdserverpb_TxnRequest, context: ServerContext) async throws -> Etcdserverpb_TxnResponse {
    try await etcdCall {
      let size: [UInt8] = try request.serializedBytes()
      if size.count > Self.maxRequestBytes { throw EtcdError.requestTooLarge }
      let result = try await log.txn(try TxnTranslation.request(request))
      return TxnTranslation.response(request, result, identity: identity)
    }
  }

  func compact(
    request: Etcdserverpb_CompactionRequest, context: ServerContext
  ) async throws -> Etcdserverpb_CompactionResponse {
    try await etcdCall {
      try await log.compact(request.revision)
      var response = Etcdserverpb_CompactionResponse()
      response.header = identity.header(log.currentRevision)
      return response
    }
  }
}

/// Maps etcd transactions to the store's and back, keeping each range's server-side options.
enum TxnTranslation {
  static func request(_ proto: Etcdserverpb_TxnRequest) throws -> TxnRequest {
    TxnRequest(
      compares: try proto.compare.map { try $0.validated() },
      success: try proto.success.map(operation),
      failure: try proto.failure.map(operation))
  }

  private static func operation(_ op: Etcdserverpb_RequestOp) throws -> TxnOperation {
    switch op.request {
    case .requestRange(let range): .range(try RangeQuery(range).storeRequest)
    case .requestPut(let put): .put(try put.validated())
    case .requestDeleteRange(let delete): .delete(try delete.validated())
    case .requestTxn(let txn): .txn(try request(txn))
    case nil: throw RPCError(code: .invalidArgument, message: "etcdserver: request op is empty")
    }
  }

  static func response(
    _ proto: Etcdserverpb_TxnRequest, _ result: TxnResult, identity: EtcdIdentity
  ) -> Etcdserverpb_TxnResponse {
    let header = identity.header(result.revision)
    var response = Etcdserverpb_TxnResponse()
    response.header = header
    response.succeeded = result.succeeded
    let ops = result.succeeded ? proto.success : proto.failure
    response.responses = zip(ops, result.results).map { op, result in
      var out = Etcdserverpb_ResponseOp()
      switch (op.request, result) {
      case (.requestRange(let range)?, .range(let r)):
        // Validated on the way in, so this cannot throw.
        if let query = try? RangeQuery(range) { out.response = .responseRange(query.response(r, header: header)) }
      case (_, .put(let previous)):
        var put = Etcdserverpb_PutResponse()
        put.header = header
        if let previous { put.prevKv = Mvccpb_KeyValue(previous) }
        out.response = .responsePut(put)
      case (_, .delete(let deleted, let previous)):
        var delete = Etcdserverpb_DeleteRangeResponse()
        delete.header = header
        delete.deleted = deleted
        delete.prevKvs = previous.map(Mvccpb_KeyValue.init)
        out.response = .responseDeleteRange(delete)
      case (.requestTxn(let nested)?, .txn(let r)):
        out.response = .responseTxn(Self.response(nested, r, identity: identity))
      default:
        break
      }
      return out
    }
    return response
  }
}
