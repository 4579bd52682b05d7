import GRPCCore

/// etcd's Cluster service. Each skiff server is its own one-member "cluster" on top of the
/// shared datastore, so membership is fixed: changes are refused with a clear reason.
struct ClusterService {
  let identity: EtcdIdentity
  let revision: @Sendable () -> Int64

  private static let fixed = RPCError(
    code: .failedPrecondition,
    message:
      "etcdserver: skiff's etcd API has no raft membership; add servers by pointing them at the same --datastore-endpoint"
  )

  func memberList(
    request: Etcdserverpb_MemberListRequest, context: ServerContext
  ) async throws -> Etcdserverpb_MemberListResponse {
    var member = Etcdserverpb_Member()
    member.id = identity.memberID
    member.name = identity.name
    member.clientUrls = [identity.clientURL]
    var response = Etcdserverpb_MemberListResponse()
    response.header = identity.header(revision())
    response.members = [member]
    return response
  }

  func memberAdd(request: Etcdserverpb_MemberAddRequest, context: ServerContext) async throws
    -> Etcdserverpb_MemberAddResponse
  {
    throw Self.fixed
  }

  func memberRemove(
    request: Etcdserverpb_MemberRemoveRequest, context: ServerContext
  ) async throws -> Etcdserverpb_MemberRemoveResponse {
    throw Self.fixed
  }

  func memberUpdate(
    request: Etcdserverpb_MemberUpdateRequest, context: ServerContext
  ) async throws -> Etcdserverpb_MemberUpdateResponse {
    throw Self.fixed
  }

  func memberPromote(
    request: Etcdserverpb_MemberPromoteRequest, context: ServerContext
  ) async throws -> Etcdserverpb_MemberPromoteResponse {
    throw Self.fixed
  }
}
