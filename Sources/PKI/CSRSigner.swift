import Foundation
import X509

/// Signs approved CertificateSigningRequests for the built-in Kubernetes signers, choosing the CA and
/// enforcing each signer's rules the way kube-controller-manager's signer does.
public struct CSRSigner: Sendable {
  public let serverCA: CertificateAuthority
  public let clientCA: CertificateAuthority
  /// The longest certificate this signer issues (`--cluster-signing-duration`, one year by default).
  public let maximumDuration: TimeInterval

  /// Signer names this type handles.
  public static let kubeletClient = "kubernetes.io/kube-apiserver-client-kubelet"
  public static let kubeletServing = "kubernetes.io/kubelet-serving"
  public static let apiServerClient = "kubernetes.io/kube-apiserver-client"
  /// The shortest `spec.expirationSeconds` upstream accepts.
  public static let minimumDuration: TimeInterval = 600

  public init(
    serverCA: CertificateAuthority, clientCA: CertificateAuthority, maximumDuration: TimeInterval = 365 * 86400
  ) {
    self.serverCA = serverCA
    self.clientCA = clientCA
    self.maximumDuration = maximumDuration
  }

  /// Whether `signerName` is one this signer issues for; others are left to external signers.
  public func handles(signerName: String) -> Bool {
    [Self.kubeletClient, Self.kubeletServing, Self.apiServerClient].contains(signerName)
  }

  /// Signs `request` for `signerName` with the CSR object's `spec.usages` and `spec.expirationSeconds`;
  /// returns the PEM for `status.certificate`.
  public func sign(
    _ request: CertificateRequest, signerName: String, usages: [String], expirationSeconds: Int? = nil,
    now: Date = Date()
  ) throws -> String {
    let usage = try CertificateUsage(kubernetesUsages: usages)
    let ca: CertificateAuthority
    switch signerName {
    case Self.kubeletClient:
      _ = try request.validateKubeletClient()
      guard usage == .client else { throw PKIError.invalidCSR("\(signerName) requires usages [client auth]") }
      ca = clientCA
    case Self.kubeletServing:
      _ = try request.validateKubeletServing()
      guard usage == .server else { throw PKIError.invalidCSR("\(signerName) requires usages [server auth]") }
      ca = serverCA
    case Self.apiServerClient:
      guard usage == .client else { throw PKIError.invalidCSR("\(signerName) requires usages [client auth]") }
      guard !request.subject.commonName.isEmpty else { throw PKIError.invalidCSR("subject has no common name") }
      ca = clientCA
    default:
      throw PKIError.invalidCSR("signer \"\(signerName)\" is not handled by this cluster")
    }
    var duration = maximumDuration
    if let expirationSeconds {
      duration = min(duration, max(Self.minimumDuration, TimeInterval(expirationSeconds)))
    }
    let certificate = try ca.sign(
      publicKey: request.request.publicKey, subject: request.subject, names: request.names, usage: usage,
      validity: duration, now: now)
    return try certificate.serializeAsPEM().pemString
  }
}
