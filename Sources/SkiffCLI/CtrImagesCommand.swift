import ArgumentParser
import Foundation
import Runtime

/// `skiff ctr images import|ls|rm`.
struct CtrImagesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "images", abstract: "Manage images.",
    subcommands: [Import.self, List.self, Remove.self], aliases: ["image", "i"])

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
