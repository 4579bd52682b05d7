import Foundation
import KubeAPI

/// Latency samples of one verb in milliseconds, summarised by nearest rank as load.py did.
struct Samples {
  var values: [Double] = []

  func percentile(_ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((p / 100 * Double(sorted.count - 1)).rounded()))]
  }

  var summary: JSONValue {
    func ms(_ value: Double) -> JSONValue { .double((value * 100).rounded() / 100) }
    return [
      "count": .int(Int64(values.count)), "p50_ms": ms(percentile(50)), "p99_ms": ms(percentile(99)),
      "max_ms": ms(values.max() ?? .nan),
    ]
  }
}

func milliseconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

/// User and system CPU time this process used so far, to tell the client's share of the cores.
func processCPUSeconds() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
  return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
