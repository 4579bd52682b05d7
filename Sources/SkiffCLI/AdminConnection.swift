import ArgumentParser
import Foundation
import KubeAPI
import KubeClient
import PKI

/// How the admin commands (`skiff token`, `secrets-encrypt`, `certificate rotate-ca`) reach the API server: a
/// kubeconfig, or this server's own admin certificate.
struct AdminConnection: ParsableArguments {
  /// A failure after the arguments were accepted: printed without the usage text.
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  @Option(help: "Kubeconfig to use (default: the admin certificate in <data-dir>/server/tls).")
  var kubeconfig: String?

  @Option(help: "Directory for state (default /var/lib/skiff, ~/.skiff when not root).")
  var dataDir: String?

  @Option(help: "API server URL when not using --kubeconfig.")
  var server = "https://127.0.0.1:6443"

  func client() throws -> (KubeClient, HTTPTransport) {
    let credentials: HTTPTransport.Credentials
    if let kubeconfig {
      credentials = try HTTPTransport.Credentials(kubeconfig: kubeconfig)
    } else {
      let dataDir =
        dataDir
        ?? (getuid() == 0 ? "/var/lib/skiff" : "\(FileManager.default.homeDirectoryForCurrentUser.path)/.skiff")
      let paths = TLSPaths(dataDirectory: dataDir)
      func read(_ path: String) throws -> String {
        guard let text = try SecureFile.read(path) else {
          throw Failure(description: "\(path) does not exist; run this on a server, or pass --kubeconfig")
        }
        return text
      }
      credentials = HTTPTransport.Credentials(
        server: server, certificateAuthorityPEM: try read(paths.serverCACertificate),
        clientCertificatePEM: try read(paths.adminCertificate), clientKeyPEM: try read(paths.adminKey))
    }
    let transport = try HTTPTransport(credentials)
    return (KubeClient(transport: transport), transport)
  }

  /// Sends one request to a skiff endpoint (`/v1-skiff/…`) and returns its JSON answer; any
  /// other answer becomes a ``Failure`` with the server's message.
  func call(_ method: String, _ path: String, body: [UInt8] = []) async throws -> JSONValue {
    let (_, transport) = try client()
    let response = try await transport.send(KubeRequest(method: method, path: path, body: body))
    let answer = try? JSONValue.parse(response.body)
    guard response.status == 200, let answer else {
      let message = answer?["message"]?.stringValue ?? String(decoding: response.body, as: UTF8.self)
      throw Failure(description: "the server refused (\(response.status)): \(message)")
    }
    return answer
  }
}
