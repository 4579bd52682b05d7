import Foundation
import SkiffTestSupport
import Testing

/// install.sh, run for real but never onto the host: into a temporary prefix
/// (INSTALL_SKIFF_ROOT), or in a private mount namespace with tmpfs over the paths it writes.
@Suite(.serialized, .enabled(if: Command.isRoot, "install.sh needs root; skipped"))
struct InstallScriptTests {
  static let script = Command.repository + "/install.sh"

  /// Runs install.sh into `root` with the test binary and no start unless asked.
  private func install(
    root: String, _ environment: [String: String] = [:], arguments: [String] = [], script: String = script
  ) async throws -> CommandResult {
    var variables = ["INSTALL_SKIFF_ROOT": root, "INSTALL_SKIFF_BIN": SkiffServerProcess.binary]
    variables.merge(environment) { $1 }
    var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SKIFF_") && !$0.key.contains("PROXY") }
    merged.merge(variables) { $1 }
    for (key, value) in variables where value.isEmpty { merged[key] = nil }
    return try await Command.run(script, arguments, environment: merged, directory: nil)
  }

  private func mode(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? nil
  }

  private func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

  @Test func serverInstallWritesEveryFileAndReRunsIdempotently() async throws {
    let root = try Command.temporaryDirectory("install-server")
    defer { try? FileManager.default.removeItem(atPath: root) }
    let environment = [
      "INSTALL_SKIFF_SKIP_START": "true", "SKIFF_DEBUG": "true", "HTTPS_PROXY": "http://proxy.internal:3128",
      "no_proxy": "10.0.0.0/8", "SKIFF_NODE_LABEL": "quote=\"x\" $HOME", "UNRELATED_VARIABLE": "kept out",
    ]
    let first = try await install(root: root, environment, arguments: ["--node-label", "site=lab 1"])
    #expect(first.status == 0, "\(first.output)")
    let unit = root + "/etc/systemd/system/skiff.service"
    let env = root + "/etc/systemd/system/skiff.service.env"
    let expectedModes = [
      root + "/usr/local/bin/skiff": 0o755, unit: 0o644, env: 0o600, root + "/usr/local/bin/skiff-killall.sh": 0o755,
      root + "/usr/local/bin/skiff-uninstall.sh": 0o755, root + "/etc/skiff/config.yaml": 0o600,
      root + "/var/lib/skiff": 0o700,
    ]
    for (path, expected) in expectedModes { #expect(mode(path) == expected, "\(path)") }
    let unitText = read(unit)
    for line in [
      "Type=notify", "KillMode=process", "Delegate=yes", "LimitNOFILE=1048576", "TasksMax=infinity", "Restart=always",
      "ExecStart=/usr/local/bin/skiff server --node-label 'site=lab 1'",
      "EnvironmentFile=-/etc/systemd/system/skiff.service.env",
    ] {
      #expect(unitText.split(separator: "\n").contains(Substring(line)), "\(line)")
    }
    #expect(
      read(env) == """
        HTTPS_PROXY="http://proxy.internal:3128"
        SKIFF_DEBUG="true"
        SKIFF_NODE_LABEL="quote=\\"x\\" \\$HOME"
        no_proxy="10.0.0.0/8"

        """)
    #expect(read(root + "/etc/skiff/config.yaml") == read(Command.repository + "/conf/config.yaml"))
    #expect(first.output.contains("installed skiff"))

    // The env file round-trips through sh (which the no-systemd mode sources) unchanged.
    let sourced = try await Command.bash("set -a; . '\(env)'; printf %s \"$SKIFF_NODE_LABEL\"")
    #expect(sourced.output == "quote=\"x\" $HOME")

    let binaryDate =
      try FileManager.default.attributesOfItem(atPath: root + "/usr/local/bin/skiff")[.modificationDate]
      as? Date
    let second = try await install(root: root, environment, arguments: ["--node-label", "site=lab 1"])
    #expect(second.status == 0, "\(second.output)")
    #expect(!second.output.contains("  wrote "), "\(second.output)")
    for path in ["/usr/local/bin/skiff", "/etc/systemd/system/skiff.service", "/etc/systemd/system/skiff.service.env"] {
      #expect(second.output.contains("unchanged \(root)\(path)"), "\(path)")
    }
    let again =
      try FileManager.default.attributesOfItem(atPath: root + "/usr/local/bin/skiff")[.modificationDate]
      as? Date
    #expect(again == binaryDate)

    var changed = environment
    changed["SKIFF_DEBUG"] = "false"
    let third = try await install(root: root, changed, arguments: ["--node-label", "site=lab 1"])
    #expect(third.output.contains("wrote \(env)"), "\(third.output)")
    #expect(third.output.contains("unchanged \(unit)"))
    #expect(read(env).contains("SKIFF_DEBUG=\"false\""))
  }

