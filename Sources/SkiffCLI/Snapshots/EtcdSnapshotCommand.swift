import ArgumentParser
import Foundation
import Store

/// `skiff etcd-snapshot save|ls|delete|prune`, K3s's names for snapshots of the embedded
/// SQLite datastore; taken online from the running server's database file.
struct EtcdSnapshotCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "etcd-snapshot", abstract: "Save, list, delete and prune snapshots of the embedded datastore.",
    subcommands: [Save.self, List.self, Delete.self, Prune.self])

  struct Location: ParsableArguments {
    @Option(help: "Directory for state (default /var/lib/skiff, ~/.skiff when not root).")
    var dataDir: String?

    @Option(help: "Where snapshots live (default <data-dir>/server/db/snapshots).")
    var snapshotDir: String?

    @Option(help: "The server's --datastore-endpoint, when it is not the embedded SQLite.")
    var datastoreEndpoint = ""

    func snapshots() throws -> SnapshotDirectory {
      if !datastoreEndpoint.isEmpty && !datastoreEndpoint.hasPrefix("sqlite://") {
        throw SnapshotFailure(
          description:
            "snapshots cover the embedded SQLite datastore; this cluster keeps its state in an external database: back it up with that database's tools (for PostgreSQL: pg_dump)"
        )
      }
      let dataDir =
        dataDir
        ?? (getuid() == 0 ? "/var/lib/skiff" : "\(FileManager.default.homeDirectoryForCurrentUser.path)/.skiff")
      return SnapshotDirectory(dataDir: dataDir, directory: snapshotDir)
    }
  }

  struct Save: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Take a consistent snapshot now, while the server runs.")

    @OptionGroup var location: Location

    @Option(help: "Name prefix of the snapshot.")
    var name = "on-demand"

    func run() async throws {
      let (entry, info) = try location.snapshots().save(prefix: name)
      print(
        "Snapshot \(entry.name) saved: \(entry.path) (\(entry.size) bytes, revision \(info.revision), \(info.keys) keys)"
      )
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List snapshots.", aliases: ["list"])

    @OptionGroup var location: Location

    func run() async throws {
      var rows = [["Name", "Location", "Size", "Created"]]
      for entry in try location.snapshots().list() {
        rows.append([
          entry.name, "file://\(entry.path)", String(entry.size), ISO8601DateFormatter().string(from: entry.created),
        ])
      }
      print(TokenCommand.table(rows), terminator: "")
    }
  }

  struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete snapshots by name.", aliases: ["rm"])

    @OptionGroup var location: Location

    @Argument(help: "Snapshot names, as `skiff etcd-snapshot ls` shows them.")
    var names: [String]

    func run() async throws {
      try location.snapshots().delete(names)
      for name in names { print("Removed snapshot \(name)") }
    }
  }

  struct Prune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Keep only the newest snapshots with a name prefix.")

    @OptionGroup var location: Location

    @Option(help: "Name prefix of the snapshots to prune.")
    var name = "on-demand"

    @Option(help: "How many to keep.")
    var snapshotRetention = 5

    func run() async throws {
      for name in try location.snapshots().prune(prefix: name, retention: snapshotRetention) {
        print("Removed snapshot \(name)")
      }
    }
  }
}
