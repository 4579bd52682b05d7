import GRPCCore
import NIOCore
import SwiftProtobuf

/// One gRPC method as `GRPCConnectionHandler` runs it: protobuf bytes in, framed protobuf out.
///
/// Calls go straight from HTTP/2 frames to the service, with no stream channel or RPC executor
/// per call: under etcdctl's write loads those cost more CPU than the datastore itself.
struct GRPCMethod: Sendable {
  enum Handler: Sendable {
    /// One request, one response: started when the request stream ends.
    case unary(@Sendable (_ request: [UInt8], _ context: ServerContext) async throws -> ByteBuffer)
    /// One request, one response, with no task: started on the connection's event loop when the
    /// request stream ends, it must not block, and answers once through `respond`, from any thread.
    case unaryCallback(@Sendable (_ request: [UInt8], _ respond: @escaping GRPCRespond<ByteBuffer>) -> Void)
    /// Started when the request headers arrive; requests and responses flow while it runs.
    case streaming(
      @Sendable (_ requests: GRPCRequestBytes, _ responses: GRPCResponseBytes, ServerContext) async throws -> Void)
  }

  let descriptor: MethodDescriptor
  let handler: Handler

  /// The HTTP/2 path clients call it by, `/package.Service/Method`.
  var path: String { "/" + descriptor.fullyQualifiedMethod }

  static func unary<Request: Message, Response: Message>(
    _ descriptor: MethodDescriptor,
    _ body: @escaping @Sendable (Request, ServerContext) async throws -> Response
  ) -> GRPCMethod {
    unaryFramed(descriptor) { (request: Request, context) in try await body(request, context).grpcFrame() }
  }

  /// A unary method whose body writes its response frame itself (see `GRPCFrame`).
  static func unaryFramed<Request: Message>(
    _ descriptor: MethodDescriptor,
    _ body: @escaping @Sendable (Request, ServerContext) async throws -> ByteBuffer
  ) -> GRPCMethod {
    GRPCMethod(
      descriptor: descriptor,
      handler: .unary { bytes, context in try await body(try decode(Request.self, bytes), context) })
  }

  /// A unary method answered through a callback (see `Handler.unaryCallback`).
  static func unaryCallback<Request: Message, Response: Message>(
    _ descriptor: MethodDescriptor,
    _ body: @escaping @Sendable (Request, _ respond: @escaping GRPCRespond<Response>) -> Void
  ) -> GRPCMethod {
    GRPCMethod(
      descriptor: descriptor,
      handler: .unaryCallback { bytes, respond in
        let request: Request
        do { request = try decode(Request.self, bytes) } catch { return respond(.failure(RPCError(converting: error))) }
        body(request) { result in
          respond(
            result.flatMap { response in Result { try response.grpcFrame() }.mapError(RPCError.init(converting:)) })
        }
      })
  }

  static func serverStreaming<Request: Message, Response: Message>(
    _ descriptor: MethodDescriptor,
    _ body: @escaping @Sendable (Request, RPCWriter<Response>, ServerContext) async throws -> Void
  ) -> GRPCMethod {
    return GRPCMethod(
      descriptor: descriptor,
      handler: .streaming { requests, responses, context in
        var iterator = requests.makeAsyncIterator()
        guard let first = try await iterator.next() else {
          throw RPCError(code: .internalError, message: "grpc: the client sent no request message")
        }
        try await body(try decode(Request.self, first), RPCWriter(wrapping: GRPCResponseWriter(responses)), context)
      })
  }

  static func bidirectional<Request: Message, Response: Message>(
    _ descriptor: MethodDescriptor,
    _ body:
      @escaping @Sendable (RPCAsyncSequence<Request, any Error>, RPCWriter<Response>, ServerContext) async throws ->
      Void
  ) -> GRPCMethod {
    return GRPCMethod(
      descriptor: descriptor,
      handler: .streaming { requests, responses, context in
        try await body(
          RPCAsyncSequence(wrapping: GRPCRequestStream<Request>(bytes: requests)),
          RPCWriter(wrapping: GRPCResponseWriter(responses)), context)
      })
  }

  static func decode<Request: Message>(_ type: Request.Type, _ bytes: [UInt8]) throws -> Request {
    do {
      return try Request(serializedBytes: bytes)
    } catch {
      throw RPCError(code: .internalError, message: "grpc: error unmarshalling request: \(error)")
    }
  }
}

/// Answers a call once, from any thread.
typealias GRPCRespond<Response> = @Sendable (Result<Response, RPCError>) -> Void

/// The raw request messages of a streaming call, in order; ends when the client half-closes.
typealias GRPCRequestBytes = AsyncThrowingStream<[UInt8], any Error>

/// Requests of a streaming call, decoded as the service takes them.
struct GRPCRequestStream<Request: Message>: AsyncSequence, Sendable {
  let bytes: GRPCRequestBytes

  func makeAsyncIterator() -> Iterator { Iterator(bytes: bytes.makeAsyncIterator()) }

  struct Iterator: AsyncIteratorProtocol {
    var bytes: GRPCRequestBytes.AsyncIterator

    mutating func next() async throws -> Request? {
      guard let message = try await bytes.next() else { return nil }
      return try GRPCMethod.decode(Request.self, message)
    }
  }
}

/// Responses of a streaming call: each write returns once the frame is on its way to the
/// socket, which holds a fast producer (a watch catching up) to the client's pace.
struct GRPCResponseWriter<Response: Message>: RPCWriterProtocol {
  let bytes: GRPCResponseBytes

  init(_ bytes: GRPCResponseBytes) {
    self.bytes = bytes
  }

  func write(_ element: Response) async throws {
    try await bytes.write(try element.grpcFrame())
  }

  func write(contentsOf elements: some Sequence<Response>) async throws {
    for element in elements { try await write(element) }
  }
}
