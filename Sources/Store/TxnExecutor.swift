/// Runs one etcd transaction inside a database transaction: first decide every branch and check
/// every operation against the state before the transaction, then apply, so a refused request
/// has written nothing.
struct TxnExecutor {
  let session: LogSession
  /// The writer's batch; nil for read-only transactions.
  let batch: WriteBatch?
  var now: Int64 = 0
  /// Deletes of more keys than this (without prev_kv) skip loading the rows.
  static let bulkDeleteThreshold: Int64 = 1000

  /// The branch chosen at each level, with its operations.
  private indirect enum Step {
    case range(RangeRequest)
    case put(PutRequest, previous: KeyValue?)
    case delete(DeleteRequest)
    case txn(succeeded: Bool, steps: [Step])
  }

  func execute(_ request: TxnRequest) throws -> TxnResult {
    let (succeeded, steps) = try plan(request)
    let results = try steps.map(apply)
    return TxnResult(succeeded: succeeded, results: results, revision: try revision())
  }

  /// The revision a response reports: the job's own, or the newest this transaction sees.
  private func revision() throws -> Int64 {
    guard let batch else { return try session.revisions().current }
    return try batch.revision ?? batch.revisions().current
  }

  private func plan(_ request: TxnRequest) throws -> (Bool, [Step]) {
    let succeeded = try request.compares.allSatisfy(holds)
    let steps = try (succeeded ? request.success : request.failure).map { operation -> Step in
      switch operation {
      case .range(let range): return .range(range)
      case .delete(let delete): return .delete(delete)
      case .txn(let nested):
        let (ok, steps) = try plan(nested)
        return .txn(succeeded: ok, steps: steps)
      case .put(let put):
        let previous = try session.get(put.key)
        if (put.ignoreValue || put.ignoreLease) && previous == nil { throw StoreError.keyNotFound }
        let lease = put.ignoreLease ? previous?.lease ?? 0 : put.lease
        if lease != 0 && !put.ignoreLease, try session.lease(lease) == nil { throw StoreError.leaseNotFound }
        return .put(put, previous: previous)
      }
    }
    return (succeeded, steps)
  }

  private func apply(_ step: Step) throws -> TxnOperationResult {
    switch step {
    case .range(let request):
      return .range(try session.range(request))
    case .txn(let succeeded, let steps):
      let results = try steps.map(apply)
      return .txn(TxnResult(succeeded: succeeded, results: results, revision: try revision()))
    case .put(let request, let previous):
      guard let batch else { preconditionFailure("read-only transaction planned a put") }
      let revision = try batch.takeRevision()
      let kv = KeyValue(
        key: request.key, value: request.ignoreValue ? previous?.value ?? [] : request.value,
        createRevision: previous?.createRevision ?? revision, modRevision: revision,
        version: (previous?.version ?? 0) + 1,
        lease: request.ignoreLease ? previous?.lease ?? 0 : request.lease)
      try session.writePut(kv, id: try batch.takeRowIDs())
      batch.record(WatchEvent(kind: .put, kv: kv, prevKV: previous))
      return .put(prevKV: request.prevKV ? previous : nil)
    case .delete(let request):
      guard let batch else { preconditionFailure("read-only transaction planned a delete") }
      if !request.prevKV, case let count = try session.count(request.range, at: nil), count > Self.bulkDeleteThreshold {
        // Watchers read these events back from the log instead of from memory.
        try session.writeBulkDelete(request.range, firstID: try batch.takeRowIDs(count))
        batch.eventsOnlyInLog = true
        return .delete(deleted: count, prevKVs: [])
      }
      let doomed = try session.range(request.range, at: nil, limit: 0)
      guard !doomed.isEmpty else { return .delete(deleted: 0, prevKVs: []) }
      let revision = try batch.takeRevision()
      for previous in doomed {
        try session.writeDelete(previous.key, id: try batch.takeRowIDs())
        batch.record(
          WatchEvent(kind: .delete, kv: KeyValue(key: previous.key, modRevision: revision), prevKV: previous))
      }
      return .delete(deleted: Int64(doomed.count), prevKVs: request.prevKV ? doomed : [])
    }
  }

  /// etcd's compare: a value compare on a missing key fails; other targets compare a missing key
  /// as zero; over a range every key must hold.
  private func holds(_ compare: Compare) throws -> Bool {
    let kvs = try session.range(compare.range, at: nil, limit: 0, keysOnly: !compare.target.needsValue)
    if kvs.isEmpty {
      if case .value = compare.target { return false }
      return Self.holds(compare, for: KeyValue(key: compare.range.start))
    }
    return kvs.allSatisfy { Self.holds(compare, for: $0) }
  }

  private static func holds(_ compare: Compare, for kv: KeyValue) -> Bool {
    let order: Int
    switch compare.target {
    case .version(let v): order = three(kv.version, v)
    case .createRevision(let v): order = three(kv.createRevision, v)
    case .modRevision(let v): order = three(kv.modRevision, v)
    case .lease(let v): order = three(kv.lease, v)
    case .value(let v):
      order = kv.value == v ? 0 : (kv.value.lexicographicallyPrecedes(v) ? -1 : 1)
    }
    switch compare.result {
    case .equal: return order == 0
    case .notEqual: return order != 0
    case .greater: return order > 0
    case .less: return order < 0
    }
  }

  private static func three(_ a: Int64, _ b: Int64) -> Int { a == b ? 0 : (a < b ? -1 : 1) }
}

extension Compare.Target {
  var needsValue: Bool {
    if case .value = self { return true }
    return false
  }
}
