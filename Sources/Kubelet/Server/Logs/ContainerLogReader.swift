import Glibc
import KubeAPI

/// Streams a container's CRI log the way `kubectl logs` shows it: tail, since, timestamps and a
/// byte limit applied; with `follow`, new records are polled for until the container has exited
/// and the file is drained (or the client leaves, which cancels the task). A rotated file (the
/// shim renames it to `.1`) is finished, then the new one is read from its start.
struct ContainerLogReader: Sendable {
  let path: String
  let options: LogOptions
  /// Whether the container may still write; checked at the end of the file while following.
  let isRunning: @Sendable () -> Bool
  var pollInterval: Duration = .milliseconds(200)
  var chunkSize = 64 * 1024

  init(path: String, options: LogOptions, isRunning: @escaping @Sendable () -> Bool) {
    self.path = path
    self.options = options
    self.isRunning = isRunning
  }

  /// Calls `sink` with rendered output, in order, until done.
  func stream(to sink: ([UInt8]) async throws -> Void) async throws {
    var file = try LogFile(path: path)
    defer { file.close() }
    if let tail = options.tailLines {
      file.offset = try Self.tailOffset(file, lines: tail)
    }
    var remaining = options.limitBytes ?? Int.max
    var pending: [UInt8] = []
    var exitedAtEOF = false
    while remaining > 0 {
      try Task.checkCancellation()
      let chunk = try file.read(chunkSize)
      if !chunk.isEmpty {
        pending += chunk
        var out: [UInt8] = []
        var start = 0
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
          if let entry = CRILogEntry(line: pending[start..<newline]), options.since.map({ entry.time >= $0 }) ?? true {
            out += entry.rendered(timestamps: options.timestamps)
          }
          start = newline + 1
        }
        pending.removeFirst(start)
        if out.count >= remaining {
          try await sink(Array(out.prefix(remaining)))
          return
        }
        if !out.isEmpty {
          remaining -= out.count
          try await sink(out)
        }
        continue
      }
      guard options.follow else { return }
      if file.wasReplaced() {
        file.close()
        guard let reopened = try? LogFile(path: path) else { return }
        file = reopened
        pending = []
        continue
      }
      if exitedAtEOF { return }
      // One more pass after the container is seen stopped drains what it wrote last.
      if !isRunning() {
        exitedAtEOF = true
        continue
      }
      try await Task.sleep(for: pollInterval)
    }
  }

  /// Where the last `lines` records start (each record is one line of the file).
  static func tailOffset(_ file: LogFile, lines: Int) throws -> Int {
    let size = file.size
    guard lines > 0 else { return size }
    var position = size
    var found = 0
    var block = 8192
    // A final newline ends the last record rather than starting an empty one.
    var skipTrailing = true
    while position > 0 {
      block = min(block, position)
      let start = position - block
      let bytes = try file.read(at: start, count: block)
      for index in stride(from: bytes.count - 1, through: 0, by: -1) where bytes[index] == UInt8(ascii: "\n") {
        if skipTrailing && start + index == size - 1 {
          skipTrailing = false
          continue
        }
        found += 1
        if found == lines { return start + index + 1 }
      }
      skipTrailing = false
      position = start
    }
    return 0
  }
}

/// An open log file read by offset, so the reader notices rotation without losing its place.
struct LogFile {
  let path: String
  private(set) var fd: Int32
  var offset = 0
  private let inode: UInt64

  init(path: String) throws {
    self.path = path
    fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw KubeletError(.notFound, "cannot open the log file \(path): \(String(cString: strerror(errno)))")
    }
    var info = stat()
    inode = fstat(fd, &info) == 0 ? UInt64(info.st_ino) : 0
  }

  var size: Int {
    var info = stat()
    return fstat(fd, &info) == 0 ? Int(info.st_size) : 0
  }

  mutating func read(_ count: Int) throws -> [UInt8] {
    let bytes = try read(at: offset, count: count)
    offset += bytes.count
    return bytes
  }

  func read(at position: Int, count: Int) throws -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: count)
    let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(position)) }
    guard n >= 0 else { throw KubeletError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
    buffer.removeLast(count - n)
    return buffer
  }

  /// The path now names another file (rotated) or this one shrank (truncated in place).
  func wasReplaced() -> Bool {
    var info = stat()
    guard stat(path, &info) == 0 else { return false }
    return UInt64(info.st_ino) != inode || size < offset
  }

  mutating func close() {
    if fd >= 0 { Glibc.close(fd) }
    fd = -1
  }
}
