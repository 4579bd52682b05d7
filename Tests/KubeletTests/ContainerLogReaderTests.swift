import Foundation
import KubeAPI
import Testing

@testable import Kubelet

/// CRI log parsing and the `kubectl logs` options over real files.
struct ContainerLogReaderTests {
  static let lines = [
    "2026-01-02T03:04:05.000000001Z stdout F first",
    "2026-01-02T03:04:06.000000002Z stderr F oops",
    "2026-01-02T03:04:07.000000003Z stdout P part-",
    "2026-01-02T03:04:07.000000004Z stdout F ial",
    "2026-01-02T03:04:08.000000005Z stdout F last",
  ]

  func withLog(_ lines: [String], _ body: (String) async throws -> Void) async throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("cri-\(UUID()).log").path
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    try await body(path)
  }

  func read(_ path: String, _ options: LogOptions, running: Bool = false) async throws -> String {
    let collected = LockedBox<[UInt8]>([])
    try await ContainerLogReader(path: path, options: options, isRunning: { running }).stream { bytes in
      collected.withLock { $0 += bytes }
    }
    return String(decoding: collected.withLock { $0 }, as: UTF8.self)
  }

  @Test func parsesRecordsAndJoinsPartialLines() async throws {
    let entry = try #require(CRILogEntry(line: Array(Self.lines[1].utf8)[...]))
    #expect(entry.stream == .stderr)
    #expect(!entry.partial)
    #expect(String(decoding: entry.content, as: UTF8.self) == "oops")
    #expect(entry.time == KubeTime(seconds: 1_767_323_046, nanoseconds: 2))
    #expect(CRILogEntry(line: Array("not a log line".utf8)[...]) == nil)
    #expect(CRILogEntry(line: Array("2026-01-02T03:04:05Z stdout F".utf8)[...])?.content.isEmpty == true)
    try await withLog(Self.lines) { path in
      let text = try await read(path, LogOptions())
      #expect(text == "first\noops\npart-ial\nlast\n")
    }
  }

  @Test func tailSinceTimestampsAndLimit() async throws {
    try await withLog(Self.lines) { path in
      var options = LogOptions()
      options.tailLines = 2
      let text2058 = try await read(path, options)
      #expect(text2058 == "ial\nlast\n")
      options.tailLines = 0
      let text2148 = try await read(path, options)
      #expect(text2148 == "")
      options.tailLines = 100
      let text2229 = try await read(path, options)
      #expect(text2229 == "first\noops\npart-ial\nlast\n")

      options = LogOptions()
      options.since = try KubeTime(parsing: "2026-01-02T03:04:07Z")
      let text2407 = try await read(path, options)
      #expect(text2407 == "part-ial\nlast\n")

      options = LogOptions()
      options.timestamps = true
      options.tailLines = 1
      let text2564 = try await read(path, options)
      #expect(text2564 == "2026-01-02T03:04:08.000000005Z last\n")

      options = LogOptions()
      options.limitBytes = 8
      let text2711 = try await read(path, options)
      #expect(text2711 == "first\noo")
    }
  }

  @Test func followEndsOnceTheContainerStoppedAndTheFileIsDrained() async throws {
    try await withLog(Array(Self.lines.prefix(2))) { path in
      var options = LogOptions()
      options.follow = true
      let handle = try #require(FileHandle(forWritingAtPath: path))
      handle.seekToEndOfFile()
      // Written before the reader looks: a stopped container's last words still come out.
      handle.write(Data((Self.lines[4] + "\n").utf8))
      try handle.close()
      let text3256 = try await read(path, options, running: false)
      #expect(text3256 == "first\noops\nlast\n")
    }
  }

  @Test func followReadsRotatedFilesFromTheStart() async throws {
    try await withLog(Array(Self.lines.prefix(1))) { path in
      var options = LogOptions()
      options.follow = true
      let running = LockedBox(true)
      let collected = LockedBox<[UInt8]>([])
      let reader = ContainerLogReader(path: path, options: options, isRunning: { running.withLock { $0 } })
      let task = Task { try await reader.stream { bytes in collected.withLock { $0 += bytes } } }
      while collected.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(20)) }
      // The shim rotates by renaming and reopening.
      try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
      try (Self.lines[4] + "\n").write(toFile: path, atomically: false, encoding: .utf8)
      while !String(decoding: collected.withLock { $0 }, as: UTF8.self).contains("last") {
        try await Task.sleep(for: .milliseconds(20))
      }
      running.withLock { $0 = false }
      try await task.value
      try? FileManager.default.removeItem(atPath: path + ".1")
      #expect(String(decoding: collected.withLock { $0 }, as: UTF8.self) == "first\nlast\n")
    }
  }

  @Test func optionsParseAsTheAPIServerSendsThem() throws {
    let now = KubeTime(seconds: 1000)
    let options = try LogOptions(
      query: [
        "follow": ["true"], "tailLines": ["5"], "sinceSeconds": ["10"], "timestamps": ["1"], "limitBytes": ["9"],
      ],
      now: now)
    #expect(options.follow && options.timestamps)
    #expect(options.tailLines == 5 && options.limitBytes == 9)
    #expect(options.since == KubeTime(seconds: 990))
    #expect(throws: KubeletError.self) { try LogOptions(query: ["tailLines": ["x"]], now: now) }
    #expect(throws: KubeletError.self) {
      try LogOptions(query: ["sinceSeconds": ["1"], "sinceTime": ["2026-01-02T03:04:05Z"]], now: now)
    }
    #expect(try LogOptions(query: ["sinceTime": ["2026-01-02T03:04:05Z"]], now: now).since?.seconds == 1_767_323_045)
  }
}
