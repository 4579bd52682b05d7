import GRPCCore
import Store

/// The standard gRPC health service: SERVING while the datastore answers reads.
struct HealthService {
  let log: RevisionLog

  private func currentStatus() async -> Grpc_Health_V1_HealthCheckResponse.ServingStatus {
    do {
      _ = try await log.range(RangeRequest(range: .key(Array("health".utf8)), countOnly: true))
      return .serving
    } catch {
      return .notServing
    }
  }

  func check(
    request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext
  ) async throws -> Grpc_Health_V1_HealthCheckResponse {
    var response = Grpc_Health_V1_HealthCheckResponse()
    response.status = await currentStatus()
    return response
  }

  func watch(
    request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
    context: ServerContext
  ) async throws {
    var last: Grpc_Health_V1_HealthCheckResponse.ServingStatus?
    while !Task.isCancelled {
      let status = await currentStatus()
      if status != last {
        var message = Grpc_Health_V1_HealthCheckResponse()
        message.status = status
        try await response.write(message)
        last = status
      }
      try await Task.sleep(for: .seconds(5))
    }
  }
}