  @Test func agentInstallNamesAndSettings() async throws {
    let root = try Command.temporaryDirectory("install-agent")
    defer { try? FileManager.default.removeItem(atPath: root) }
    let result = try await install(
      root: root,
      [
        "INSTALL_SKIFF_SKIP_START": "true", "SKIFF_URL": "https://10.0.0.1:6443",
        "SKIFF_TOKEN": "K10abc::server:secret",
        "INSTALL_SKIFF_EXEC": "--node-label zone=a", "INSTALL_SKIFF_BIN_DIR": "/opt/skiff/bin",
        "INSTALL_SKIFF_SYSTEMD_DIR": "/usr/lib/systemd/system",
      ])
    #expect(result.status == 0, "\(result.output)")
    let unit = read(root + "/usr/lib/systemd/system/skiff-agent.service")
    #expect(unit.contains("ExecStart=/opt/skiff/bin/skiff agent --node-label zone=a\n"))
    #expect(unit.contains("EnvironmentFile=-/usr/lib/systemd/system/skiff-agent.service.env\n"))
    let env = root + "/usr/lib/systemd/system/skiff-agent.service.env"
    #expect(mode(env) == 0o600)
    #expect(read(env) == "SKIFF_TOKEN=\"K10abc::server:secret\"\nSKIFF_URL=\"https://10.0.0.1:6443\"\n")
    #expect(FileManager.default.isExecutableFile(atPath: root + "/opt/skiff/bin/skiff-agent-uninstall.sh"))
    #expect(FileManager.default.isExecutableFile(atPath: root + "/opt/skiff/bin/skiff-killall.sh"))

    let named = try await install(
      root: root,
      [
        "INSTALL_SKIFF_SKIP_START": "true", "INSTALL_SKIFF_NAME": "edge", "INSTALL_SKIFF_EXEC": "agent",
        "SKIFF_URL": "https://10.0.0.1:6443", "SKIFF_TOKEN_FILE": "/etc/skiff/token",
      ])
    #expect(named.status == 0, "\(named.output)")
    #expect(read(root + "/etc/systemd/system/skiff-edge.service").contains("ExecStart=/usr/local/bin/skiff agent\n"))
  }

  @Test func refusesAnAgentWithoutTokenOrWithoutHTTPS() async throws {
    let root = try Command.temporaryDirectory("install-refuse")
    defer { try? FileManager.default.removeItem(atPath: root) }
    let noToken = try await install(root: root, ["SKIFF_URL": "https://10.0.0.1:6443"])
    #expect(noToken.status == 1)
    #expect(noToken.output.contains("an agent needs SKIFF_TOKEN"), "\(noToken.output)")
    let http = try await install(root: root, ["SKIFF_URL": "http://10.0.0.1:6443", "SKIFF_TOKEN": "K10x::server:y"])
    #expect(http.status == 1)
    #expect(http.output.contains("SKIFF_URL must be an https:// URL"), "\(http.output)")
    #expect((try FileManager.default.contentsOfDirectory(atPath: root)).isEmpty)
  }

