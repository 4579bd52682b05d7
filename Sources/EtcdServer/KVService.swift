import GRPCCore
import NIOCore
import Store

/// etcd's KV service over the revision log. Range answers go out as frames encoded straight from
/// the store (`RangeResponseFrame`).
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

  // Put, DeleteRange and Txn go from the event loop straight to the store's writer, with no
  // task per call: the answer is encoded on the writer's thread once the batch committed.

  func put(request: Etcdserverpb_PutRequest, respond: @escaping GRPCRespond<Etcdserverpb_PutResponse>) {
    write(respond) {
      if request.key.count + request.value.count > Self.maxRequestBytes { throw EtcdError.requestTooLarge }
      return TxnRequest(success: [.put(try request.validated())])
    } answer: { [identity] result in
      var previous: KeyValue?
      if case .put(let kv)? = result.results.first { previous = kv }
      return TxnTranslation.put(previous, header: identity.header(result.revision))
    }
  }

  func deleteRange(
    request: Etcdserverpb_DeleteRangeRequest, respond: @escaping GRPCRespond<Etcdserverpb_DeleteRangeResponse>
  ) {
    write(respond) {
      TxnRequest(success: [.delete(try request.validated())])
    } answer: { [identity] result in
      var (deleted, previous): (Int64, [KeyValue]) = (0, [])
      if case .delete(let count, let kvs)? = result.results.first { (deleted, previous) = (count, kvs) }
      return TxnTranslation.delete(deleted, previous, header: identity.header(result.revision))
    }
  }

  func txn(request: Etcdserverpb_TxnRequest, respond: @escaping GRPCRespond<Etcdserverpb_TxnResponse>) {
    write(respond) {
      let size: [UInt8] = try request.serializedBytes()
      if size.count > Self.maxRequestBytes { throw EtcdError.requestTooLarge }
      return try TxnTranslation.request(request)
    } answer: { [identity] result in
      TxnTranslation.response(request, result, identity: identity)
    }
  }

  /// Runs the transaction `request` builds and answers with what `answer` makes of its result,
  /// reporting any failure as etcd would.
  private func write<Response>(
    _ respond: @escaping GRPCRespond<Response>, _ request: () throws -> TxnRequest,
    answer: @escaping @Sendable (TxnResult) -> Response
  ) {
    do {
      log.txn(try request()) { result in respond(result.map(answer).mapError(EtcdError.from)) }
    } catch {
      respond(.failure(EtcdError.from(error)))
    }
  }

  func compact(
    request: Etcdserverpb_CompactionRequest, context: ServerContext
  ) async throws -> Etcdserverpb_CompactionResponse {
    try await etcdCall {
      try await log.compact(request.revision, physical: request.physical)
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

  /// A Put's answer, on its own or inside a transaction.
  static func put(_ previous: KeyValue?, header: Etcdserverpb_ResponseHeader) -> Etcdserverpb_PutResponse {
    var response = Etcdserverpb_PutResponse()
    response.header = header
    if let previous { response.prevKv = Mvccpb_KeyValue(previous) }
    return response
  }

  /// A DeleteRange's answer, on its own or inside a transaction.
  static func delete(
    _ deleted: Int64, _ previous: [KeyValue], header: Etcdserverpb_ResponseHeader
  ) -> Etcdserverpb_DeleteRangeResponse {
    var response = Etcdserverpb_DeleteRangeResponse()
    response.header = header
    response.deleted = deleted
    response.prevKvs = previous.map(Mvccpb_KeyValue.init)
    return response
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
        out.response = .responsePut(put(previous, header: header))
      case (_, .delete(let deleted, let previous)):
        out.response = .responseDeleteRange(delete(deleted, previous, header: header))
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
