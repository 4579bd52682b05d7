import Foundation
import GRPCCore
import Store

/// etcd's Lease service; leases live in the datastore, so any server can renew them.
struct LeaseService {
  let log: RevisionLog
  let identity: EtcdIdentity

  func leaseGrant(
    request: Etcdserverpb_LeaseGrantRequest, context: ServerContext
  ) async throws -> Etcdserverpb_LeaseGrantResponse {
    try await etcdCall {
      let (id, ttl) = try await log.grantLease(id: request.id, ttl: request.ttl)
      var response = Etcdserverpb_LeaseGrantResponse()
      response.header = identity.header(log.currentRevision)
      response.id = id
      response.ttl = ttl
      return response
    }
  }

  func leaseRevoke(
    request: Etcdserverpb_LeaseRevokeRequest, context: ServerContext
  ) async throws -> Etcdserverpb_LeaseRevokeResponse {
    try await etcdCall {
      let revision = try await log.revokeLease(request.id)
      var response = Etcdserverpb_LeaseRevokeResponse()
      response.header = identity.header(revision)
      return response
    }
  }

  func leaseKeepAlive(
    request: RPCAsyncSequence<Etcdserverpb_LeaseKeepAliveRequest, any Error>,
    response: RPCWriter<Etcdserverpb_LeaseKeepAliveResponse>, context: ServerContext
  ) async throws {
    for try await keepAlive in request {
      var answer = Etcdserverpb_LeaseKeepAliveResponse()
      answer.id = keepAlive.id
      do {
        answer.ttl = try await log.keepAlive(lease: keepAlive.id)
      } catch StoreError.leaseNotFound {
        // etcd answers an unknown or expired lease with TTL 0 rather than an error.
        answer.ttl = 0
      } catch {
        throw EtcdError.from(error)
      }
      answer.header = identity.header(log.currentRevision)
      try await response.write(answer)
    }
  }

  func leaseTimeToLive(
    request: Etcdserverpb_LeaseTimeToLiveRequest, context: ServerContext
  ) async throws -> Etcdserverpb_LeaseTimeToLiveResponse {
    try await etcdCall {
      let info = try await log.leaseInfo(request.id, keys: request.keys)
      var response = Etcdserverpb_LeaseTimeToLiveResponse()
      response.header = identity.header(log.currentRevision)
      response.id = info.id
      response.ttl = info.remainingTTL
      response.grantedTtl = info.grantedTTL
      response.keys = info.keys.map { Data($0) }
      return response
    }
  }

  func leaseLeases(
    request: Etcdserverpb_LeaseLeasesRequest, context: ServerContext
  ) async throws -> Etcdserverpb_LeaseLeasesResponse {
    try await etcdCall {
      var response = Etcdserverpb_LeaseLeasesResponse()
      response.header = identity.header(log.currentRevision)
      response.leases = try await log.leases().map { id in
        var status = Etcdserverpb_LeaseStatus()
        status.id = id
        return status
      }
      return response
    }
  }
}
