import Foundation
import NIOHTTP1
import Synchronization

/// Request counts and latencies in Prometheus text format, for `/metrics`.
final class RequestMetrics: Sendable {
  private struct Key: Hashable { var verb: String, resource: String, code: Int }
  private static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60]
  private struct Histogram {
    var counts = [Int](repeating: 0, count: RequestMetrics.buckets.count)
    var sum = 0.0
    var total = 0
  }
  private let state = Mutex<(counts: [Key: Int], latency: [String: Histogram])>(([:], [:]))

  func record(verb: String, resource: String, response: HTTPResponse, since start: ContinuousClock.Instant) {
    let code: Int
    switch response {
    case .full(let status, _, _): code = Int(status.code)
    case .stream(let status, _, _): code = Int(status.code)
    case .takeOver: code = 101
    }
    let seconds =
      Double((ContinuousClock.now - start).components.attoseconds) / 1e18
      + Double((ContinuousClock.now - start).components.seconds)
    state.withLock { state in
      state.counts[Key(verb: verb, resource: resource, code: code), default: 0] += 1
      var histogram = state.latency[verb] ?? Histogram()
      for (index, bound) in RequestMetrics.buckets.enumerated() where seconds <= bound { histogram.counts[index] += 1 }
      histogram.sum += seconds
      histogram.total += 1
      state.latency[verb] = histogram
    }
  }

  func exposition() -> HTTPResponse {
    var text =
      "# HELP apiserver_request_total Counter of apiserver requests broken out by verb, resource and HTTP code.\n"
    text += "# TYPE apiserver_request_total counter\n"
    let (counts, latency) = state.withLock { ($0.counts, $0.latency) }
    for (key, value) in counts.sorted(by: { "\($0.key)" < "\($1.key)" }) {
      text +=
        "apiserver_request_total{code=\"\(key.code)\",resource=\"\(key.resource)\",verb=\"\(key.verb)\"} \(value)\n"
    }
    text += "# HELP apiserver_request_duration_seconds Response latency distribution in seconds for each verb.\n"
    text += "# TYPE apiserver_request_duration_seconds histogram\n"
    for (verb, histogram) in latency.sorted(by: { $0.key < $1.key }) {
      for (index, bound) in RequestMetrics.buckets.enumerated() {
        text +=
          "apiserver_request_duration_seconds_bucket{verb=\"\(verb)\",le=\"\(bound)\"} \(histogram.counts[index])\n"
      }
      text += "apiserver_request_duration_seconds_bucket{verb=\"\(verb)\",le=\"+Inf\"} \(histogram.total)\n"
      text += "apiserver_request_duration_seconds_sum{verb=\"\(verb)\"} \(histogram.sum)\n"
      text += "apiserver_request_duration_seconds_count{verb=\"\(verb)\"} \(histogram.total)\n"
    }
    var headers = HTTPHeaders()
    headers.add(name: "content-type", value: "text/plain; version=0.0.4; charset=utf-8")
    return .full(status: .ok, headers: headers, body: Array(text.utf8))
  }
}
