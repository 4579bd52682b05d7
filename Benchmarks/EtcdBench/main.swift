// etcd-bench: read benchmarks against any etcd v3 endpoint (skiff or etcd), so both are
// measured by the same client in the same run. Prints one line of key=value results.
//
//   etcd-bench --endpoint unix:///path/etcd.sock|127.0.0.1:2379 get  [--clients 16] [--seconds 10]
//   etcd-bench --endpoint … list [--keys 10000] [--iterations 100] [--decode]
import EtcdServer
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftProtobuf

struct Options {
  var endpoint = ""
  var mode = ""
  var clients = 16
  var seconds = 10.0
  var keys = 10_000
  var iterations = 100
  var valueSize = 1024
  /// Time lists with this client's decoding of each answer included.
  var decode = false

  init(_ arguments: [String]) {
    var iterator = arguments.dropFirst().makeIterator()
    while let argument = iterator.next() {
      switch argument {
      case "--endpoint": endpoint = iterator.next() ?? ""
      case "--clients": clients = Int(iterator.next() ?? "") ?? clients
      case "--seconds": seconds = Double(iterator.next() ?? "") ?? seconds
      case "--keys": keys = Int(iterator.next() ?? "") ?? keys
      case "--iterations": iterations = Int(iterator.next() ?? "") ?? iterations
      case "--value-size": valueSize = Int(iterator.next() ?? "") ?? valueSize
      case "--decode": decode = true
      default: mode = argument
      }
    }
  }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
  sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

/// Set once the result line is out: a failure while the client shuts down after that (etcd
/// can reset streams then) does not void the measurement.
nonisolated(unsafe) var reported = false

func report(_ name: String, _ latencies: [Double], elapsed: Double) {
  let sorted = latencies.sorted()
  defer { reported = true }
  // Straight to the file descriptor: a crash later must not lose a buffered result.
  let line = String(
    format: "%@ requests=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", name, sorted.count,
    Double(sorted.count) / elapsed, percentile(sorted, 0.5) * 1000, percentile(sorted, 0.99) * 1000,
    (sorted.last ?? 0) * 1000)
  FileHandle.standardOutput.write(Data(line.utf8))
}

/// Reads a RangeResponse only as far as counting its key-values (field 2), skipping each.
struct KeyValueCounter: MessageDeserializer {
  func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> Int {
    try bytes.withUnsafeBytes { buffer in
      var index = 0
      func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < buffer.count {
          let byte = buffer[index]
          index += 1
          value |= UInt64(byte & 0x7f) << shift
          if byte < 0x80 { return value }
          shift += 7
        }
        throw RPCError(code: .internalError, message: "truncated varint")
      }
      var count = 0
      while index < buffer.count {
        let tag = try varint()
        switch tag & 7 {
        case 0: _ = try varint()
        case 2:
          index += Int(try varint())
          if tag >> 3 == 2 { count += 1 }
        default: throw RPCError(code: .internalError, message: "unexpected wire type in RangeResponse")
        }
      }
      guard index == buffer.count else { throw RPCError(code: .internalError, message: "truncated RangeResponse") }
      return count
    }
  }
}

func target(_ endpoint: String) -> any ResolvableTarget {
  if endpoint.hasPrefix("unix://") { return .unixDomainSocket(path: String(endpoint.dropFirst(7))) }
  let hostPort = endpoint.replacingOccurrences(of: "http://", with: "")
  let parts = hostPort.split(separator: ":")
  return .ipv4(address: String(parts[0]), port: Int(parts[1]) ?? 2379)
}

/// The two KV calls the benchmark makes, through GRPCClient's generic unary call (skiff's
/// generated code holds only the method descriptors, no client stubs).
struct KVClient {
  let client: GRPCClient<HTTP2ClientTransport.Posix>

  func range(_ request: Etcdserverpb_RangeRequest, options: CallOptions = .defaults) async throws
    -> Etcdserverpb_RangeResponse
  {
    try await call(Etcdserverpb_KV.Method.Range.descriptor, request, options: options)
  }

  func txn(_ request: Etcdserverpb_TxnRequest) async throws -> Etcdserverpb_TxnResponse {
    try await call(Etcdserverpb_KV.Method.Txn.descriptor, request, options: .defaults)
  }

  private func call<Request: Message, Response: Message>(
    _ descriptor: MethodDescriptor, _ request: Request, options: CallOptions
  ) async throws -> Response {
    try await client.unary(
      request: ClientRequest(message: request), descriptor: descriptor, serializer: ProtobufSerializer<Request>(),
      deserializer: ProtobufDeserializer<Response>(), options: options
    ) { try $0.message }
  }
}

