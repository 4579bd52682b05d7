import Foundation
import SkiffTestSupport
import Testing

@testable import Runtime

/// Layers pulled from registries are gzip streams read to their very end (to verify the diffID).
struct GzipSourceTests {
  static func gzip(_ bytes: [UInt8], in directory: String, name: String) throws -> [UInt8] {
    let path = "\(directory)/\(name)"
    try FileSystem.writeAtomically(path, bytes)
    guard try TestImage.run(["gzip", "-n", "-f", path]) == 0 else { throw RuntimeError(.internalError, "gzip failed") }
    return try FileSystem.read(path + ".gz")
  }

  static func drain(_ source: ByteSource) throws -> [UInt8] {
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
      if n == 0 { return result }
      result += buffer[0..<n]
    }
  }

  @Test func readsSingleAndMultiMemberStreamsToTheEnd() throws {
    let directory = try TestImage.temporaryDirectory("gzip")
    defer { try? FileSystem.removeTree(directory) }
    let first = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let second = Array("second member\n".utf8)
    let one = try Self.gzip(first, in: directory, name: "one")
    #expect(try Self.drain(try decompressing(MemorySource(one))) == first)
    let two = one + (try Self.gzip(second, in: directory, name: "two"))
    #expect(try Self.drain(try decompressing(MemorySource(two))) == first + second)
    let truncated = Array(one.dropLast(100))
    #expect(throws: RuntimeError.self) { try Self.drain(try decompressing(MemorySource(truncated))) }
  }
}
