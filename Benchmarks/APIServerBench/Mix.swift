import Foundation
import KubeAPI
import NIOHTTP1
import Synchronization

/// The request mix of issue 3 at a fixed arrival rate: request n starts at start + n/rate in its
/// own task (open loop, so a slow answer never delays the next request's start). n odd is a pod,
/// n even a ConfigMap; n mod 10 picks the verb: 0–2 create, 3–6 get, 7 list, 8–9 get+update
/// (30/40/10/20 %). A pod watch and a ConfigMap watch stay open throughout.
final class Mix: Sendable {
  let client: BenchClient
  let rate: Double
  let seconds: Double
  let namespacePath = "/api/v1/namespaces/default"

  init(client: BenchClient, rate: Double, seconds: Double) {
    self.client = client
    self.rate = rate
    self.seconds = seconds
  }

  private struct Record {
    var names: [String: [String]] = ["pods": [], "configmaps": []]
    var latencies: [String: Samples] = [:]
    var lateness = Samples()
    var conflicts = 0
    var errors = 0
  }

  private let record = Mutex(Record())

  func run() async throws -> JSONValue {
    let watches = ["pods", "configmaps"].map { kind in
      Task { [client, namespacePath, seconds] in
        try await client.drainWatch(
          "\(namespacePath)/\(kind)?watch=true&resourceVersion=0&timeoutSeconds=\(Int(seconds) + 60)")
      }
    }
    try await Task.sleep(for: .milliseconds(500))
    let start = ContinuousClock.now
    let end = start + .seconds(seconds)
    await withDiscardingTaskGroup { group in
      var n = 0
      while true {
        n += 1
        let due = start + .seconds(Double(n) / rate)
        guard due < end else { break }
        try? await Task.sleep(until: due, clock: .continuous)
        group.addTask { [self, n, due] in
          let began = ContinuousClock.now
          do {
            let verb = try await request(n)
            let took = milliseconds(ContinuousClock.now - began)
            record.withLock {
              $0.latencies[verb, default: Samples()].values.append(took)
              $0.lateness.values.append(milliseconds(began - due))
            }
          } catch {
            let first = record.withLock {
              $0.errors += 1
              return $0.errors == 1
            }
            if first { FileHandle.standardError.write(Data("apiserver-bench: \(error)\n".utf8)) }
          }
        }
      }
    }
    var events = 0
    for watch in watches {
      watch.cancel()
      events += (try? await watch.value) ?? 0
    }
    return record.withLock { record in
      var result: [String: JSONValue] = record.latencies.mapValues(\.summary)
      result["start_lateness"] = record.lateness.summary
      result["conflicts"] = .int(Int64(record.conflicts))
      result["errors"] = .int(Int64(record.errors))
      result["watch_events"] = .int(Int64(events))
      result["client_cpu_s"] = .double((processCPUSeconds() * 100).rounded() / 100)
      return .object(result)
    }
  }

  /// Runs request n and answers its verb.
  private func request(_ n: Int) async throws -> String {
    let kind = n % 2 == 1 ? "pods" : "configmaps"
    let choice = n % 10
    let existing = record.withLock { Array($0.names[kind, default: []].suffix(50)) }
    if choice < 3 || existing.isEmpty {
      let name = "bench-\(Int(rate))-\(n)"
      _ = try await client.call(.POST, "\(namespacePath)/\(kind)", body: BenchObjects.make(kind, name))
      record.withLock { $0.names[kind, default: []].append(name) }
      return "create"
    } else if choice < 7 {
      _ = try await client.call(.GET, "\(namespacePath)/\(kind)/\(existing.randomElement()!)")
      return "get"
    } else if choice < 8 {
      // Timed to the last byte; a 500-item answer is not decoded, so the client's CPU stays off
      // the cores the server needs (the Python generator's parsing of these inflated others' latency).
      let response = try await client.send(.GET, "\(namespacePath)/\(kind)?labelSelector=app%3Dbench&limit=500")
      guard response.status == 200, response.body.last == UInt8(ascii: "}") else {
        throw BenchError.status(
          response.status, "list \(kind)", String(decoding: response.body.prefix(200), as: UTF8.self))
      }
      return "list"
    } else {
      let path = "\(namespacePath)/\(kind)/\(existing.randomElement()!)"
      var object = try await client.call(.GET, path)
      object.setValue(.string(String(n)), atPath: ["metadata", "annotations", "touched"])
      do {
        _ = try await client.call(.PUT, path, body: object)
      } catch BenchError.status(409, _, _) {
        record.withLock { $0.conflicts += 1 }
      }
      return "update"
    }
  }
}
