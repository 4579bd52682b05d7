import Foundation
import KubeAPI
import NIOHTTP1

/// Creates `count` objects of a kind (8 requests in flight), then times full lists of them from
/// request to last byte; the last answer is decoded afterwards to check it holds every object.
struct ListBench {
  let client: BenchClient
  let kind: String
  let count: Int
  let repeats: Int
  let namespacePath = "/api/v1/namespaces/default"

  func run() async throws -> JSONValue {
    let createStart = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
      for worker in 0..<8 {
        group.addTask { [client, kind, count, namespacePath] in
          for n in stride(from: worker, to: count, by: 8) {
            _ = try await client.call(.POST, "\(namespacePath)/\(kind)", body: BenchObjects.make(kind, "\(kind)-\(n)"))
          }
        }
      }
      try await group.waitForAll()
    }
    let createSeconds = milliseconds(ContinuousClock.now - createStart) / 1000
    var times = Samples()
    var last: [UInt8] = []
    for _ in 0..<repeats {
      let began = ContinuousClock.now
      let response = try await client.send(.GET, "\(namespacePath)/\(kind)")
      times.values.append(milliseconds(ContinuousClock.now - began))
      guard response.status == 200 else { throw BenchError.status(response.status, "list \(kind)", "") }
      last = response.body
    }
    let items = try JSONValue.parse(last)["items"]?.arrayValue?.count ?? 0
    guard items >= count else { throw BenchError.status(200, "list \(kind)", "\(items) items, expected \(count)") }
    var result = times.summary.objectValue ?? [:]
    result["kind"] = .string(kind)
    result["items"] = .int(Int64(items))
    result["bytes"] = .int(Int64(last.count))
    result["create_seconds"] = .double((createSeconds * 100).rounded() / 100)
    result["creates_per_second"] = .double((Double(count) / createSeconds).rounded())
    return .object(result)
  }
}
