import Foundation
import Testing

@testable import SkiffCLI

@Suite struct ConfigLoaderTests {
  /// A temporary config directory with `config.yaml` and optional drop-ins.
  private func configDirectory(main: String, dropIns: [String: String] = [:]) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-config-\(UUID())").path
    try FileManager.default.createDirectory(atPath: directory + "/config.yaml.d", withIntermediateDirectories: true)
    try main.write(toFile: directory + "/config.yaml", atomically: true, encoding: .utf8)
    for (name, text) in dropIns {
      try text.write(toFile: directory + "/config.yaml.d/" + name, atomically: true, encoding: .utf8)
    }
    return directory
  }

  private func serverCommand(_ arguments: [String], environment: [String: String] = [:]) throws -> ServerCommand {
    let merged = try ConfigLoader(environment: environment).arguments(for: arguments)
    return try #require(try SkiffCommand.parseAsRoot(merged) as? ServerCommand)
  }

  @Test func fileValuesApplyAndCommandLineWins() throws {
    let directory = try configDirectory(main: "data-dir: /from/file\ndatastore-endpoint: sqlite:///x.db\ndebug: true\n")
    let command = try serverCommand(["server", "--config", directory + "/config.yaml", "--data-dir", "/from/flag"])
    #expect(command.dataDir == "/from/flag")
    #expect(command.datastoreEndpoint == "sqlite:///x.db")
    #expect(command.debug)
  }

  @Test func dropInsApplyInNameOrderAfterTheMainFile() throws {
    let directory = try configDirectory(
      main: "data-dir: /main\n",
      dropIns: ["20-b.yaml": "data-dir: /b\n", "10-a.yaml": "data-dir: /a\netcd-listen: 127.0.0.1:2379\n"])
    let command = try serverCommand(["server", "--config", directory + "/config.yaml"])
    #expect(command.dataDir == "/b")
    #expect(command.etcdListen == "127.0.0.1:2379")
  }

  @Test func environmentSitsBetweenFileAndFlags() throws {
    let directory = try configDirectory(main: "data-dir: /file\netcd-listen: /file.sock\n")
    let environment = [
      "SKIFF_CONFIG_FILE": directory + "/config.yaml", "SKIFF_DATA_DIR": "/env", "SKIFF_ETCD_LISTEN": "/env.sock",
    ]
    let command = try serverCommand(["server", "--etcd-listen", "/flag.sock"], environment: environment)
    #expect(command.dataDir == "/env")
    #expect(command.etcdListen == "/flag.sock")
  }

  @Test func unrelatedEnvironmentIsIgnored() throws {
    let command = try serverCommand(
      ["server"], environment: ["SKIFF_TEST_POSTGRES": "postgres://x", "SKIFF_CONFIG_FILE": "/dev/null"])
    #expect(command.dataDir == nil)
  }

  @Test func unknownKeyNamesKeyAndFile() throws {
    let directory = try configDirectory(main: "data-dir: /x\n", dropIns: ["50-bad.yaml": "no-such-flag: 1\n"])
    let error = #expect(throws: ConfigLoader.Failure.self) {
      _ = try serverCommand(["server", "--config", directory + "/config.yaml"])
    }
    #expect(error?.description.contains("no-such-flag") == true)
    #expect(error?.description.contains("50-bad.yaml") == true)
  }

  @Test func malformedYAMLIsReported() throws {
    let directory = try configDirectory(main: "data-dir: [unclosed\n")
    let error = #expect(throws: ConfigLoader.Failure.self) {
      _ = try serverCommand(["server", "--config", directory + "/config.yaml"])
    }
    #expect(error?.description.contains("not valid YAML") == true)
  }

  @Test func missingExplicitConfigFileIsAnError() throws {
    #expect(throws: ConfigLoader.Failure.self) {
      _ = try serverCommand(["server", "--config", "/nonexistent/skiff.yaml"])
    }
  }

  @Test func invalidValueForKnownKeyIsReported() throws {
    let directory = try configDirectory(main: "etcd-compaction-interval: soon\n")
    let error = #expect(throws: ConfigLoader.Failure.self) {
      _ = try serverCommand(["server", "--config", directory + "/config.yaml"])
    }
    #expect(error?.description.contains("etcd-compaction-interval") == true)
  }

  @Test func agentTakesK3sStyleVariablesAndNodeListsFromTheFile() throws {
    let directory = try configDirectory(main: "node-label: [\"site=north\", \"rack=3\"]\nkubelet-port: 10251\n")
    let merged = try ConfigLoader(
      environment: ["SKIFF_URL": "https://server:6443", "SKIFF_TOKEN": "K10abc::server:secret"]
    ).arguments(for: ["agent", "--config", directory + "/config.yaml"])
    let command = try #require(try SkiffCommand.parseAsRoot(merged) as? AgentCommand)
    #expect(command.server == "https://server:6443")
    #expect(command.token == "K10abc::server:secret")
    #expect(command.agent.nodeLabel == ["site=north", "rack=3"])
    #expect(command.agent.kubeletPort == 10251)
  }
}
