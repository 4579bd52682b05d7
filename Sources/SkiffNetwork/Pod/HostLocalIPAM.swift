import Glibc
import SkiffCore
import Synchronization

/// Pod addresses from the node's pod CIDR, persisted like the CNI host-local plugin: one file
/// per allocated address (named after it, holding the pod UID) created with O_EXCL, so two
/// allocations can never take the same address even across processes, and a `last_reserved`
/// pointer so addresses are handed out round-robin rather than reused at once.
public final class HostLocalIPAM: Sendable {
  public let range: IPv4CIDR
  /// `<network dir>/ipam/<podCIDR with _ for />`.
  public let directory: String
  private let lock = Mutex(())

  public init(range: IPv4CIDR, networkDirectory: String) throws(NetworkError) {
    guard range.prefix <= 30 else {
      throw NetworkError(.invalidConfiguration, "pod CIDR \(range) is too small: use /30 or larger (/24 is usual)")
    }
    self.range = range
    directory = "\(networkDirectory)/ipam/\(range.network)_\(range.prefix)"
    try Self.makeDirectories(directory)
  }

  /// The usable pod addresses: not the network address, the gateway, or the broadcast address.
  var first: IPv4Address { range.network + 2 }
  var last: IPv4Address { IPv4Address(range.broadcast.value - 1) }

  /// The pod's address: the one it already holds, or the next free one after `last_reserved`.
  public func allocate(podUID: String) throws(NetworkError) -> IPv4Address {
    try lock.withLock { _ throws(NetworkError) in
      if let existing = allocations().first(where: { $0.value == podUID }) { return existing.key }
      let start = readLastReserved().map { $0 >= last || $0 < first ? first : $0 + 1 } ?? first
      let count = last.value - first.value + 1
      for step in 0..<count {
        let candidate = IPv4Address(first.value + (start.value - first.value + step) % count)
        let path = "\(directory)/\(candidate)"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 {
          if errno == EEXIST { continue }
          throw NetworkError(
            .kernel, "cannot reserve \(candidate) in \(directory): \(String(cString: strerror(errno)))")
        }
        let bytes = Array(podUID.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else {
          unlink(path)
          throw NetworkError(.kernel, "cannot record \(candidate) for pod \(podUID) in \(directory)")
        }
        writeLastReserved(candidate)
        return candidate
      }
      throw NetworkError(
        .addressesExhausted,
        "no free address in pod CIDR \(range) (\(count) in use): delete pods or give the node a larger range")
    }
  }

  /// The address the pod holds, if any (after an agent restart, for a sandbox it adopts).
  public func address(of podUID: String) -> IPv4Address? {
    lock.withLock { _ in allocations().first { $0.value == podUID }?.key }
  }

  /// Releases the pod's address; answers it, or nil when it held none.
  @discardableResult
  public func release(podUID: String) -> IPv4Address? {
    lock.withLock { _ in
      let owned = allocations().filter { $0.value == podUID }.map(\.key)
      for address in owned { unlink("\(directory)/\(address)") }
      return owned.first
    }
  }

  /// Every allocated address and the pod UID holding it.
  public func allocations() -> [IPv4Address: String] {
    var result: [IPv4Address: String] = [:]
    for name in Self.list(directory) {
      guard let address = IPv4Address(name), range.contains(address) else { continue }
      result[address] = Self.read("\(directory)/\(name)")?.split(separator: "\n").first.map(String.init) ?? ""
    }
    return result
  }

  /// Releases the addresses of pods `isKnown` denies (gone while the agent was down, or a
  /// teardown that failed half-way); answers what was released.
  @discardableResult
  public func collectLeaks(isKnown: (String) -> Bool) -> [IPv4Address: String] {
    lock.withLock { _ in
      var released: [IPv4Address: String] = [:]
      for (address, uid) in allocations() where !isKnown(uid) {
        unlink("\(directory)/\(address)")
        released[address] = uid
      }
      return released
    }
  }

  /// Forgets every allocation (the network is being removed from the node).
  public func removeAll() {
    lock.withLock { _ in
      for name in Self.list(directory) { unlink("\(directory)/\(name)") }
      rmdir(directory)
    }
  }

  // MARK: Files

  private func readLastReserved() -> IPv4Address? {
    Self.read("\(directory)/last_reserved").flatMap { IPv4Address($0.split(separator: "\n").first ?? "") }
  }

  private func writeLastReserved(_ address: IPv4Address) {
    let temporary = "\(directory)/.last_reserved.tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return }
    let bytes = Array(address.description.utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    rename(temporary, "\(directory)/last_reserved")
  }

  static func read(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 512)
    let count = Glibc.read(fd, &buffer, buffer.count)
    guard count >= 0 else { return nil }
    return String(decoding: buffer[0..<count], as: UTF8.self)
  }

  static func list(_ directory: String) -> [String] {
    guard let handle = opendir(directory) else { return [] }
    defer { closedir(handle) }
    var names: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }

  static func makeDirectories(_ path: String) throws(NetworkError) {
    var current = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
      current += "/" + component
      if mkdir(current, 0o700) != 0 && errno != EEXIST {
        throw NetworkError(.kernel, "cannot create \(current): \(String(cString: strerror(errno)))")
      }
    }
  }
}
