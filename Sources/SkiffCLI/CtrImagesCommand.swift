import ArgumentParser
import Foundation
import Runtime

/// `skiff ctr images pull|import|ls|rm`.
struct CtrImagesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "images", abstract: "Manage images.",
    subcommands: [Pull.self, Import.self, List.self, Remove.self], aliases: ["image", "i"])

  struct Pull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Pull an image from a registry (mirrors and TLS from /etc/skiff/registries.yaml).")
    @OptionGroup var options: CtrOptions
    @Option(help: "Registry credentials USER:PASSWORD.") var creds: String?
    @Flag(help: "Talk plain HTTP to the image's registry.") var plainHTTP = false
    @Option(help: "Registry configuration in K3s's registries.yaml format.")
    var registryConfig = "/etc/skiff/registries.yaml"
    @Argument(help: "Image reference, e.g. busybox:1.36 or registry.local:5000/app@sha256:….") var reference: String

    func run() async throws {
      do {
        let store = try options.imageStore()
        var configuration = try AgentOptions.registryConfiguration(at: registryConfig)
        if plainHTTP { configuration.insecure.insert(try ImageReference(parsing: reference).registry) }
        store.registryConfiguration = configuration
        let credentials = try creds.map { [try RegistryCredentials(parsing: $0)] } ?? []
        let record = try await store.pull(reference, credentials: credentials) { progress in
          switch progress.phase {
          case .resolved: print("resolved \(progress.digest?.description ?? "")")
          case .alreadyPresent: print("\(progress.digest?.short ?? ""): already present")
          case .downloading where progress.completed == progress.total:
            print("\(progress.digest?.short ?? ""): downloaded \(Self.size(progress.total))")
          case .unpacking: print("\(progress.digest?.short ?? ""): unpacking")
          default: break
          }
        }
        print("pulled \(record.name) (\(record.configDigest.short), \(Self.size(record.size)))")
      } catch {
        throw ctrFailure(error)
      }
    }

    static func size(_ bytes: Int64) -> String { ByteCountFormatter.string(fromByteCount: bytes, countStyle: .binary) }
  }

  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Import docker-archive or OCI-archive tarballs (plain, gzip or zstd).")
    @OptionGroup var options: CtrOptions
    @Argument(help: "Archive files.") var files: [String]

    func run() throws {
      try ctrRun {
        let store = try options.imageStore()
        for file in files {
          for record in try store.importArchive(file) {
            print("imported \(record.name) (\(record.configDigest.short))")
          }
        }
      }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List images.")
    @OptionGroup var options: CtrOptions
    @Flag(name: .shortAndLong, help: "Print names only.") var quiet = false

    func run() throws {
      try ctrRun {
        let records = try options.imageStore().list()
        if quiet {
          for record in records { print(record.name) }
          return
        }
        var rows = [["REF", "IMAGE ID", "SIZE", "DIGEST"]]
        for record in records {
          rows.append([
            record.name, record.configDigest.short,
            ByteCountFormatter.string(fromByteCount: record.size, countStyle: .binary),
            record.manifestDigest.description,
          ])
        }
        printTable(rows)
      }
    }
  }

  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove image references.")
    @OptionGroup var options: CtrOptions
    @Argument(help: "Image references.") var references: [String]
    @Flag(help: "Also delete unreferenced content and snapshots now.") var prune = false

    func run() throws {
      try ctrRun {
        let store = try options.imageStore()
        for reference in references {
          try store.remove(reference)
          print(reference)
        }
        if prune {
          let inUse = (try? options.runtime())?.snapshotsInUse() ?? []
          store.prune(keepingSnapshots: inUse)
        }
      }
    }
  }
}

/// Prints rows as left-aligned columns.
func printTable(_ rows: [[String]]) {
  guard let first = rows.first else { return }
  var widths = first.map(\.count)
  for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
  for row in rows {
    let cells = row.enumerated().map { index, cell in
      index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
    }
    print(cells.joined(separator: "   "))
  }
}
