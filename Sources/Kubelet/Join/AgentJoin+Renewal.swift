import Foundation
import KubeAPI
import KubeClient
import PKI
import X509

/// When and how certificates are renewed.
public struct RenewalPolicy: Sendable {
  /// Renew once this fraction of a certificate's lifetime has passed: two thirds, so a one-year certificate is
  /// renewed with four months to spare and a 10-minute one (the shortest a CSR can ask for) with about three.
  public var fraction: Double = 2.0 / 3.0
  /// `spec.expirationSeconds` of renewal CSRs; nil lets the signer choose (one year). At least 600.
  public var expirationSeconds: Int? = nil
  /// How often to look at a pending CSR, and how long to wait for its certificate.
  public var pollInterval: Duration = .seconds(1)
  public var waitTimeout: Duration = .seconds(300)
  /// The pause after a failed attempt.
  public var retryInterval: Duration = .seconds(30)

  public init() {}

  public func renewalDate(of certificate: Certificate) -> Date {
    let lifetime = certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore)
    return certificate.notValidBefore.addingTimeInterval(lifetime * fraction)
  }
}

extension AgentJoin {
  /// Renews each certificate when `policy` says so, until cancelled; `onRenew` gets every new set (the kubelet
  /// server swaps in the serving certificate, API clients are rebuilt with the client certificate). A client
  /// certificate that has expired (the agent was off too long) is replaced by joining again with the token.
  public func renewLoop(
    _ credentials: NodeCredentials, policy: RenewalPolicy = RenewalPolicy(),
    onRenew: @escaping @Sendable (NodeCredentials) async -> Void = { _ in }
  ) async {
    var current = credentials
    while !Task.isCancelled {
      let due = min(
        Self.renewalDate(current.client, retired: current.clientFromRetiredCA, policy),
        Self.renewalDate(current.serving, retired: current.servingFromRetiredCA, policy))
      let wait = due.timeIntervalSinceNow
      if wait > 0 {
        do { try await Task.sleep(for: .milliseconds(Int64(min(wait, 86400) * 1000))) } catch { return }
        continue
      }
      do {
        current = try await renewDue(current, policy: policy)
        await onRenew(current)
      } catch {
        if Task.isCancelled { return }
        logger.warning("certificate renewal failed; retrying", metadata: ["node": "\(nodeName)", "error": "\(error)"])
        do { try await Task.sleep(for: policy.retryInterval) } catch { return }
      }
    }
  }

  /// Renews whichever certificates are due and writes them; returns the new set.
  public func renewDue(_ credentials: NodeCredentials, policy: RenewalPolicy, now: Date = Date()) async throws
    -> NodeCredentials
  {
    if credentials.client.certificate.notValidAfter <= now {
      logger.warning("the client certificate expired; joining again with the token", metadata: ["node": "\(nodeName)"])
      return try await freshJoin(password: try nodePassword())
    }
    var client = credentials.client
    var serving = credentials.serving
    let kube = try credentials.kubeClient()
    if Self.renewalDate(client, retired: credentials.clientFromRetiredCA, policy) <= now {
      client = try await requestCertificate(
        kube, signer: CSRSigner.kubeletClient, names: nil,
        usages: ["digital signature", "key encipherment", "client auth"],
        policy: policy)
    }
    if Self.renewalDate(serving, retired: credentials.servingFromRetiredCA, policy) <= now {
      serving = try await requestCertificate(
        kube, signer: CSRSigner.kubeletServing, names: try servingNames(),
        usages: ["digital signature", "key encipherment", "server auth"], policy: policy)
    }
    let renewed = NodeCredentials(
      server: credentials.server, nodeName: nodeName, paths: paths, client: client, serving: serving,
      clientCAPEM: credentials.clientCAPEM, serverCAPEM: credentials.serverCAPEM)
    try Self.io {
      if client.certificatePEM != credentials.client.certificatePEM { try renewed.writeClient() }
      if serving.certificatePEM != credentials.serving.certificatePEM { try renewed.writeServing() }
    }
    logger.info(
      "renewed node certificates",
      metadata: [
        "node": "\(nodeName)", "client-expires": "\(client.certificate.notValidAfter)",
        "serving-expires": "\(serving.certificate.notValidAfter)",
      ])
    return renewed
  }

  /// When `leaf` is due: by `policy`, or right away when a CA rotation retired its signer.
  static func renewalDate(_ leaf: LeafCertificate, retired: Bool, _ policy: RenewalPolicy) -> Date {
    retired ? .distantPast : policy.renewalDate(of: leaf.certificate)
  }

  /// Creates a CSR as this node and waits until the approver and signer answer it.
  func requestCertificate(
    _ kube: KubeClient, signer: String, names: SubjectAltNames?, usages: [String], policy: RenewalPolicy
  ) async throws -> LeafCertificate {
    let generated = try CertificateRequest.generate(subject: NodeJoin.subject(node: nodeName), names: names)
    var spec: JSONValue = [
      "request": .string(Data(generated.csrPEM.utf8).base64EncodedString()), "signerName": .string(signer),
      "usages": .array(usages.map(JSONValue.string)),
    ]
    if let seconds = policy.expirationSeconds { spec["expirationSeconds"] = .int(Int64(max(seconds, 600))) }
    let created = try await kube.create(
      .certificateSigningRequests,
      [
        "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
        "metadata": ["generateName": "csr-"], "spec": spec,
      ])
    let name = created.metadata.name ?? ""
    let deadline = ContinuousClock.now + policy.waitTimeout
    while ContinuousClock.now < deadline {
      let csr = try await kube.get(.certificateSigningRequests, name: name)
      for condition in csr["status"]?["conditions"]?.arrayValue ?? []
      where ["Denied", "Failed"].contains(condition["type"]?.stringValue ?? "") {
        throw KubeletError(
          .joinRefused,
          "certificate request \(name) was \(condition["type"]?.stringValue ?? ""): "
            + (condition["message"]?.stringValue ?? ""))
      }
      if let encoded = csr["status"]?["certificate"]?.stringValue, let bytes = Data(base64Encoded: encoded) {
        return try LeafCertificate(
          certificatePEM: String(decoding: bytes, as: UTF8.self), privateKeyPEM: generated.privateKeyPEM, name: name)
      }
      try await Task.sleep(for: policy.pollInterval)
    }
    throw KubeletError(
      .joinRefused,
      "certificate request \(name) got no certificate within \(policy.waitTimeout); is the controller manager running "
        + "(it approves and signs node CSRs)?")
  }
}
