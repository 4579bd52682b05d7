import Foundation
import Testing

@testable import Runtime

/// The real kubectl 1.32 against the API server and a KubeletServer over a real container:
/// logs, exec (exit codes, stdin, a terminal), cp, attach and port-forward.
@Suite(
  .enabled(if: KubeletTestEnvironment.skipReason == nil, "\(KubeletTestEnvironment.skipReason ?? "")"), .serialized)
struct KubeletKubectlTests {
  @Test func kubectlStreamsThroughTheKubelet() async throws {
    let env = try await KubeletTestEnvironment.start()
    do {
      try await check(env)
    } catch {
      await env.stop()
      throw error
    }
    await env.stop()
  }

  private func check(_ env: KubeletTestEnvironment) async throws {
    // logs, with --tail; stderr lines are part of the log.
    var (code, output) = (Int32(0), "")
    for _ in 0..<50 {
      (code, output) = await env.kubectl(["logs", "demo", "-c", "main"])
      if output.contains("err1") { break }
      try await Task.sleep(for: .milliseconds(100))
    }
    #expect(code == 0)
    #expect(output == "line1\nline2\nerr1\n")
    (code, output) = await env.kubectl(["logs", "demo", "-c", "main", "--tail=1"])
    #expect(output == "err1\n")
    (code, output) = await env.kubectl(["logs", "demo", "-c", "main", "--timestamps", "--tail=1"])
    #expect(output.hasSuffix("Z err1\n"), "\(output)")
    (code, output) = await env.kubectl(["logs", "demo", "-c", "nope"])
    #expect(code != 0)
    #expect(output.contains("container nope is not valid for pod demo"), "\(output)")
    (code, output) = await env.kubectl(["logs", "demo"])
    #expect(
      output.contains("a container name must be specified") || output.contains("Defaulted container"), "\(output)")

    // logs -f follows until the container exits.
    try env.runtime.start(try #require(env.containers["counter"]))
    (code, output) = await env.kubectl(["logs", "-f", "demo", "-c", "counter"])
    #expect(code == 0)
    #expect(output == "tick 1\ntick 2\ntick 3\n", "\(output)")

    // exec: output, exit codes, stdin.
    (code, output) = await env.kubectl(["exec", "demo", "-c", "main", "--", "sh", "-c", "echo out; echo err >&2"])
    #expect(code == 0)
    #expect(output.contains("out") && output.contains("err"), "\(output)")
    (code, output) = await env.kubectl(["exec", "demo", "-c", "main", "--", "sh", "-c", "exit 3"])
    #expect(code == 3, "\(output)")
    (code, output) = await env.kubectl(
      ["exec", "-i", "demo", "-c", "main", "--", "tr", "a-z", "A-Z"], input: "piped input\n")
    #expect(code == 0)
    #expect(output == "PIPED INPUT\n", "\(output)")
    (code, output) = await env.kubectl(["exec", "demo", "-c", "main", "--", "no-such-command"])
    #expect(code != 0)

    // exec -it through a real terminal (script gives kubectl a pty).
    let command =
      "\(KubeletTestEnvironment.kubectlPath) --kubeconfig \(env.kubeconfig) exec -it demo -c main -- sh -c 'test -t 0 && test -t 1 && echo on-a-terminal; exit 7'"
    (code, output) = await env.kubectl(["-qec", command, "/dev/null"], executable: "/usr/bin/script")
    #expect(code == 7, "\(output)")
    #expect(output.contains("on-a-terminal"), "\(output)")

    // cp both ways (tar over exec with stdin).
    let local = env.directory + "/payload.bin"
    let payload = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
    try payload.write(to: URL(fileURLWithPath: local))
    (code, output) = await env.kubectl(["cp", local, "default/demo:/tmp/payload.bin", "-c", "main"])
    #expect(code == 0, "\(output)")
    (code, output) = await env.kubectl(["exec", "demo", "-c", "main", "--", "wc", "-c", "/tmp/payload.bin"])
    #expect(output.contains("200000"), "\(output)")
    let back = env.directory + "/back.bin"
    (code, output) = await env.kubectl(["cp", "default/demo:/tmp/payload.bin", back, "-c", "main"])
    #expect(code == 0, "\(output)")
    #expect(FileManager.default.contents(atPath: back) == payload)

    // attach with stdin: the reader echoes one line, then exits, which ends the attach.
    (code, output) = await env.kubectl(["attach", "-i", "demo", "-c", "reader"], input: "hello\n")
    #expect(output.contains("got:hello"), "\(output)")

    // port-forward to httpd inside the pod's own network namespace.
    let forward = try env.background(["port-forward", "pod/demo", ":8080"])
    defer { forward.stop() }
    var localPort: String?
    for _ in 0..<100 {
      if let match = forward.output.firstMatch(of: /Forwarding from 127\.0\.0\.1:(\d+)/) {
        localPort = String(match.1)
        break
      }
      try await Task.sleep(for: .milliseconds(100))
    }
    let port = try #require(localPort, "port-forward printed: \(forward.output)")
    for attempt in 0..<2 {
      (code, output) = await env.kubectl(
        ["wget", "-q", "-O", "-", "http://127.0.0.1:\(port)/index.html"], executable: "/bin/busybox")
      #expect(output == "hello-from-pod\n", "attempt \(attempt): \(output); kubectl: \(forward.output)")
    }

    // Measured, not asserted: a whole `kubectl exec` (process start, TLS, upgrade, exec, status).
    let started = ContinuousClock.now
    for _ in 0..<5 { _ = await env.kubectl(["exec", "demo", "-c", "main", "--", "true"]) }
    print("kubectl exec round trip: \((ContinuousClock.now - started) / 5) per command")
  }
}
