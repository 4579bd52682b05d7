import Synchronization

/// A transport whose underlying connection can be replaced while clients hold it: a node's
/// renewed client certificate takes effect for new requests without rebuilding every informer.
public final class SwappableTransport: KubeTransport {
  private let current: Mutex<any KubeTransport>

  public init(_ transport: any KubeTransport) {
    current = Mutex(transport)
  }

  public func replace(_ transport: any KubeTransport) {
    current.withLock { $0 = transport }
  }

  public func send(_ request: KubeRequest) async throws -> KubeResponse {
    try await current.withLock { $0 }.send(request)
  }

  public func stream(_ request: KubeRequest) async throws -> KubeStreamingResponse {
    try await current.withLock { $0 }.stream(request)
  }
}
