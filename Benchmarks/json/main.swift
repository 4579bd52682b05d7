// Parse + serialize throughput of a realistic 1,000-pod PodList: KubeAPI's JSONValue against
// Foundation's JSONSerialization, side by side in one process. Run:
//   swift run -c release json-bench [pods] [rounds]
import Foundation
import KubeAPI

let podCount = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1000 : 1000
let rounds = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 15 : 15
/// `parse`, `serialize`, `foundation-parse` or `foundation-serialize` runs only that step
/// (for instruction counts under callgrind, which the other agents' load does not disturb).
let only = CommandLine.arguments.count > 3 ? CommandLine.arguments[3] : nil

let list = BenchPods.list(podCount)
let bytes = try list.serialized()
let data = Data(bytes)
let megabytes = Double(bytes.count) / 1_048_576
print("document: \(podCount) pods, \(bytes.count) bytes (\(String(format: "%.2f", megabytes)) MiB), \(rounds) rounds")

/// Median wall time of `rounds` runs of `body`, in seconds.
func measure(_ body: () throws -> Void) rethrows -> Double {
  var samples: [Double] = []
  let clock = ContinuousClock()
  try body()  // warm-up
  for _ in 0..<rounds {
    let elapsed = try clock.measure(body)
    samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
  }
  samples.sort()
  return samples[samples.count / 2]
}

var sink = 0
if let only {
  let value = try JSONValue.parse(bytes)
  for _ in 0..<rounds {
    if only == "parse" { sink &+= try JSONValue.parse(bytes).objectValue?.count ?? 0 }
    if only == "serialize" { sink &+= try value.serialized().count }
    if only == "foundation-parse" {
      sink &+= (try JSONSerialization.jsonObject(with: data) as? NSDictionary)?.count ?? 0
    }
    if only == "foundation-serialize" {
      let object = try JSONSerialization.jsonObject(with: data)
      sink &+= try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).count
    }
  }
  print("done \(only) \(sink)")
  exit(0)
}
let kubeParse = try measure { sink &+= try JSONValue.parse(bytes).objectValue?.count ?? 0 }
let parsed = try JSONValue.parse(bytes)
let kubeSerialize = try measure { sink &+= try parsed.serialized().count }
let kubeBoth = try measure { sink &+= try JSONValue.parse(bytes).serialized().count }

let foundationParse = try measure {
  sink &+= (try JSONSerialization.jsonObject(with: data) as? [String: Any])?.count ?? 0
}
let foundationObject = try JSONSerialization.jsonObject(with: data)
let foundationSerialize = try measure {
  sink &+= try JSONSerialization.data(withJSONObject: foundationObject, options: [.sortedKeys]).count
}
let foundationBoth = try measure {
  let object = try JSONSerialization.jsonObject(with: data)
  sink &+= try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).count
}

func row(_ name: String, _ kube: Double, _ foundation: Double) {
  let k = megabytes / kube
  let f = megabytes / foundation
  print(
    name.padding(toLength: 18, withPad: " ", startingAt: 0)
      + String(format: "KubeAPI %8.1f MB/s   Foundation %8.1f MB/s   ratio %5.2fx", k, f, k / f))
}
row("parse", kubeParse, foundationParse)
row("serialize", kubeSerialize, foundationSerialize)
row("parse+serialize", kubeBoth, foundationBoth)
if sink == 42 { print(sink) }
