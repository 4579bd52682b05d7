import Foundation
import Testing

@testable import Runtime

@Suite struct ShimExecutableTests {
  /// The carried image is a static executable of its own, not a copy of the Swift binary.
  @Test func carriedImageIsASmallStaticExecutable() {
    let image = ShimExecutable.image()
    #expect(Digest.of(image).short == shimExecutableDigest)
    #expect(image.starts(with: [0x7f, 0x45, 0x4c, 0x46]))
    #expect(image.count < 4 << 20)
    #expect(Data(image).range(of: Data("/lib64/ld-linux".utf8)) == nil)
  }

  @Test func installWritesOnceAndRemovesOlderVersions() throws {
    let directory = NSTemporaryDirectory() + "shim-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let stale = directory + "/skiff-shim-000000000000"
    FileManager.default.createFile(atPath: stale, contents: Data("old".utf8))

    let path = try ShimExecutable.install(in: directory)
    let written = try FileManager.default.attributesOfItem(atPath: path)
    #expect(FileManager.default.isExecutableFile(atPath: path))
    #expect(!FileManager.default.fileExists(atPath: stale))
    #expect(try ShimExecutable.install(in: directory) == path)
    let again = try FileManager.default.attributesOfItem(atPath: path)
    #expect(written[.systemFileNumber] as? Int == again[.systemFileNumber] as? Int)

    // Started without a mode it explains itself and fails, rather than acting on stray fds.
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    process.waitUntilExit()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 2)
    #expect(message.contains("usage: skiff-shim __shim|__sandbox|__exec"))
  }
}
