import Foundation
import SkiffCore
import SkiffTestSupport
import Testing

/// Whether python3 can import the official client.
let hasPythonClient = (try? SkiffServerProcess.run("/usr/bin/env", ["python3", "-c", "import kubernetes"])) != nil

/// The official Python client (`kubernetes` on PyPI) against a real `skiff server`.
@Suite(.enabled(if: hasPythonClient, "python3 with the `kubernetes` package is not installed (pip install kubernetes)"))
struct PythonClientTests {
  @Test func crudListAndWatch() async throws {
    let server = try SkiffServerProcess(arguments: ["--etcd-listen", ""])
    defer { server.stop() }
    try await server.waitReady(etcd: false)
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "Python/client_crud.py")
    let output = try SkiffServerProcess.run(
      "/usr/bin/env", ["python3", script.path, server.kubeconfig], includeErrors: true)
    #expect(output.hasSuffix("ok\n"), "\(output)")
  }
}

/// Watch bookmarks, sendInitialEvents, timeouts and 410 Gone, as the official client sees them
/// (the server compacts every second so that an old revision is gone quickly).
@Suite(.enabled(if: hasPythonClient, "python3 with the `kubernetes` package is not installed (pip install kubernetes)"))
struct PythonWatchTests {
  @Test func bookmarksInitialEventsTimeoutsAndGone() async throws {
    let server = try SkiffServerProcess(arguments: [
      "--etcd-listen", "", "--etcd-compaction-interval", "1", "--etcd-compaction-retention", "5",
    ])
    defer { server.stop() }
    try await server.waitReady(etcd: false)
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "Python/watch_semantics.py")
    let output = try await Blocking.run {
      try SkiffServerProcess.run("/usr/bin/env", ["python3", script.path, server.kubeconfig], includeErrors: true)
    }
    #expect(output.hasSuffix("ok\n"), "\(output)")
  }
}

/// Whether python3 can import kopf (the operator framework).
let hasKopf = (try? SkiffServerProcess.run("/usr/bin/env", ["python3", "-c", "import kopf"])) != nil

/// An operator written with kopf watches, patches (metadata and the status subresource), and
/// removes its finalizer so a delete completes — through a real `skiff server`.
@Suite(.enabled(if: hasKopf && SkiffServerProcess.kubectlPath != nil, "python3 with `kopf` or kubectl is missing"))
struct KopfOperatorTests {
  static let crd = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: widgets.example.com}
    spec:
      group: example.com
      scope: Namespaced
      names: {plural: widgets, singular: widget, kind: Widget}
      versions:
      - name: v1
        served: true
        storage: true
        subresources: {status: {}}
        schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    """

  func kubectl(_ server: SkiffServerProcess, _ arguments: String..., input: String? = nil) async throws -> String {
    try await Blocking.run { try server.kubectl(arguments: arguments, input: input) }
  }

  func eventually(_ what: String, _ check: () async throws -> Bool) async throws {
    for _ in 0..<150 {
      if (try? await check()) == true { return }
      try await Task.sleep(for: .milliseconds(200))
    }
    Issue.record("timed out waiting for \(what)")
  }

  @Test func kopfOperatorReconcilesPatchesAndFinalizes() async throws {
    let server = try SkiffServerProcess(arguments: ["--etcd-listen", ""])
    defer { server.stop() }
    try await server.waitReady(etcd: false)
    try await kubectl(server, "apply", "-f", "-", input: Self.crd)
    try await eventually("the Widget resource to be served") {
      try await kubectl(server, "api-resources", "--api-group=example.com").contains("widgets")
    }

    let operatorScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Python/kopf_operator.py").path
    let kopf = Process()
    kopf.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    kopf.arguments = ["python3", "-m", "kopf", "run", "--standalone", "-n", "default", operatorScript]
    var environment = ProcessInfo.processInfo.environment
    environment["KUBECONFIG"] = server.kubeconfig
    kopf.environment = environment
    let logPath = server.dataDir + "/kopf.log"
    FileManager.default.createFile(atPath: logPath, contents: nil)
    let log = FileHandle(forWritingAtPath: logPath)
    kopf.standardOutput = log
    kopf.standardError = log
    try kopf.run()
    defer {
      // SIGKILL: children inherit SIGTERM ignored from a test process that ran a server in-process.
      kill(kopf.processIdentifier, SIGKILL)
      kopf.waitUntilExit()
    }
    func widget(_ path: String) async throws -> String {
      try await kubectl(server, "get", "widget", "w1", "-o", "jsonpath=\(path)")
    }

    try await kubectl(
      server, "apply", "-f", "-",
      input: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n")
    try await eventually("kopf to reconcile the new Widget") {
      try await widget("{.status.reconcile.phase}") == "Sized-3"
    }
    #expect(try await widget("{.metadata.annotations.example\\.com/size}") == "3")
    #expect(try await widget("{.metadata.finalizers}").contains("skiff.example.com/kopf-finalizer"))

    try await kubectl(server, "patch", "widget", "w1", "--type=merge", "-p", #"{"spec":{"size":5}}"#)
    try await eventually("kopf to reconcile the update") {
      try await widget("{.status.reconcile.phase}") == "Sized-5"
    }

    // The delete waits for kopf to remove its finalizer, then the object is gone.
    try await kubectl(server, "delete", "widget", "w1", "--wait=true", "--timeout=30s")
    let left = try await kubectl(server, "get", "widgets", "-o", "name")
    #expect(left.isEmpty, "\(left)\n\((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
  }
}
