import ArgumentParser
import Foundation

/// `skiff check-config`: whether this kernel and host can run skiff, as a table.
struct CheckConfigCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check-config",
    abstract: "Check the kernel and host for what skiff needs (exit 1 when something required is missing).")

  @Option(help: .hidden)
  var root = "/"

  func run() throws {
    let checks = HostChecker(files: HostFiles(root: root)).run()
    print(Self.table(checks), terminator: "")
    let failed = checks.filter { $0.status == .fail }
    let warned = checks.filter { $0.status == .warn }
    let warnings = warned.count == 1 ? "1 warning" : "\(warned.count) warnings"
    print("\n\(checks.count - failed.count - warned.count) passed, \(warnings), \(failed.count) failed")
    if !failed.isEmpty {
      print("skiff cannot run here until the failed checks are fixed: \(failed.map(\.name).joined(separator: ", "))")
      throw ExitCode(1)
    }
  }

  /// Fixed-width columns, like `kubectl get`.
  static func table(_ checks: [HostCheck]) -> String {
    let width = max(5, checks.map(\.name.count).max() ?? 0) + 2
    func pad(_ text: String, _ count: Int) -> String {
      text + String(repeating: " ", count: max(0, count - text.count))
    }
    var text = pad("CHECK", width) + pad("STATUS", 8) + "DETAIL\n"
    for check in checks {
      text += pad(check.name, width) + pad(check.status.rawValue, 8) + check.detail + "\n"
    }
    return text
  }
}
