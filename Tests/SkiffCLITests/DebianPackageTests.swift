import Foundation
import SkiffTestSupport
import Testing

/// packaging/build-deb from the test binary, checked with dpkg-deb and lintian, then installed,
/// run, removed and purged in a cached minbase Debian chroot (packaging/test-deb-chroot).
@Suite(.serialized)
struct DebianPackageTests {
  static let hasTools = ["/usr/bin/dpkg-deb", "/usr/bin/lintian"].allSatisfy {
    FileManager.default.isExecutableFile(atPath: $0)
  }
  static let hasDebootstrap = FileManager.default.isExecutableFile(atPath: "/usr/sbin/debootstrap")

  static func workDirectory(of deb: String) -> String {
    ((deb as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
  }

  /// Builds the package into a copy of the packaging inputs, so that the checkout's dist/ is untouched.
  private func buildPackage() async throws -> String {
    let work = try Command.temporaryDirectory("deb")
    for item in ["install.sh", "packaging", "conf"] {
      try FileManager.default.copyItem(atPath: Command.repository + "/" + item, toPath: work + "/" + item)
    }
    let result = try await Command.bash(
      "cd '\(work)' && packaging/build-deb",
      environment: ["SKIFF_BINARY": SkiffServerProcess.binary, "SKIFF_DEB_COMPRESSION": "gzip"])
    try #require(result.status == 0, "\(result.output)")
    let name = try #require(result.output.split(separator: "\n").last.map(String.init))
    #expect(name.hasPrefix("dist/skiff_") && name.hasSuffix(".deb"))
    return work + "/" + name
  }

  @Test(.enabled(if: hasTools, "needs dpkg-dev and lintian (apt-get install dpkg-dev lintian)"))
  func buildsALintianCleanPackage() async throws {
    let deb = try await buildPackage()
    defer { try? FileManager.default.removeItem(atPath: Self.workDirectory(of: deb)) }
    let contents = try await Command.run("/usr/bin/dpkg-deb", ["--contents", deb]).output
    for path in [
      "./usr/bin/skiff", "./lib/systemd/system/skiff.service", "./lib/systemd/system/skiff-agent.service",
      "./usr/share/skiff/skiff-killall.sh", "./etc/skiff/config.yaml", "./usr/share/skiff/seccomp/runtime-default.json",
      "./usr/share/man/man1/skiff.1.gz", "./usr/share/doc/skiff/changelog.Debian.gz", "./usr/share/doc/skiff/copyright",
    ] {
      #expect(contents.contains(" \(path)\n"), "\(path) missing")
    }
    let info = try await Command.run("/usr/bin/dpkg-deb", ["--info", deb]).output
    #expect(info.contains("Package: skiff"))
    let version = try await Command.run(SkiffServerProcess.binary, ["--version"]).output
      .trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(info.contains("Version: \(version)-1"))
    let conffiles = try await Command.bash("dpkg-deb --ctrl-tarfile '\(deb)' | tar -xOf - ./conffiles").output
    #expect(conffiles == "/etc/skiff/config.yaml\n")

    // A debug build links the toolchain's Swift runtime by RUNPATH, which only release builds avoid.
    let debug = try await Command.bash("readelf -d '\(SkiffServerProcess.binary)' | grep -q 'NEEDED.*libswiftCore'")
    var arguments = ["--tag-display-limit", "0", deb]
    if debug.status == 0 { arguments = ["--suppress-tags", "custom-library-search-path"] + arguments }
    let lintian = try await Command.run("/usr/bin/lintian", arguments)
    let errors = lintian.output.split(separator: "\n").filter { $0.hasPrefix("E:") }
    #expect(errors.isEmpty, "lintian errors:\n\(lintian.output)")
    print("lintian on \((deb as NSString).lastPathComponent):\n\(lintian.output)")
  }

  @Test(
    .enabled(if: hasTools && hasDebootstrap && Command.isRoot, "needs root, dpkg-dev, lintian and debootstrap"))
  func installsRunsAndPurgesInADebianChroot() async throws {
    let deb = try await buildPackage()
    defer { try? FileManager.default.removeItem(atPath: Self.workDirectory(of: deb)) }
    let result = try await Command.run(Command.repository + "/packaging/test-deb-chroot", [deb])
    if result.status == 77 {
      print("skipped the chroot test: \(result.output)")
      return
    }
    #expect(result.status == 0, "\(result.output)")
    let version = try await Command.run(SkiffServerProcess.binary, ["--version"]).output
      .trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(result.output.contains("skiff --version in the chroot: \(version)"), "\(result.output)")
    #expect(result.output.contains("chroot test passed"))
  }
}
