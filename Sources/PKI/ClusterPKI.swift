import Crypto
import Foundation
import Logging

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A server's complete TLS state: the cluster CAs and service-account key (shared through the datastore),
/// this server's own leaves, and the join token, all written under `<data-dir>/server/`.
public struct ClusterPKI: Sendable {
  /// Signs serving certificates (API server, kubelet serving CSRs); agents pin it through the join token.
  public let serverCA: CertificateAuthority
  /// Signs client certificates (users, nodes); the API server trusts clients it signed.
  public let clientCA: CertificateAuthority
  /// Signs and verifies service-account tokens.
  public let serviceAccountTokens: ServiceAccountTokens
  /// The API server's HTTPS certificate.
  public let serving: LeafCertificate
  /// `system:admin` / `system:masters`, for the admin kubeconfig.
  public let admin: LeafCertificate
  /// The API server's client certificate towards kubelets (`system:apiserver` / `system:masters`).
  public let apiServerClient: LeafCertificate
  /// The full server token, as written to `<data-dir>/server/token`.
  public let token: JoinToken
  public let paths: TLSPaths
  /// The CAs the last `rotate-ca` replaced, still trusted.
  let retired: BootstrapData.Retired?

  /// The key under which a datastore-backed ``BootstrapStore`` should keep the blob (outside `/registry/`).
  public static let bootstrapKey = "/bootstrap/skiff"

  /// What this server's certificates must cover; the CLI fills it from flags.
  public struct Options: Sendable {
    public var dataDirectory: String
    /// This machine's host name; goes into the serving certificate.
    public var hostname: String
    /// `--advertise-address` and the node IPs; go into the serving certificate.
    public var nodeIPs: [String]
    /// `--tls-san` values, DNS names or IPs.
    public var tlsSANs: [String]
    /// The first IP of the service CIDR (the `kubernetes` Service).
    public var serviceIP: String
    public var clusterDomain: String
    /// `--token`, in any form ``JoinToken`` accepts; nil to use `<data-dir>/server/token` or generate one.
    public var token: String?

    public init(
      dataDirectory: String, hostname: String = ClusterPKI.currentHostname(), nodeIPs: [String] = [],
      tlsSANs: [String] = [], serviceIP: String = "10.43.0.1", clusterDomain: String = "cluster.local",
      token: String? = nil
    ) {
      self.dataDirectory = dataDirectory
      self.hostname = hostname
      self.nodeIPs = nodeIPs
      self.tlsSANs = tlsSANs
      self.serviceIP = serviceIP
      self.clusterDomain = clusterDomain
      self.token = token
    }

    /// Every name the serving certificate carries, in K3s's set.
    public func servingNames() throws -> SubjectAltNames {
      let fixed = try SubjectAltNames(
        dnsNames: [
          "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.\(clusterDomain)",
          "localhost",
        ] + (hostname.isEmpty ? [] : [hostname]),
        ipAddresses: ["127.0.0.1", "::1", serviceIP] + nodeIPs)
      return fixed.union(try SubjectAltNames(mixed: tlsSANs))
    }
  }

