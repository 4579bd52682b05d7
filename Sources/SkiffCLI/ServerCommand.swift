import ArgumentParser
import EtcdServer
import Foundation
import Logging
import ServiceLifecycle
import SkiffCore
import Store

/// `skiff server`: the control plane. For now: the datastore and its etcd API.
struct ServerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "server", abstract: "Run the skiff server (datastore and etcd API).")

  @Option(help: "Config file (default /etc/skiff/config.yaml, or $SKIFF_CONFIG_FILE).")
  var config: String?

  @Option(help: "Directory for state (default /var/lib/skiff, ~/.skiff when not root).")
  var dataDir: String?

  @Option(help: "Empty for the embedded SQLite; postgres://user:pass@host:port/db?sslmode=… for HA.")
  var datastoreEndpoint = ""

  @Option(
    help:
      "etcd API address: a unix socket path (default <data-dir>/server/db/etcd.sock), HOST:PORT, or empty to disable.")
  var etcdListen: String?

  @Option(help: "Certificate for the etcd API (required beyond loopback).")
  var etcdCertFile: String?

  @Option(help: "Key for the etcd API certificate.")
  var etcdKeyFile: String?

  @Option(help: "CA that etcd API clients' certificates must chain to.")
  var etcdClientCaFile: String?

  @Option(help: "Revisions kept by automatic compaction.")
  var etcdCompactionRetention: Int64 = 1000

  @Option(help: "Seconds between automatic compactions.")
  var etcdCompactionInterval: Int = 300

  @Flag(help: "Log at debug level.")
  var debug = false

  func validate() throws {
    if etcdCompactionRetention < 1 { throw ValidationError("--etcd-compaction-retention must be at least 1") }
    if etcdCompactionInterval < 1 { throw ValidationError("--etcd-compaction-interval must be at least 1 second") }
    let tlsFlags = [etcdCertFile, etcdKeyFile, etcdClientCaFile].compactMap { $0 }
    if !tlsFlags.isEmpty && tlsFlags.count != 3 {
      throw ValidationError("--etcd-cert-file, --etcd-key-file and --etcd-client-ca-file go together")
    }
  }

  /// /var/lib/skiff for root, ~/.skiff otherwise, as K3s does.
  var resolvedDataDir: String {
    if let dataDir { return dataDir }
    if getuid() == 0 { return "/var/lib/skiff" }
    return "\(FileManager.default.homeDirectoryForCurrentUser.path)/.skiff"
  }

  func run() async throws {
    LogfmtHandler.bootstrap(debug: debug)
    let logger = Logger(label: "skiff")
    let dataDir = resolvedDataDir
    let driver: SQLDriver
    let address: EtcdListenAddress?
    do {
      driver = try Datastore.driver(endpoint: datastoreEndpoint, dataDirectory: dataDir)
      let listen = etcdListen ?? "\(dataDir)/server/db/etcd.sock"
      address = listen.isEmpty ? nil : try EtcdListenAddress(parsing: listen)
    } catch {
      throw ValidationError("\(error)")
    }
    try FileManager.default.createDirectory(
      atPath: "\(dataDir)/server/db", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])

    var options = RevisionLog.Options()
    options.retainedRevisions = etcdCompactionRetention
    options.compactInterval = .seconds(etcdCompactionInterval)
    logger.info(
      "starting skiff server",
      metadata: ["version": "\(SkiffVersion.skiff)", "datastore": "\(driver.name)", "data-dir": "\(dataDir)"])
    // A shared database may be down at boot; keep trying (SIGTERM still stops the process).
    let log = try await RevisionLog.open(
      driver: driver, options: options, logger: Logger(label: "store"),
      retryFor: driver.isShared ? .seconds(365 * 24 * 3600) : .zero)

    var services: [any Service] = [log]
    if let address {
      let tls = etcdCertFile.map {
        EtcdServer.TLSFiles(certificate: $0, key: etcdKeyFile ?? "", clientCA: etcdClientCaFile ?? "")
      }
      let identity = EtcdIdentity(
        name: ProcessInfo.processInfo.hostName, clientURL: address.url, datastore: driver.name)
      do {
        services.append(
          try EtcdServer(log: log, address: address, tls: tls, identity: identity, logger: Logger(label: "etcd")))
      } catch {
        throw ValidationError("\(error)")
      }
    }
    let group = ServiceGroup(
      configuration: .init(
        services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
    try await group.run()
    logger.info("skiff server stopped")
  }
}