/// Writes `count` keys under `prefix`, 100 per transaction, unless they are already there.
func seed(_ kv: KVClient, prefix: String, count: Int, valueSize: Int)
  async throws
{
  var check = Etcdserverpb_RangeRequest()
  check.key = Data(prefix.utf8)
  check.rangeEnd = Data(prefix.utf8.dropLast()) + Data([prefix.utf8.last! + 1])
  check.countOnly = true
  if try await kv.range(check).count == count { return }
  let value = Data(repeating: 0x61, count: valueSize)
  for start in stride(from: 0, to: count, by: 100) {
    var txn = Etcdserverpb_TxnRequest()
    txn.success = (start..<min(start + 100, count)).map { index in
      var put = Etcdserverpb_PutRequest()
      put.key = Data(String(format: "%@%08d", prefix, index).utf8)
      put.value = value
      var op = Etcdserverpb_RequestOp()
      op.request = .requestPut(put)
      return op
    }
    _ = try await kv.txn(txn)
  }
}

let options = Options(CommandLine.arguments)
guard !options.endpoint.isEmpty, ["get", "list"].contains(options.mode) else {
  print("usage: etcd-bench --endpoint URL get|list [--clients N] [--seconds S] [--keys N] [--iterations N] [--decode]")
  exit(2)
}

let prefix = "/bench/\(options.mode)/"
let keys = options.mode == "get" ? 1000 : options.keys
do {
  // Seeding runs on a connection of its own: etcd may reset a connection after large writes, and
  // the measured calls should start on a fresh one.
  try await withGRPCClient(transport: .http2NIOPosix(target: target(options.endpoint), transportSecurity: .plaintext)) {
    try await seed(KVClient(client: $0), prefix: prefix, count: keys, valueSize: options.valueSize)
  }
} catch {
  FileHandle.standardError.write(Data("etcd-bench: seeding failed: \(error)\n".utf8))
  exit(1)
}

do {
  try await withGRPCClient(transport: .http2NIOPosix(target: target(options.endpoint), transportSecurity: .plaintext)) {
    client in
    let kv = KVClient(client: client)
    let start = ContinuousClock.now
    switch options.mode {
    case "get":
      let deadline = start + .seconds(options.seconds)
      let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
        for _ in 0..<options.clients {
          group.addTask {
            var latencies: [Double] = []
            while ContinuousClock.now < deadline {
              var request = Etcdserverpb_RangeRequest()
              request.key = Data(String(format: "%@%08d", prefix, Int.random(in: 0..<keys)).utf8)
              let begin = ContinuousClock.now
              let response: Etcdserverpb_RangeResponse
              do { response = try await kv.range(request) } catch {
                FileHandle.standardError.write(Data("get failed: \(String(reflecting: error))\n".utf8))
                throw error
              }
              precondition(response.kvs.count == 1, "key missing")
              let elapsed = ContinuousClock.now - begin
              latencies.append(Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
            }
            return latencies
          }
        }
        var all: [Double] = []
        for try await latencies in group { all += latencies }
        return all
      }
      let elapsed = ContinuousClock.now - start
      report(
        "get", latencies, elapsed: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    default:
      var latencies: [Double] = []
      var request = Etcdserverpb_RangeRequest()
      request.key = Data(prefix.utf8)
      request.rangeEnd = Data(prefix.utf8.dropLast()) + Data([prefix.utf8.last! + 1])
      var callOptions = CallOptions.defaults
      // The transport applies the request limit to every message of the call, responses included.
      callOptions.maxRequestMessageBytes = 256 << 20
      callOptions.maxResponseMessageBytes = 256 << 20
      // The first answer is decoded in full and checked. The timed ones are taken to their last
      // byte and their key-values counted, so the figure is the server's, not this client's
      // decoding of 10 MB (which costs the same whatever answered); --decode times that too.
      let full = try await kv.range(request, options: callOptions)
      precondition(full.kvs.count == keys, "expected \(keys) keys, got \(full.kvs.count)")
      for _ in 0..<options.iterations {
        let begin = ContinuousClock.now
        let count =
          options.decode
          ? try await kv.range(request, options: callOptions).kvs.count
          : try await client.unary(
            request: ClientRequest(message: request), descriptor: Etcdserverpb_KV.Method.Range.descriptor,
            serializer: ProtobufSerializer<Etcdserverpb_RangeRequest>(), deserializer: KeyValueCounter(),
            options: callOptions
          ) { try $0.message }
        let elapsed = ContinuousClock.now - begin
        precondition(count == keys, "expected \(keys) keys, got \(count)")
        latencies.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
      }
      let elapsed = ContinuousClock.now - start
      report(
        options.decode ? "list\(keys)-decoded" : "list\(keys)", latencies,
        elapsed: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
  }
} catch {
  FileHandle.standardError.write(Data("etcd-bench: \(error)\n".utf8))
  exit(reported ? 0 : 1)
}
