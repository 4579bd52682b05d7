import Foundation
import Glibc
import SkiffTestSupport

@testable import Runtime

/// A small token server for the registry's Bearer auth, as Docker Hub's auth.docker.io works:
/// GET /token?service=&scope= with optional Basic auth returns a JWT (RS256, x5c) that the
/// real docker-registry verifies against `certificate`. Known users get pull and push on any
/// repository; anonymous callers get pull on `public/…` only. Runs python3's http.server and
/// signs with the openssl CLI; every request's user (or "anonymous", "rejected:<user>",
/// "refresh:<user>" for an identity-token exchange) is appended to `requestLog`.
final class TokenServer {
  static let service = "skiff-test-registry"
  static let issuer = "skiff-test-issuer"

  static var skipReason: String? {
    for tool in ["/usr/bin/python3", "/usr/bin/openssl"] where !FileManager.default.isExecutableFile(atPath: tool) {
      return "needs \(tool) for the token server"
    }
    return nil
  }

  let directory: String
  let port: Int
  let process = Process()
  var realm: String { "http://127.0.0.1:\(port)/token" }
  var certificate: String { "\(directory)/token.crt" }
  var requestLog: String { "\(directory)/requests.log" }

  /// `users` log in with a password, `refreshTokens` (token → user) with an identity token.
  init(users: [String: String], refreshTokens: [String: String] = [:]) throws {
    directory = try TestImage.temporaryDirectory("token")
    port = try SkiffServerProcess.freePort()
    let status = try TestImage.run([
      "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(directory)/token.key", "-out",
      certificate, "-days", "2", "-subj", "/CN=skiff-test-token",
    ])
    guard status == 0 else { throw RuntimeError(.internalError, "openssl cannot make the token certificate") }
    let config: [String: Any] = [
      "port": port, "key": "\(directory)/token.key", "cert": certificate, "users": users, "refresh": refreshTokens,
      "issuer": Self.issuer,
      "log": requestLog,
    ]
    try FileSystem.writeAtomically(
      "\(directory)/config.json", Array(try JSONSerialization.data(withJSONObject: config)))
    try FileSystem.writeAtomically("\(directory)/server.py", Array(Self.script.utf8))
    _ = FileManager.default.createFile(atPath: requestLog, contents: nil)
    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    process.arguments = ["\(directory)/server.py", "\(directory)/config.json"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    try RegistryServer.waitForPort(port, process: process)
  }

  deinit {
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)  // python's server loop does not stop on SIGTERM here
      process.waitUntilExit()
    }
    try? FileSystem.removeTree(directory)
  }

  /// Who asked for tokens, in order.
  func requests() throws -> [String] {
    try FileSystem.readString(requestLog).split(separator: "\n").map(String.init)
  }

  static let script = #"""
    import base64, json, subprocess, sys, time, uuid
    from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
    from urllib.parse import urlparse, parse_qs

    cfg = json.load(open(sys.argv[1]))
    der = subprocess.run(["openssl", "x509", "-in", cfg["cert"], "-outform", "DER"],
                         capture_output=True, check=True).stdout
    x5c = base64.b64encode(der).decode()

    def b64url(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    def log(line):
        with open(cfg["log"], "a") as f:
            f.write(line + "\n")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, status, body=b""):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urlparse(self.path)
            if url.path != "/token":
                return self.reply(404)
            query = parse_qs(url.query)
            user = None
            header = self.headers.get("Authorization")
            if header:
                name, _, password = base64.b64decode(header.split(" ", 1)[1]).decode().partition(":")
                if not header.startswith("Basic ") or cfg["users"].get(name) != password:
                    log("rejected:" + name)
                    return self.reply(401, b'{"details":"incorrect username or password"}')
                user = name
            log(user or "anonymous")
            token = self.token(user, query.get("service", [""])[0], query.get("scope", []))
            self.reply(200, json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode())

        def token(self, user, service, scopes):
            access = []
            for scope in scopes:
                parts = scope.split(":")
                if len(parts) < 3 or parts[0] != "repository":
                    continue
                name, actions = ":".join(parts[1:-1]), parts[-1].split(",")
                if user is None:
                    if not name.startswith("public/"):
                        continue
                    actions = [a for a in actions if a == "pull"]
                access.append({"type": "repository", "name": name, "actions": actions})
            now = int(time.time())
            head = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
            claims = {"iss": cfg["issuer"], "sub": user or "", "aud": service,
                      "exp": now + 300, "nbf": now - 10, "iat": now, "jti": uuid.uuid4().hex, "access": access}
            signing = b64url(json.dumps(head).encode()) + "." + b64url(json.dumps(claims).encode())
            signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", cfg["key"]],
                                       input=signing.encode(), capture_output=True, check=True).stdout
            return signing + "." + b64url(signature)

        def do_POST(self):
            # OAuth2 refresh_token grant, as Docker sends for an identity token.
            form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode())
            user = cfg["refresh"].get(form.get("refresh_token", [""])[0])
            if form.get("grant_type") != ["refresh_token"] or user is None:
                log("rejected-refresh")
                return self.reply(401, b'{"error":"invalid_grant"}')
            log("refresh:" + user)
            token = self.token(user, form.get("service", [""])[0], form.get("scope", [""])[0].split(" "))
            self.reply(200, json.dumps({"access_token": token, "expires_in": 300}).encode())

    ThreadingHTTPServer(("127.0.0.1", cfg["port"]), Handler).serve_forever()
    """#
}
