import GRPCCore
import SkiffCore
import Store

/// etcd's Maintenance service: status, alarms, defragmentation and consistency hashes.
struct MaintenanceService {
  let log: RevisionLog
  let identity: EtcdIdentity

  func status(request: Etcdserverpb_StatusRequest, context: ServerContext) async throws -> Etcdserverpb_StatusResponse {
    try await etcdCall {
      let size = try await log.databaseSize()
      let revision = log.currentRevision
      var response = Etcdserverpb_StatusResponse()
      response.header = identity.header(revision)
      response.version = SkiffVersion.etcdAPI
      response.dbSize = size
      response.dbSizeInUse = size
      // One member, always its own leader; the revision stands in for the raft index.
      response.leader = identity.memberID
      response.raftIndex = UInt64(revision)
      response.raftAppliedIndex = UInt64(revision)
      response.raftTerm = 1
      return response
    }
  }

  func alarm(request: Etcdserverpb_AlarmRequest, context: ServerContext) async throws -> Etcdserverpb_AlarmResponse {
    // The SQL datastore raises no etcd alarms (no quota, no raft corruption check).
    var response = Etcdserverpb_AlarmResponse()
    response.header = identity.header(log.currentRevision)
    return response
  }

  func defragment(
    request: Etcdserverpb_DefragmentRequest, context: ServerContext
  ) async throws -> Etcdserverpb_DefragmentResponse {
    try await etcdCall {
      try await log.defragment()
      var response = Etcdserverpb_DefragmentResponse()
      response.header = identity.header(log.currentRevision)
      return response
    }
  }

  func hash(request: Etcdserverpb_HashRequest, context: ServerContext) async throws -> Etcdserverpb_HashResponse {
    try await etcdCall {
      let (hash, revision) = try await keyspaceHash(at: 0)
      var response = Etcdserverpb_HashResponse()
      response.header = identity.header(revision)
      response.hash = hash
      return response
    }
  }

  func hashKV(request: Etcdserverpb_HashKVRequest, context: ServerContext) async throws -> Etcdserverpb_HashKVResponse {
    try await etcdCall {
      let (hash, revision) = try await keyspaceHash(at: request.revision)
      var response = Etcdserverpb_HashKVResponse()
      response.header = identity.header(revision)
      response.hash = hash
      response.compactRevision = log.compactRevision
      return response
    }
  }

  func snapshot(
    request: Etcdserverpb_SnapshotRequest, response: RPCWriter<Etcdserverpb_SnapshotResponse>,
    context: ServerContext
  ) async throws {
    throw RPCError(
      code: .unimplemented,
      message: "etcdserver: skiff stores data in SQL, not bbolt; back up with `sqlite3 state.db .backup` or pg_dump")
  }

  func moveLeader(
    request: Etcdserverpb_MoveLeaderRequest, context: ServerContext
  ) async throws -> Etcdserverpb_MoveLeaderResponse {
    throw RPCError(code: .failedPrecondition, message: "etcdserver: skiff's etcd API has no raft leader to move")
  }

  /// CRC-32 over every key, value and mod revision at `revision` (0 = now).
  private func keyspaceHash(at revision: Int64) async throws -> (UInt32, Int64) {
    let result = try await log.range(RangeRequest(range: KeyRange(start: [0], end: [0]), revision: revision))
    var crc = CRC32()
    for kv in result.kvs {
      crc.update(kv.key)
      crc.update(kv.value)
      withUnsafeBytes(of: kv.modRevision.littleEndian) { crc.update(Array($0)) }
    }
    return (crc.value, result.revision)
  }
}

/// CRC-32 (IEEE), table-driven.
struct CRC32 {
  private static let table: [UInt32] = (0..<256).map { index in
    var c = UInt32(index)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }
  private var state: UInt32 = 0xFFFF_FFFF

  mutating func update(_ bytes: [UInt8]) {
    for byte in bytes { state = Self.table[Int((state ^ UInt32(byte)) & 0xFF)] ^ (state >> 8) }
  }

  var value: UInt32 { state ^ 0xFFFF_FFFF }
}
