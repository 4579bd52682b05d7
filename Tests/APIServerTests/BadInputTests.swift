import Foundation
import SkiffTestSupport
import Testing

/// Every kind of bad request gets a precise Status and writes nothing.
@Suite(.serialized, .enabled(if: SkiffServerProcess.kubectlPath != nil, "kubectl is not installed"))
struct BadInputTests {
  /// Runs kubectl expecting it to fail; returns what it printed.
  func failing(_ server: SkiffServerProcess?, _ arguments: [String], input: String? = nil) -> String {
    do {
      let output =
        try server?.kubectl(arguments: arguments, input: input)
        ?? SkiffServerProcess.run(SkiffServerProcess.kubectlPath!, arguments, input: input)
      Issue.record("kubectl \(arguments) succeeded: \(output)")
      return output
    } catch let failure as SkiffServerProcess.Failure {
      return failure.output
    } catch {
      return "\(error)"
    }
  }

  func configMapCount(_ server: SkiffServerProcess) throws -> Int {
    try server.kubectl("get", "configmaps", "-o", "name").split(separator: "\n").count
  }

  @Test func malformedOversizedAndInvalidBodiesAreRefused() async throws {
    let server = try SkiffServerProcess(arguments: ["--etcd-listen", ""])
    defer { server.stop() }
    try await server.waitReady(etcd: false)
    let path = "/api/v1/namespaces/default/configmaps"
    let before = try configMapCount(server)
    func raw(_ body: String) -> String {
      let file = "\(server.dataDir)/body-\(UUID())"
      _ = FileManager.default.createFile(atPath: file, contents: Data(body.utf8))
      return failing(server, ["create", "--raw", path, "-f", file])
    }
    #expect(
      raw(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"#).contains("Error from server (BadRequest)"))
    #expect(
      raw(#"{"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"x"}}"#).contains(
        "does not match the expected API version"))
    #expect(
      raw(#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}"#).contains("does not match the expected kind"))
    let invalid = raw(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}"#)
    #expect(invalid.contains("Invalid") && invalid.contains("a lowercase RFC 1123 subdomain"))
    let big = String(repeating: "x", count: 3 * 1024 * 1024 + 10)
    #expect(
      raw(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":"\#(big)"}}"#).contains(
        "RequestEntityTooLarge"))
    #expect(try configMapCount(server) == before)
  }

  @Test func staleResourceVersionConflicts() async throws {
    let server = try SkiffServerProcess(arguments: ["--etcd-listen", ""])
    defer { server.stop() }
    try await server.waitReady(etcd: false)
    try server.kubectl(
      "apply", "--validate=false", "-f", "-",
      input: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {v: '1'}\n")
    let old = try server.kubectl("get", "configmap", "c", "-o", "json")
    try server.kubectl("patch", "configmap", "c", "--type=merge", "-p", #"{"data":{"v":"2"}}"#)
    let conflict = failing(
      server, ["replace", "--validate=false", "-f", "-"], input: old.replacingOccurrences(of: "\"1\"", with: "\"3\""))
    #expect(
      conflict.contains("the object has been modified; please apply your changes to the latest version and try again"))
    #expect(try server.kubectl("get", "configmap", "c", "-o", "jsonpath={.data.v}") == "2")
  }

  @Test func credentialsAndRBACAreEnforced() async throws {
    let server = try SkiffServerProcess(arguments: ["--etcd-listen", ""])
    defer { server.stop() }
    try await server.waitReady(etcd: false)
    let url = "https://127.0.0.1:\(server.apiPort)"
    // No credentials at all: kubectl would prompt, so ask with curl.
    let anonymous = try SkiffServerProcess.run("/usr/bin/curl", ["-sk", "\(url)/api/v1/namespaces/default/pods"])
    #expect(anonymous.contains(#""code":401"#) && anonymous.contains(#""reason":"Unauthorized""#))
    let wrongToken = failing(
      nil,
      [
        "--kubeconfig", "/dev/null", "--server", url, "--token", "not-a-token", "--insecure-skip-tls-verify", "get",
        "pods",
      ])
    #expect(wrongToken.contains("Unauthorized") || wrongToken.contains("provide credentials"))

    try server.kubectl(
      "apply", "--validate=false", "-f", "-", input: "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: robot}\n")
    let request = #"{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":3600}}"#
    let file = "\(server.dataDir)/token-request.json"
    _ = FileManager.default.createFile(atPath: file, contents: Data(request.utf8))
    let response = try server.kubectl(
      "create", "--raw", "/api/v1/namespaces/default/serviceaccounts/robot/token", "-f", file)
    let object = try JSONSerialization.jsonObject(with: Data(response.utf8)) as? [String: Any]
    let token = try #require((object?["status"] as? [String: Any])?["token"] as? String)
    let asRobot = ["--kubeconfig", "/dev/null", "--server", url, "--token", token, "--insecure-skip-tls-verify"]
    let denied = failing(nil, asRobot + ["get", "pods"])
    #expect(
      denied.contains(
        #"User "system:serviceaccount:default:robot" cannot list resource "pods" in API group "" in the namespace "default""#
      ))
    try server.kubectl(
      "apply", "--validate=false", "-f", "-",
      input: """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: robot-view}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects: [{kind: ServiceAccount, name: robot, namespace: default}]
        """)
    #expect(try SkiffServerProcess.run(SkiffServerProcess.kubectlPath!, asRobot + ["get", "pods"]).isEmpty)
  }
}
