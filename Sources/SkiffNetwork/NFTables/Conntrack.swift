import Logging

/// Deletes conntrack entries with the `conntrack` tool (Debian `conntrack`), inside the given
/// network namespace when asked. Failures are logged, not thrown: a stale UDP flow is a
/// nuisance that times out on its own, never a reason to fail a sync.
public struct Conntrack: Sendable {
  let process: NFTProcess
  let logger: Logger

  public init(networkNamespace: String? = nil, logger: Logger = Logger(label: "skiff.conntrack")) {
    process = NFTProcess(networkNamespace: networkNamespace)
    self.logger = logger
  }

  public static var isAvailable: Bool { NFTProcess.locate("conntrack") != nil }

  /// Runs `conntrack <arguments>` (e.g. `-D -p udp --orig-dst 10.43.0.20`); answers whether it ran.
  @discardableResult
  public func delete(_ arguments: [String]) async -> Bool {
    do {
      let result = try await process.run("conntrack", arguments)
      // conntrack exits 1 when no entry matched, which is the common case.
      if result.status != 0 && !result.stderr.contains("0 flow entries") {
        logger.debug("conntrack failed", metadata: ["args": "\(arguments)", "stderr": "\(result.stderr)"])
      }
      return true
    } catch {
      logger.warning("cannot flush stale UDP flows", metadata: ["error": "\(error)"])
      return false
    }
  }
}
