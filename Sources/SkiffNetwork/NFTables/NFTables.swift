/// Applies rulesets with the `nft` tool (Debian `nftables`), inside a given network namespace
/// when asked (tests never touch the host's ruleset), and reports nft's own error text.
public struct NFTables: Sendable {
  /// `/run/netns/<name>` or `/proc/<pid>/ns/net`; nil for the agent's own namespace.
  public let networkNamespace: String?
  public let tableName: String
  let process: NFTProcess

  public init(networkNamespace: String? = nil, tableName: String = NFTTable.defaultName) {
    self.networkNamespace = networkNamespace
    self.tableName = tableName
    process = NFTProcess(networkNamespace: networkNamespace)
  }

  /// Whether the `nft` tool is installed.
  public static var isAvailable: Bool { NFTProcess.locate("nft") != nil }

  /// Runs one script as one atomic transaction: all of it applies or none.
  public func apply(_ script: String) async throws(NetworkError) {
    let result = try await process.run("nft", ["-f", "-"], input: script)
    guard result.status == 0 else {
      throw NetworkError(
        .kernel, "nft rejected the \(tableName) ruleset\(location): \(Self.trim(result.stderr, script: script))")
    }
  }

  /// Checks a script with `nft -c` (the kernel validates, nothing is committed).
  public func check(_ script: String) async throws(NetworkError) {
    let result = try await process.run("nft", ["-c", "-f", "-"], input: script)
    guard result.status == 0 else {
      throw NetworkError(.invalidConfiguration, "nft check failed: \(Self.trim(result.stderr, script: script))")
    }
  }

  /// The table as `nft list table` prints it, or nil when it does not exist.
  public func list() async throws(NetworkError) -> String? {
    let result = try await process.run("nft", ["list", "table", NFTTable.family, tableName])
    return result.status == 0 ? result.stdout : nil
  }

  /// Deletes skiff's table (for `skiff killall` and cleanup); absent is fine.
  public func removeAll() async throws(NetworkError) {
    let script = "table \(NFTTable.family) \(tableName) {}\ndelete table \(NFTTable.family) \(tableName)\n"
    try await apply(script)
  }

  private var location: String { networkNamespace.map { " in \($0)" } ?? "" }

  /// nft's messages quote the offending line; keep the first few so the log stays readable.
  static func trim(_ stderr: String, script: String) -> String {
    let lines = stderr.split(separator: "\n", omittingEmptySubsequences: true)
    let text = lines.prefix(9).joined(separator: "\n")
    return lines.count > 9 ? text + "\n… (\(lines.count - 9) more lines)" : text
  }
}
