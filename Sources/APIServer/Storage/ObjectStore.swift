import KubeAPI
import Store

/// Objects in the revision log: JSON values under `/registry/…` keys, with compare-and-swap
/// writes so optimistic concurrency is the store's, not a second check in memory.
struct ObjectStore: Sendable {
  let log: RevisionLog
  /// Seals Secrets on their way in and opens them on their way out; nil stores values as given.
  var encryption: SecretsEncryption? = nil

  enum Outcome: Error { case exists, missing, modified(current: KeyValue?) }

  /// Creates `key`; fails with `.exists` when any object holds it.
  func create(key: String, value: [UInt8]) async throws -> Int64 {
    let key = Array(key.utf8)
    let value = try encryption?.seal(key: key, value: value) ?? value
    let result = try await log.txn(
      TxnRequest(
        compares: [Compare(range: .key(key), target: .createRevision(0), result: .equal)],
        success: [.put(PutRequest(key: key, value: value))]))
    guard result.succeeded else { throw Outcome.exists }
    return result.revision
  }

  /// Replaces `key` if it is still at `revision`.
  func update(key: String, value: [UInt8], revision: Int64) async throws -> Int64 {
    let keyBytes = Array(key.utf8)
    let value = try encryption?.seal(key: keyBytes, value: value) ?? value
    let result = try await log.txn(
      TxnRequest(
        compares: [Compare(range: .key(keyBytes), target: .modRevision(revision), result: .equal)],
        success: [.put(PutRequest(key: keyBytes, value: value))],
        failure: [.range(RangeRequest(range: .key(keyBytes)))]))
    guard result.succeeded else { throw conflict(result) }
    return result.revision
  }

  /// Deletes `key` if it is still at `revision`.
  func delete(key: String, revision: Int64) async throws -> Int64 {
    let keyBytes = Array(key.utf8)
    let result = try await log.txn(
      TxnRequest(
        compares: [Compare(range: .key(keyBytes), target: .modRevision(revision), result: .equal)],
        success: [.delete(DeleteRequest(range: .key(keyBytes)))],
        failure: [.range(RangeRequest(range: .key(keyBytes)))]))
    guard result.succeeded else { throw conflict(result) }
    return result.revision
  }

  private func conflict(_ result: TxnResult) -> Outcome {
    if case .range(let range)? = result.results.first, let current = range.kvs.first {
      return .modified(current: readable(current))
    }
    return .missing
  }

  func get(key: String, revision: Int64 = 0) async throws -> KeyValue? {
    try await log.range(RangeRequest(range: .key(Array(key.utf8)), revision: revision)).kvs.first.flatMap(readable)
  }

  /// `kv` as the API sees it: opened when sealed; nil when it cannot be opened.
  func readable(_ kv: KeyValue) -> KeyValue? {
    guard let encryption else { return kv }
    return encryption.readable(kv)
  }

  /// Keys from `start` (inclusive) under `prefix`, at `revision` (0 = now).
  func list(prefix: String, from start: String?, revision: Int64, limit: Int64) async throws -> RangeResult {
    let end = KeyRange.prefixEnd(Array(prefix.utf8))
    let begin = Array((start ?? prefix).utf8)
    var result = try await log.range(
      RangeRequest(range: KeyRange(start: begin, end: end), revision: revision, limit: limit))
    if encryption != nil { result.kvs = result.kvs.compactMap(readable) }
    return result
  }
}
