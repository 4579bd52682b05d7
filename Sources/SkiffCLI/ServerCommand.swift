import APIServer
import Addons
import ArgumentParser
import Controllers
import EtcdServer
import Foundation
import KubeClient
import Kubelet
import Logging
import PKI
import ServiceLifecycle
import SkiffCore
import Store

/// `skiff server`: the control plane: the datastore, its etcd API and the Kubernetes API.
struct ServerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "server", abstract: "Run the skiff server (datastore, etcd API and Kubernetes API server).")

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

  @Option(help: "HTTPS port of the Kubernetes API.")
  var httpsListenPort = 6443

  @Option(help: "Address the Kubernetes API listens on.")
  var bindAddress = "0.0.0.0"

  @Option(help: "Address agents and the kubernetes Service use to reach this server (default: the node IP).")
  var advertiseAddress: String?

  @Option(help: "Extra name or IP for the serving certificate (repeatable).")
  var tlsSan: [String] = []

  @Option(
    help: "Where to write the admin kubeconfig (default /etc/skiff/skiff.yaml, <data-dir>/skiff.yaml when not root).")
  var writeKubeconfig: String?

  @Option(help: "File mode of the admin kubeconfig, octal.")
  var writeKubeconfigMode = "0600"

  @Option(help: "Shared secret agents and other servers join with (default: generated, in <data-dir>/server/token).")
  var token: String?

  @Option(help: "Service IP range.")
  var serviceCidr = "10.43.0.0/16"

  @Option(help: "NodePort range.")
  var serviceNodePortRange = "30000-32767"

  @Option(
    help: "Best-practice warnings to turn off, comma-separated (\(APIServer.warningNames.joined(separator: ", "))).")
  var disableWarnings: [String] = []

  @Option(help: "Pod IP range; each node gets a /24 of it.")
  var clusterCidr = "10.42.0.0/16"

  @Flag(help: "Do not run the controllers and the scheduler on this server.")
  var disableControllerManager = false

  @Flag(help: "Do not run the embedded agent on this host.")
  var disableAgent = false

  @Flag(help: "Do not run the Kubernetes API server (datastore and etcd API only).")
  var disableApiserver = false

  @Flag(help: "Store new Secrets in plaintext (they are encrypted at rest with AES-GCM by default).")
  var disableSecretsEncryption = false

  @Option(help: "Cron schedule of automatic datastore snapshots (embedded SQLite).")
  var snapshotSchedule = "0 */12 * * *"

  @Option(help: "How many scheduled snapshots to keep.")
  var snapshotRetention = 5

  @Flag(help: "Take no scheduled snapshots.")
  var disableSnapshots = false

  @Option(help: "Where snapshots live (default <data-dir>/server/db/snapshots).")
  var snapshotDir: String?

  @Flag(help: "Restore the datastore from --cluster-reset-restore-path, then exit.")
  var clusterReset = false

  @Option(help: "Snapshot file to restore with --cluster-reset.")
  var clusterResetRestorePath: String?

  @Flag(help: "Log at debug level.")
  var debug = false

  @OptionGroup(title: "Embedded agent")
  var agent: AgentOptions

  func validate() throws {
    if etcdCompactionRetention < 1 { throw ValidationError("--etcd-compaction-retention must be at least 1") }
    guard UInt32(writeKubeconfigMode, radix: 8) != nil else {
      throw ValidationError("--write-kubeconfig-mode must be an octal mode such as 0600")
    }
    let unknown = warningNames.subtracting(APIServer.warningNames)
    if !unknown.isEmpty {
      throw ValidationError(
        "--disable-warnings: unknown \(unknown.sorted().joined(separator: ", ")); known: \(APIServer.warningNames.joined(separator: ", "))"
      )
    }
    if (try? CronSchedule(parsing: snapshotSchedule)) == nil {
      throw ValidationError(
        "--snapshot-schedule \"\(snapshotSchedule)\" is not a cron schedule such as \"0 */12 * * *\"")
    }
    if clusterReset != (clusterResetRestorePath != nil) {
      throw ValidationError("--cluster-reset and --cluster-reset-restore-path go together")
    }
    if nodePortRange == nil { throw ValidationError("--service-node-port-range must look like 30000-32767") }
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

  var warningNames: Set<String> {
    Set(disableWarnings.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
  }

  var nodePortRange: ClosedRange<Int64>? {
    let parts = serviceNodePortRange.split(separator: "-").compactMap { Int64($0) }
    guard parts.count == 2, parts[0] > 0, parts[0] <= parts[1], parts[1] <= 65535 else { return nil }
    return parts[0]...parts[1]
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
    let snapshots = SnapshotDirectory(dataDir: dataDir, directory: snapshotDir)
    if let restorePath = clusterResetRestorePath {
      try restore(restorePath, driver: driver, snapshots: snapshots, logger: logger)
      return
    }

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
    if driver is SQLiteDriver, !disableSnapshots, let schedule = try? CronSchedule(parsing: snapshotSchedule) {
      services.append(
        SnapshotScheduler(
          snapshots: snapshots, schedule: schedule, retention: snapshotRetention, logger: Logger(label: "snapshots")))
    }
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
    var readiness: APIServer?
    var addons: Task<Void, Never>?
    defer { addons?.cancel() }
    if !disableApiserver {
      let (api, pki) = try await apiServer(log: log, dataDir: dataDir, logger: logger)
      readiness = api
      services.append(api)
      if !disableControllerManager { services.append(controllerManager(api: api, pki: pki)) }
      addons = ensureAddonObjects(api: api, logger: logger)
      if !disableAgent, let agent = embeddedAgent(api: api, pki: pki, dataDir: dataDir, logger: logger) {
        services.append(agent)
      }
    }
    // Last, so that a graceful shutdown reaches it first and systemd hears STOPPING=1 at once.
    services.append(
      SystemdNotifyService(
        notifier: SystemdNotifier(), status: readiness == nil ? "datastore serving" : "API serving",
        ready: { [readiness] in await readiness?.waitUntilReady() }))
    let group = ServiceGroup(
      configuration: .init(
        services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
    try await group.run()
    logger.info("skiff server stopped")
  }

  /// Loads or creates the cluster PKI (shared through the datastore), writes the admin
  /// kubeconfig, and configures the API server with the serving certificate.
  private func apiServer(log: RevisionLog, dataDir: String, logger: Logger) async throws -> (APIServer, ClusterPKI) {
    let advertise = advertiseAddress ?? NodeAddress.primaryIPv4() ?? "127.0.0.1"
    let allocator = serviceCidr
    let pki: ClusterPKI
    do {
      pki = try await ClusterPKI.loadOrCreate(
        ClusterPKI.Options(
          dataDirectory: dataDir, nodeIPs: [advertise], tlsSANs: tlsSan,
          serviceIP: try APIServer.firstServiceIP(cidr: allocator), token: token),
        store: DatastoreBootstrapStore(log: log), logger: Logger(label: "pki"))
    } catch let error as PKIError {
      throw ValidationError("\(error)")
    }
    let kubeconfigPath =
      writeKubeconfig ?? (getuid() == 0 ? "/etc/skiff/skiff.yaml" : "\(dataDir)/skiff.yaml")
    let directory = (kubeconfigPath as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let server = "https://127.0.0.1:\(httpsListenPort)"
    try pki.adminKubeconfig(server: server).write(
      to: kubeconfigPath, mode: mode_t(UInt32(writeKubeconfigMode, radix: 8) ?? 0o600))
    logger.info("wrote kubeconfig", metadata: ["path": "\(kubeconfigPath)"])

    var configuration = APIServer.Configuration(
      certificatePEM: pki.servingChainPEM, keyPEM: pki.serving.privateKeyPEM, clientCAPEM: pki.clientCABundlePEM)
    configuration.bindAddress = bindAddress
    configuration.port = httpsListenPort
    configuration.advertiseAddress = advertise
    configuration.serviceCIDR = serviceCidr
    configuration.nodePortRange = nodePortRange ?? 30000...32767
    configuration.serverCACertificatePEM = pki.serverCABundlePEM
    configuration.kubeletClient = KubeletClientCredentials(
      certificatePEM: pki.apiServerClient.certificatePEM, keyPEM: pki.apiServerClient.privateKeyPEM,
      caPEM: pki.serverCABundlePEM)
    configuration.serviceAccountTokens = pki.serviceAccountTokens
    configuration.disabledWarnings = warningNames
    configuration.joinToken = pki.token
    configuration.csrSigner = pki.csrSigner
    configuration.caRotation = CARotation(store: DatastoreBootstrapStore(log: log), tokenSecret: pki.token.secret)
    configuration.secretsEncryption = try await SecretsEncryption.load(
      log: log, passphrase: pki.token.secret, file: "\(dataDir)/server/cred/encryption-config.json",
      enabled: !disableSecretsEncryption, logger: Logger(label: "secrets-encryption"))
    return (try APIServer(log: log, configuration: configuration, logger: Logger(label: "apiserver")), pki)
  }

  /// The agent of this host: it joins over loopback with the cluster token like any agent
  /// (for its serving certificate), then talks to the API server in-process as
  /// `system:node:<name>`, and carries the control-plane role label. Without root (or a kernel
  /// feature it needs) the server runs without it and says why.
  private func embeddedAgent(api: APIServer, pki: ClusterPKI, dataDir: String, logger: Logger) -> AgentService? {
    do {
      let configuration = try agent.kubeletConfiguration(
        dataDir: dataDir, clusterCIDR: clusterCidr, extraLabels: ["node-role.kubernetes.io/control-plane": "true"])
      let client = KubeClient(
        transport: api.inProcessTransport(user: "system:node:\(configuration.nodeName)", groups: ["system:nodes"]))
      let join = AgentJoin(
        server: "https://127.0.0.1:\(httpsListenPort)", token: pki.token, nodeName: configuration.nodeName,
        nodeIPs: [configuration.nodeIP], dataDirectory: dataDir, logger: Logger(label: "agent"))
      var service = AgentService(
        join: join, configuration: configuration, runtime: try agent.runtime(dataDir: dataDir),
        inProcessClient: client, logger: Logger(label: "kubelet"))
      service.addons = agent.addons(
        nodeName: configuration.nodeName, nodeIP: configuration.nodeIP, clusterCIDR: clusterCidr,
        serviceCIDR: serviceCidr)
      return service
    } catch {
      logger.warning(
        "embedded agent not started: this server will run no pods (pass --disable-agent to silence this)",
        metadata: ["reason": "\(error)"])
      return nil
    }
  }

  /// The controllers and the scheduler, in-process, under the `kube-controller-manager` lease
  /// so that of several servers on one datastore only one runs them.
  private func controllerManager(api: APIServer, pki: ClusterPKI) -> ControllerManager {
    let client = KubeClient(
      transport: api.inProcessTransport(user: "system:kube-controller-manager", groups: ["system:masters"]))
    var settings = ControllerSettings()
    settings.clusterCIDR = clusterCidr
    settings.rootCAPEM = pki.serverCABundlePEM
    let identity = "\(ProcessInfo.processInfo.hostName)_\(UUID().uuidString)"
    let context = ControllerContext(
      client: client, informers: SharedInformers(client: client, logger: Logger(label: "informers")),
      recorder: EventRecorder(
        client: client, component: "skiff-controller-manager", host: ProcessInfo.processInfo.hostName),
      settings: settings, logger: Logger(label: "controllers"))
    return ControllerManager(
      context: context, controllers: ControllerManager.standardControllers(context, signer: pki.csrSigner),
      elector: LeaderElector(client: client, name: "kube-controller-manager", identity: identity),
      ready: { await api.waitUntilReady() })
  }

  /// `--cluster-reset --cluster-reset-restore-path`: the datastore becomes the snapshot (the
  /// current one is kept beside it); the server then exits so it is restarted without the flags.
  private func restore(_ path: String, driver: SQLDriver, snapshots: SnapshotDirectory, logger: Logger) throws {
    guard driver is SQLiteDriver else {
      throw ValidationError(
        "--cluster-reset restores the embedded SQLite datastore; restore an external database with its own tools (for PostgreSQL: pg_restore or psql from a pg_dump)"
      )
    }
    do {
      let info = try SQLiteSnapshot.verify(path)
      let aside = try SQLiteSnapshot.restore(path, database: snapshots.database)
      logger.info(
        "datastore restored from snapshot; restart skiff server without --cluster-reset",
        metadata: ["snapshot": "\(path)", "revision": "\(info.revision)", "previous": "\(aside)"])
    } catch let error as StoreError {
      throw ValidationError("cannot restore \(path): \(error)")
    }
  }

  /// The API objects of the in-process add-ons (the `kube-dns` Service every node's cluster DNS
  /// answers on), created once the API serves and repaired at each start.
  private func ensureAddonObjects(api: APIServer, logger: Logger) -> Task<Void, Never> {
    let client = KubeClient(transport: api.inProcessTransport(user: "system:skiff-addons", groups: ["system:masters"]))
    let clusterIP = agent.clusterDns
    return Task {
      await api.waitUntilReady()
      while !Task.isCancelled {
        do {
          try await ClusterDNSService.ensure(client: client, clusterIP: clusterIP)
          return
        } catch {
          logger.warning("cannot create the kube-dns Service yet", metadata: ["error": "\(error)"])
          try? await Task.sleep(for: .seconds(5))
        }
      }
    }
  }
}
