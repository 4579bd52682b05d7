import Foundation
import KubeAPI

// API server benchmark (issue 3), the load generator of Benchmarks/apiserver/run.sh. Swift, so
// that latency is the server's and not a Python client's GIL and CPU on the same two cores.
//
// usage: apiserver-bench mix KUBECONFIG RATE SECONDS [--http2]
//          request mix at RATE requests/s; prints p50/p99/max ms per verb as JSON
//        apiserver-bench list KUBECONFIG pods|configmaps COUNT REPEATS [--http2]
//          creates COUNT objects, then times REPEATS full lists (request to last byte)

let usage = """
  usage: apiserver-bench mix KUBECONFIG RATE SECONDS [--http2]
         apiserver-bench list KUBECONFIG pods|configmaps COUNT REPEATS [--http2]

  """
var arguments = Array(CommandLine.arguments.dropFirst())
let http2 = arguments.contains("--http2")
arguments.removeAll { $0 == "--http2" }

do {
  guard arguments.count == (arguments.first == "list" ? 5 : 4) else { throw BenchError.usage(usage) }
  let client = try BenchClient(kubeconfig: arguments[1], http2: http2)
  let result: JSONValue
  switch arguments[0] {
  case "mix":
    guard let rate = Double(arguments[2]), let seconds = Double(arguments[3]), rate > 0 else {
      throw BenchError.usage(usage)
    }
    result = try await Mix(client: client, rate: rate, seconds: seconds).run()
  case "list":
    guard ["pods", "configmaps"].contains(arguments[2]), let count = Int(arguments[3]), let repeats = Int(arguments[4])
    else { throw BenchError.usage(usage) }
    result = try await ListBench(client: client, kind: arguments[2], count: count, repeats: repeats).run()
  default:
    throw BenchError.usage(usage)
  }
  try await client.shutdown()
  print(String(decoding: try result.serialized(), as: UTF8.self))
} catch {
  FileHandle.standardError.write(Data("apiserver-bench: \(error)\n".utf8))
  exit(1)
}
