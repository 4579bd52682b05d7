import Foundation
import Glibc
import SkiffTestSupport

@testable import Runtime

/// A real Docker distribution registry (Debian's `docker-registry`) on a free loopback port,
/// storage and config in a temporary directory, stopped by PID. Images are pushed with skopeo.
/// Auth is none, htpasswd (Basic) or token (Bearer, with `TokenServer` as the realm).
final class RegistryServer {
  enum Auth {
    case none
    case basic(user: String, password: String)
    case token(TokenServer)
  }

  static let binary = "/usr/bin/docker-registry"
  static let skopeo = ["/usr/bin/skopeo", "/usr/local/bin/skopeo"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  static var skipReason: String? {
    if !FileManager.default.isExecutableFile(atPath: binary) {
      return "needs Debian's docker-registry at \(binary) (apt-get install docker-registry)"
    }
    if skopeo == nil { return "needs skopeo to push test images (apt-get install skopeo)" }
    if !TestImage.busyboxAvailable { return "needs Debian's busybox-static at /bin/busybox" }
    return nil
  }

  let directory: String
  let port: Int
  let process = Process()
  var host: String { "127.0.0.1:\(port)" }
  var storage: String { "\(directory)/storage" }

  /// The self-signed certificate (for 127.0.0.1) the registry serves when started with TLS.
  var certificate: String { "\(directory)/tls.crt" }

  init(auth: Auth = .none, tls: Bool = false) throws {
    directory = try TestImage.temporaryDirectory("registry")
    port = try SkiffServerProcess.freePort()
    var tlsSection = ""
    if tls {
      let status = try TestImage.run([
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(directory)/tls.key", "-out",
        "\(directory)/tls.crt", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
      ])
      guard status == 0 else { throw RuntimeError(.internalError, "openssl cannot make the registry certificate") }
      tlsSection = "  tls:\n    certificate: \(directory)/tls.crt\n    key: \(directory)/tls.key\n"
    }
    var authSection = ""
    switch auth {
    case .none: break
    case .basic(let user, let password):
      try FileSystem.writeAtomically("\(directory)/htpasswd", Array("\(user):\(try Self.bcrypt(password))\n".utf8))
      authSection = "auth:\n  htpasswd:\n    realm: skiff-test\n    path: \(directory)/htpasswd\n"
    case .token(let server):
      authSection = """
        auth:
          token:
            realm: \(server.realm)
            service: \(TokenServer.service)
            issuer: \(TokenServer.issuer)
            rootcertbundle: \(server.certificate)

        """
    }
    let config = """
      version: 0.1
      log:
        level: error
      storage:
        filesystem:
          rootdirectory: \(storage)
      http:
        addr: \(host)
        secret: skiff-test-secret
      \(tlsSection)\(authSection)
      """
    try FileSystem.writeAtomically("\(directory)/config.yml", Array(config.utf8))
    process.executableURL = URL(fileURLWithPath: Self.binary)
    process.arguments = ["serve", "\(directory)/config.yml"]
    _ = FileManager.default.createFile(atPath: accessLog, contents: nil)
    process.standardOutput = FileHandle(forWritingAtPath: accessLog)
    process.standardError = FileHandle.nullDevice
    try process.run()
    try Self.waitForPort(port, process: process)
  }

  deinit {
    if process.isRunning {
      // SIGKILL: children inherit SIGTERM ignored from a test process that ran a server in-process.
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    try? FileSystem.removeTree(directory)
  }

  /// Pushes an OCI archive (`--all` keeps a multi-platform index whole). skopeo gzips
  /// uncompressed layers on the way, which changes layer and manifest digests, unless
  /// `preservingDigests`.
  func push(_ archive: String, as repository: String, credentials: String? = nil, preservingDigests: Bool = false)
    throws
  {
    var arguments = [Self.skopeo!, "--insecure-policy", "copy", "--quiet", "--all", "--dest-tls-verify=false"]
    if preservingDigests { arguments.append("--preserve-digests") }
    if let credentials { arguments += ["--dest-creds", credentials] }
    arguments += ["oci-archive:\(archive)", "docker://\(host)/\(repository)"]
    let status = try TestImage.run(arguments)
    guard status == 0 else { throw RuntimeError(.internalError, "skopeo copy to \(host)/\(repository) failed") }
  }

  var accessLog: String { "\(directory)/access.log" }

  /// `METHOD /path` of the requests the registry answered so far, from its access log.
  func requests() throws -> [String] {
    try FileSystem.readString(accessLog).split(separator: "\n").compactMap { line in
      guard let start = line.firstIndex(of: "\"") else { return nil }
      let request = line[line.index(after: start)...].split(separator: " ", maxSplits: 2)
      return request.count >= 2 ? "\(request[0]) \(request[1])" : nil
    }
  }

  /// The file the registry serves for a blob (its filesystem driver's layout).
  func blobPath(_ digest: Digest) -> String {
    "\(storage)/docker/registry/v2/blobs/sha256/\(digest.hex.prefix(2))/\(digest.hex)/data"
  }

  static func waitForPort(_ port: Int, process: Process) throws {
    for _ in 0..<200 {
      guard process.isRunning else { throw RuntimeError(.internalError, "test server on port \(port) exited") }
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_port = in_port_t(UInt16(port).bigEndian)
      address.sin_addr.s_addr = inet_addr("127.0.0.1")
      let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
      }
      close(fd)
      if connected { return }
      usleep(25_000)
    }
    throw RuntimeError(.internalError, "test server on port \(port) did not start")
  }

  /// A bcrypt hash for htpasswd through libcrypt (no apache2-utils needed).
  static func bcrypt(_ password: String) throws -> String {
    typealias GenSalt =
      @convention(c) (UnsafePointer<CChar>?, UInt, UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<
        CChar
      >?
    typealias Crypt = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>) -> UnsafeMutablePointer<CChar>?
    guard let library = dlopen("libcrypt.so.1", RTLD_NOW), let saltSymbol = dlsym(library, "crypt_gensalt"),
      let cryptSymbol = dlsym(library, "crypt")
    else { throw RuntimeError(.internalError, "libcrypt.so.1 with crypt_gensalt is needed for htpasswd") }
    let gensalt = unsafeBitCast(saltSymbol, to: GenSalt.self)
    let crypt = unsafeBitCast(cryptSymbol, to: Crypt.self)
    guard let salt = gensalt("$2b$", 5, nil, 0), let hash = crypt(password, salt) else {
      throw RuntimeError(.internalError, "libcrypt cannot make a bcrypt hash")
    }
    return String(cString: hash)
  }
}
