import KubeClient
import NIOHTTP1
import Synchronization

/// Hands client requests straight to the router as an already-authenticated user.
struct InProcessTransport: KubeTransport {
  let router: APIRouter
  let user: UserInfo

  func send(_ request: KubeRequest) async throws -> KubeResponse {
    switch await router.handle(httpRequest(request), as: user) {
    case .full(let status, _, let body):
      return KubeResponse(status: Int(status.code), body: body)
    case .stream(let status, _, let write):
      let collector = Collector()
      try await write(collector)
      return KubeResponse(status: Int(status.code), body: collector.bytes.withLock { $0 })
    case .takeOver:
      return KubeResponse(status: 400, body: Array("an upgrade needs an HTTP/1.1 connection".utf8))
    }
  }

  func stream(_ request: KubeRequest) async throws -> KubeStreamingResponse {
    switch await router.handle(httpRequest(request), as: user) {
    case .full(let status, _, let body):
      return KubeStreamingResponse(
        status: Int(status.code),
        body: AsyncThrowingStream {
          $0.yield(body); $0.finish()
        })
    case .stream(let status, _, let write):
      let (body, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
      let producer = Task {
        do {
          try await write(StreamWriter(continuation: continuation))
          continuation.finish()
        } catch {
          continuation.finish(throwing: error)
        }
      }
      continuation.onTermination = { _ in producer.cancel() }
      return KubeStreamingResponse(status: Int(status.code), body: body)
    case .takeOver:
      return KubeStreamingResponse(
        status: 400,
        body: AsyncThrowingStream {
          $0.yield(Array("an upgrade needs an HTTP/1.1 connection".utf8))
          $0.finish()
        })
    }
  }

  private func httpRequest(_ request: KubeRequest) -> HTTPRequest {
    var headers = HTTPHeaders()
    headers.add(name: "accept", value: "application/json")
    headers.add(name: "user-agent", value: "skiff-controllers")
    if request.body != nil { headers.add(name: "content-type", value: request.contentType) }
    return HTTPRequest(
      method: HTTPMethod(rawValue: request.method), uri: request.uri, headers: headers, body: request.body ?? [])
  }

  /// Gathers a streamed body that a caller wants whole.
  private final class Collector: ResponseBodyWriter {
    let bytes = Mutex<[UInt8]>([])
    func write(_ part: [UInt8]) async throws { bytes.withLock { $0 += part } }
  }

  /// Passes a streamed body on as it is written; fails the writer once the reader has gone.
  private struct StreamWriter: ResponseBodyWriter {
    let continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation

    func write(_ part: [UInt8]) async throws {
      try Task.checkCancellation()
      if case .terminated = continuation.yield(part) { throw CancellationError() }
    }
  }
}
