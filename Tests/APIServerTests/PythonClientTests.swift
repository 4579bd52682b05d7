import Foundation
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