  /// A release server on loopback (python3 -m http.server, stopped by PID): a good checksum
  /// installs, a wrong one changes nothing.
  @Test func downloadsAndChecksTheChecksum() async throws {
    let root = try Command.temporaryDirectory("install-url")
    let served = try Command.temporaryDirectory("install-served")
    defer {
      try? FileManager.default.removeItem(atPath: root)
      try? FileManager.default.removeItem(atPath: served)
    }
    // A copy of the installed binary on the server, and a script beside it with no dist/ or checkout.
    let checkout = try Command.temporaryDirectory("install-alone")
    defer { try? FileManager.default.removeItem(atPath: checkout) }
    try FileManager.default.copyItem(atPath: Self.script, toPath: checkout + "/install.sh")
    let binary = served + "/skiff-linux-amd64"
    try FileManager.default.copyItem(atPath: SkiffServerProcess.binary, toPath: binary)
    let sum = try await Command.bash("sha256sum '\(binary)' | cut -d' ' -f1").output
      .trimmingCharacters(in: .whitespacesAndNewlines)
    try "\(sum)  skiff-linux-amd64\n".write(toFile: binary + ".sha256", atomically: true, encoding: .utf8)

    let port = try SkiffServerProcess.freePort()
    let server = Process()
    server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    server.arguments = ["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", served, String(port)]
    server.standardOutput = FileHandle.nullDevice
    server.standardError = FileHandle.nullDevice
    try server.run()
    defer {
      kill(server.processIdentifier, SIGKILL)  // SIGTERM may be blocked: the test runner's mask is inherited
      server.waitUntilExit()
    }
    let url = "http://127.0.0.1:\(port)/skiff-linux-amd64"
    var up = false
    for _ in 0..<100 where !up {
      up = try await Command.bash("curl -sf -o /dev/null '\(url).sha256'").status == 0
      if !up { try await Task.sleep(for: .milliseconds(100)) }
    }
    #expect(up, "python3 http.server did not start")

    let good = try await install(
      root: root, ["INSTALL_SKIFF_BIN": "", "INSTALL_SKIFF_URL": url, "INSTALL_SKIFF_SKIP_START": "true"],
      script: checkout + "/install.sh")
    #expect(good.status == 0, "\(good.output)")
    #expect(good.output.contains("sha256 \(sum) verified"), "\(good.output)")
    let installed = root + "/usr/local/bin/skiff"
    #expect(FileManager.default.contentsEqual(atPath: installed, andPath: binary))

    try "0000000000000000000000000000000000000000000000000000000000000000  skiff-linux-amd64\n".write(
      toFile: binary + ".sha256", atomically: true, encoding: .utf8)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: binary))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data("tampered".utf8))
    try handle.close()
    let bad = try await install(
      root: root, ["INSTALL_SKIFF_BIN": "", "INSTALL_SKIFF_URL": url, "INSTALL_SKIFF_SKIP_START": "true"],
      script: checkout + "/install.sh")
    #expect(bad.status == 1)
    #expect(bad.output.contains("checksum mismatch"), "\(bad.output)")
    // Nothing replaced: the installed binary is still the good one.
    #expect(!FileManager.default.contentsEqual(atPath: installed, andPath: binary))
    #expect(try await Command.run(installed, ["--version"]).status == 0)
  }

  @Test func takesABinaryFromDistBesideTheScript() async throws {
    let root = try Command.temporaryDirectory("install-dist")
    let checkout = try Command.temporaryDirectory("install-dist-src")
    defer {
      try? FileManager.default.removeItem(atPath: root)
      try? FileManager.default.removeItem(atPath: checkout)
    }
    try FileManager.default.copyItem(atPath: Self.script, toPath: checkout + "/install.sh")
    try FileManager.default.createDirectory(atPath: checkout + "/dist", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: SkiffServerProcess.binary, toPath: checkout + "/dist/skiff")
    let result = try await install(
      root: root, ["INSTALL_SKIFF_BIN": "", "INSTALL_SKIFF_SKIP_START": "true"], script: checkout + "/install.sh")
    #expect(result.status == 0, "\(result.output)")
    #expect(result.output.contains("from \(checkout)/dist/skiff"), "\(result.output)")
  }
}

/// The unit texts pass systemd's own checker (where systemd-analyze exists; no systemd needs to run).
@Suite struct SystemdUnitTests {
  static let analyzer = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  @Test(.enabled(if: analyzer != nil, "systemd-analyze is not installed"))
  func unitsVerify() async throws {
    let directory = try Command.temporaryDirectory("units")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let bin = (SkiffServerProcess.binary as NSString).deletingLastPathComponent
    let result = try await Command.bash(
      """
      set -e
      source ./install.sh
      skiff_unit server '\(bin)' /etc/systemd/system/skiff.service.env "server --node-label 'a=b c'" \
        >'\(directory)/skiff.service'
      skiff_unit agent '\(bin)' /etc/systemd/system/skiff-agent.service.env agent >'\(directory)/skiff-agent.service'
      '\(Self.analyzer ?? "")' verify '\(directory)/skiff.service' '\(directory)/skiff-agent.service'
      """)
    #expect(result.status == 0, "\(result.output)")
  }
}
