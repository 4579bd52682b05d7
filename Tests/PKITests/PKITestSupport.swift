import Foundation
import Testing

@testable import PKI

/// The output of a command the test started and waited for.
struct CommandResult {
  var status: Int32
  var output: String
}

/// Runs the real `openssl` CLI (or another tool) so certificates are checked by an independent implementation.
@discardableResult
func run(_ tool: String, _ arguments: [String], input: String? = nil) throws -> CommandResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = [tool] + arguments
  let outputPipe = Pipe()
  process.standardOutput = outputPipe
  process.standardError = outputPipe
  let inputPipe = Pipe()
  process.standardInput = inputPipe
  try process.run()
  if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
  try inputPipe.fileHandleForWriting.close()
  let data = outputPipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return CommandResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
}

/// A fresh directory under /tmp, removed by `remove()`.
struct TemporaryDirectory {
  let path: String

  init() throws {
    path = NSTemporaryDirectory() + "skiff-pki-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func file(_ name: String) -> String { "\(path)/\(name)" }

  func write(_ name: String, _ text: String) throws -> String {
    let target = file(name)
    try text.write(toFile: target, atomically: true, encoding: .utf8)
    return target
  }

  func remove() { try? FileManager.default.removeItem(atPath: path) }
}

func fileMode(_ path: String) throws -> Int {
  let attributes = try FileManager.default.attributesOfItem(atPath: path)
  return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

let opensslAvailable = (try? run("openssl", ["version"]).status) == 0