  /// Loads this server's PKI, creating what is missing.
  ///
  /// The cluster secrets come from the datastore when it holds them (decrypted with the token), else from files
  /// left by an earlier start, else they are generated and offered to the datastore; when several servers race,
  /// the datastore's first blob wins and all use it. Leaves are (re)issued when missing, signed by another CA,
  /// lacking a required name, or within ``LeafCertificate/renewalWindow`` of expiry.
  public static func loadOrCreate(
    _ options: Options, store: some BootstrapStore, logger: Logger = Logger(label: "skiff.pki"), now: Date = Date()
  ) async throws -> ClusterPKI {
    let paths = TLSPaths(dataDirectory: options.dataDirectory)
    try SecureFile.makeDirectory(paths.directory, mode: 0o700)
    let servingNames = try options.servingNames()
    let token = try options.token.map(JoinToken.init(parsing:)) ?? readTokenFile(paths.tokenFile)

    let bootstrap: BootstrapData
    if let stored = try await store.loadBootstrap() {
      guard let token else { throw PKIError.tokenRequired }
      bootstrap = try BootstrapData.open(stored, passphrase: token.secret)
      logger.debug("loaded cluster bootstrap data from the datastore")
    } else {
      let local = try localOrNewBootstrap(paths, secret: token?.secret ?? JoinToken.randomSecret(), now, logger)
      let sealed = try local.sealed(passphrase: local.tokenSecret)
      let winner = try await store.createBootstrap(ifAbsent: sealed)
      if winner == sealed {
        bootstrap = local
      } else {
        bootstrap = try BootstrapData.open(winner, passphrase: local.tokenSecret)
        logger.info("another server stored the cluster bootstrap data first; using it")
      }
    }

    let serverCA = try CertificateAuthority(bootstrap.serverCA, name: "server CA")
    let clientCA = try CertificateAuthority(bootstrap.clientCA, name: "client CA")
    let serviceAccountTokens = try ServiceAccountTokens(signingKeyPEM: bootstrap.serviceAccountKey)
    let serverCABundle = PEMBundle.joined(serverCA.certificatePEM, after: bootstrap.retired?.serverCA)
    // A token from before a CA rotation pins the retired CA: still this cluster.
    if let token, !token.pinsCA(in: serverCABundle) {
      throw PKIError.caHashMismatch(expected: token.caHash ?? "", actual: JoinToken.caHash(pem: serverCABundle))
    }

    try writeIfChanged(serverCA.certificatePEM, paths.serverCACertificate, mode: 0o644)
    try writeIfChanged(serverCA.privateKeyPEM, paths.serverCAKey, mode: 0o600)
    try writeIfChanged(clientCA.certificatePEM, paths.clientCACertificate, mode: 0o644)
    try writeIfChanged(clientCA.privateKeyPEM, paths.clientCAKey, mode: 0o600)
    try writeIfChanged(bootstrap.serviceAccountKey, paths.serviceAccountKey, mode: 0o600)
    let serverToken = JoinToken(
      caHash: JoinToken.caHash(pem: serverCABundle),
      credentials: .password(user: "server", password: bootstrap.tokenSecret))
    try writeIfChanged("\(serverToken)\n", paths.tokenFile, mode: 0o600)

    let serving = try ensureLeaf(
      LeafSpec(
        certificatePath: paths.servingCertificate, keyPath: paths.servingKey,
        subject: CertificateSubject(commonName: "kube-apiserver"), names: servingNames, usage: .server),
      ca: serverCA, now: now, logger: logger)
    let admin = try ensureLeaf(
      LeafSpec(
        certificatePath: paths.adminCertificate, keyPath: paths.adminKey,
        subject: CertificateSubject(commonName: "system:admin", organizations: ["system:masters"]), names: nil,
        usage: .client),
      ca: clientCA, now: now, logger: logger)
    let apiServerClient = try ensureLeaf(
      LeafSpec(
        certificatePath: paths.apiServerClientCertificate, keyPath: paths.apiServerClientKey,
        subject: CertificateSubject(commonName: "system:apiserver", organizations: ["system:masters"]), names: nil,
        usage: .client),
      ca: clientCA, now: now, logger: logger)

    return ClusterPKI(
      serverCA: serverCA, clientCA: clientCA, serviceAccountTokens: serviceAccountTokens, serving: serving,
      admin: admin, apiServerClient: apiServerClient, token: serverToken, paths: paths, retired: bootstrap.retired)
  }

  /// What clients trust for the API server: the server CA, after the retired one while a
  /// rotation is under way (served at `/cacerts`, pinned by the token, in kubeconfigs).
  public var serverCABundlePEM: String { PEMBundle.joined(serverCA.certificatePEM, after: retired?.serverCA) }

  /// The client CAs the API server and kubelets accept certificates from.
  public var clientCABundlePEM: String { PEMBundle.joined(clientCA.certificatePEM, after: retired?.clientCA) }

  /// The serving certificate and the link to a root: the server CA itself, or while a rotation
  /// is under way its cross-signed certificate, so clients trusting only the retired CA follow.
  public var servingChainPEM: String {
    PEMBundle.joined(retired?.crossSignedServerCA ?? serverCA.certificatePEM, after: serving.certificatePEM)
  }

  /// The admin kubeconfig (cluster, context and user all named "default", as K3s writes it).
  public func adminKubeconfig(server: String = "https://127.0.0.1:6443") -> Kubeconfig {
    Kubeconfig(
      server: server, certificateAuthorityPEM: serverCABundlePEM,
      credentials: .clientCertificate(certificatePEM: admin.certificatePEM, keyPEM: admin.privateKeyPEM))
  }

  /// Checks client certificates against this cluster's client CA.
  public var clientCertificateAuthenticator: ClientCertificateAuthenticator {
    ClientCertificateAuthenticator(trusting: PEMBundle.certificates(clientCABundlePEM))
  }

  /// Signs node and user CSRs with this cluster's CAs.
  public var csrSigner: CSRSigner { CSRSigner(serverCA: serverCA, clientCA: clientCA) }

  /// `gethostname(2)`, lower-cased as Kubernetes node names are.
  public static func currentHostname() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).lowercased()
  }
}
