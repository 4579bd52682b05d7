// runtime-bench: container run latency of skiff's runtime against runc on the same rootfs,
// shim memory per running container, and image import time. Run as root:
//   swift build -c release --product runtime-bench && sudo .build/release/runtime-bench [count]
import Foundation
import Glibc
import Runtime

let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 50 : 50
let root = "/tmp/skiff-runtime-bench-\(getpid())"
try? FileManager.default.removeItem(atPath: root)
try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: root) }

func now() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func shell(_ command: String) -> Int32 {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/sh")
  process.arguments = ["-c", command]
  try? process.run()
  process.waitUntilExit()
  return process.terminationStatus
}

/// An OCI archive of busybox-static with `true` and `sleep`, and one of `size` random bytes.
func writeArchive(_ path: String, name: String, extraBytes: Int = 0) throws {
  var layer = TarWriter()
  for directory in ["bin", "etc", "tmp", "proc", "sys", "dev"] { layer.addDirectory(directory) }
  layer.addFile("bin/busybox", contents: Array(try Data(contentsOf: URL(fileURLWithPath: "/bin/busybox"))), mode: 0o755)
  for applet in ["sh", "true", "sleep", "echo"] { layer.addSymlink("bin/\(applet)", target: "/bin/busybox") }
  if extraBytes > 0 {
    let random = FileHandle(forReadingAtPath: "/dev/urandom")!
    layer.addFile("data.bin", contents: Array(random.readData(ofLength: extraBytes)))
  }
  layer.finish()
  let layerBytes = layer.bytes
  let config = ImageConfig(
    architecture: Platform.host.architecture, os: "linux",
    config: ImageRuntimeConfig(env: ["PATH=/bin"], cmd: ["true"]), diffIDs: [Digest.of(layerBytes)])
  let configBytes = Array(try JSONEncoder().encode(config))
  let manifest = ImageManifest(
    config: Descriptor(mediaType: MediaType.ociConfig, digest: Digest.of(configBytes), size: Int64(configBytes.count)),
    layers: [Descriptor(mediaType: MediaType.ociLayer, digest: Digest.of(layerBytes), size: Int64(layerBytes.count))])
  let manifestBytes = Array(try JSONEncoder().encode(manifest))
  let index = ImageIndex(
    schemaVersion: 2, mediaType: MediaType.ociIndex,
    manifests: [
      Descriptor(
        mediaType: MediaType.ociManifest, digest: Digest.of(manifestBytes), size: Int64(manifestBytes.count),
        annotations: ["io.containerd.image.name": name])
    ])
  var tar = TarWriter()
  tar.addFile("oci-layout", contents: Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
  tar.addFile("index.json", contents: Array(try JSONEncoder().encode(index)))
  for blob in [configBytes, manifestBytes, layerBytes] {
    tar.addFile("blobs/sha256/\(Digest.of(blob).hex)", contents: blob)
  }
  tar.finish()
  try Data(tar.bytes).write(to: URL(fileURLWithPath: path))
}

let images = try ImageStore(root: root + "/agent/images")
let runtime = try ContainerRuntime(root: root + "/agent", images: images)
try writeArchive(root + "/busybox.tar", name: "bench/busybox:1")
let image = try images.importArchive(root + "/busybox.tar")[0]
let rootfs = images.snapshots.path(image.chainIDs[0])

/// Time spent in each step of skiff's runs, for the breakdown line.
final class Phases: @unchecked Sendable {
  private let lock = NSLock()
  private var totals = [Double](repeating: 0, count: 4)
  private var runs = 0

  func add(_ values: [Double]) {
    lock.withLock {
      for index in values.indices { totals[index] += values[index] }
      runs += 1
    }
  }

  var summary: String {
    lock.withLock {
      let names = ["create", "start", "wait", "delete"]
      return zip(names, totals).map { String(format: "%@ %.1f", $0, $1 / Double(max(runs, 1)) * 1000) }
        .joined(separator: ", ")
    }
  }
}
let phases = Phases()

// skiff: create, start, run `true`, wait, delete.
func skiffRun(_ id: String) throws {
  var spec = ContainerSpec(id: id, image: "bench/busybox:1")
  spec.command = ["true"]
  let t0 = now()
  try runtime.create(spec)
  let t1 = now()
  try runtime.start(id)
  let t2 = now()
  _ = try runtime.waitBlocking(id, timeout: 30)
  let t3 = now()
  try runtime.remove(id)
  phases.add([t1 - t0, t2 - t1, t3 - t2, now() - t3])
}

// runc: the same, with `runc run` on a bundle whose rootfs is the same snapshot (read-only).
let runcAvailable = shell("command -v runc >/dev/null") == 0
let bundle = root + "/runc-bundle"
if runcAvailable {
  try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
  _ = shell("cd \(bundle) && runc spec")
  let configPath = bundle + "/config.json"
  var config =
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as! [String: Any]
  var process = config["process"] as! [String: Any]
  process["args"] = ["true"]
  process["terminal"] = false
  config["process"] = process
  config["root"] = ["path": rootfs, "readonly": true]
  try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
}

func runcRun(_ id: String) {
  _ = shell("runc run --bundle \(bundle) \(id) </dev/null >/dev/null 2>&1")
}

func measure(_ label: String, parallel: Int, _ body: @escaping @Sendable (String) throws -> Void) -> Double {
  let start = now()
  let perWorker = count / parallel
  DispatchQueue.concurrentPerform(iterations: parallel) { worker in
    for index in 0..<perWorker { try? body("\(label)-\(worker)-\(index)") }
  }
  return (now() - start) / Double(perWorker * parallel) * 1000
}

// Warm up both (page cache, seccomp compilation).
try skiffRun("warm")
if runcAvailable { runcRun("warm") }

print("## Container run latency (create, start, run `true`, exit, delete), \(count) containers")
print("| mode | skiff (ms/container) | runc (ms/container) | ratio |")
print("|---|---|---|---|")
for parallel in [1, 4] {
  let skiff = measure("s\(parallel)", parallel: parallel) { try skiffRun($0) }
  let runc = runcAvailable ? measure("r\(parallel)", parallel: parallel) { runcRun($0) } : .nan
  let mode = parallel == 1 ? "sequential" : "\(parallel) at a time"
  print(String(format: "| %@ | %.1f | %.1f | %.2f |", mode, skiff, runc, skiff / runc))
}
print("")
print("skiff steps (ms, mean over all runs): \(phases.summary)")

// Shim memory: RSS and PSS of each shim with 10 containers running `sleep`.
var shimRSS: [Double] = []
var shimPSS: [Double] = []
for index in 0..<10 {
  var spec = ContainerSpec(id: "sleep-\(index)", image: "bench/busybox:1")
  spec.command = ["sleep", "60"]
  try runtime.create(spec)
  try runtime.start(spec.id)
}
usleep(200_000)
func kilobytes(_ text: String, _ key: String) -> Double {
  for line in text.split(separator: "\n") where line.hasPrefix(key) {
    return Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
  }
  return 0
}
for index in 0..<10 {
  let pid = try String(contentsOfFile: root + "/agent/containers/sleep-\(index)/shim.pid", encoding: .utf8)
  shimRSS.append(kilobytes(try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8), "VmRSS:"))
  shimPSS.append(kilobytes(try String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8), "Pss:"))
}
for index in 0..<10 { try runtime.remove("sleep-\(index)", force: true) }
print("")
print(
  String(
    format: "shim per running container: RSS %.2f MB, PSS %.2f MB (mean of 10)",
    shimRSS.reduce(0, +) / 10 / 1024, shimPSS.reduce(0, +) / 10 / 1024))

// Import of a 50 MB image (incompressible data, uncompressed archive).
try writeArchive(root + "/big.tar", name: "bench/big:1", extraBytes: 50 << 20)
let importStart = now()
_ = try images.importArchive(root + "/big.tar")
print(String(format: "import of a 50 MB OCI archive: %.2f s", now() - importStart))
