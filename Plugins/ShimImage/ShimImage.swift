import Foundation
import PackagePlugin

/// Builds `skiff-shim` (Sources/ContainerShim, C) with the toolchain's clang and hands the target
/// a Swift file holding the executable base64-encoded and the start of its sha256, so the one
/// `skiff` binary can carry it and find an already written copy without decoding it.
///
/// Why not an executable target: SwiftPM links every executable with the Swift runtime, and the
/// shim exists to stay near 1 MB resident per running container. It is linked static-pie, so it
/// needs nothing from the host but the kernel and pays no dynamic loader cost per start.
@main
struct ShimImage: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    let clang = try context.tool(named: "clang").url
    let sourcesRoot = context.package.directoryURL.appending(path: "Sources")
    let shimSources = sourcesRoot.appending(path: "ContainerShim")
    let sharedInclude = sourcesRoot.appending(path: "CRuntime/include")
    let files = try FileManager.default.contentsOfDirectory(atPath: shimSources.path).sorted()
    let sources =
      files.filter { $0.hasSuffix(".c") }.map { shimSources.appending(path: $0) } + [
        sourcesRoot.appending(path: "CRuntime/terminal.c")
      ]
    let headers =
      files.filter { $0.hasSuffix(".h") }.map { shimSources.appending(path: $0) } + [
        sharedInclude.appending(path: "skiff_terminal.h")
      ]
    let executable = context.pluginWorkDirectoryURL.appending(path: "skiff-shim")
    let output = context.pluginWorkDirectoryURL.appending(path: "ShimExecutableImage.swift")
    let compile =
      [
        clang.path, "-O2", "-g0", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror",
        "-I", sharedInclude.path, "-fuse-ld=lld", "-static-pie", "-o", executable.path,
      ] + sources.map(\.path)
    let script = """
      "$@" || exit 1
      {
        printf '/// skiff-shim (Sources/ContainerShim), base64-encoded by Plugins/ShimImage.\\n'
        printf 'let shimExecutableBase64: StaticString = "'
        base64 -w0 '\(executable.path)'
        printf '"\\n'
        printf 'let shimExecutableDigest = "%s"\\n' "$(sha256sum '\(executable.path)' | cut -c1-12)"
      } > '\(output.path).tmp' && mv '\(output.path).tmp' '\(output.path)'
      """
    return [
      .buildCommand(
        displayName: "Building skiff-shim", executable: URL(fileURLWithPath: "/bin/sh"),
        arguments: ["-c", script, "sh"] + compile, inputFiles: sources + headers, outputFiles: [output])
    ]
  }
}
