import Foundation
import Glibc

/// The `skiff-shim` executable (Sources/ContainerShim) that every container's shim, pod sandbox
/// and exec runs as. The skiff binary carries it (Plugins/ShimImage builds it into
/// `shimExecutableBase64`) and writes it out once per runtime directory, as K3s unpacks its
/// bundled binaries: a shim stays resident for every running container, and as a mode of the
/// 230 MB skiff binary it cost 5 MB of RSS where this small static executable costs about one.
enum ShimExecutable {
  /// The executable's bytes. Decoded only to write it, so a running agent keeps no copy.
  static func image() -> [UInt8] {
    shimExecutableBase64.withUTF8Buffer { encoded in
      guard let bytes = Data(base64Encoded: Data(encoded)) else {
        preconditionFailure("skiff-shim image is not base64")
      }
      return [UInt8](bytes)
    }
  }

  /// Writes the executable to `<directory>/skiff-shim-<digest>` unless it is there, removes the
  /// ones earlier skiff versions wrote (shims still running from them keep their open copy)
  /// and returns its path. Named by digest and written by rename, so a file with that name is
  /// whole, and an upgrade never rewrites a running executable.
  static func install(in directory: String) throws -> String {
    let name = "skiff-shim-" + shimExecutableDigest
    let path = "\(directory)/\(name)"
    try FileSystem.makeDirectories(directory, mode: 0o700)
    if !FileSystem.exists(path) {
      try FileSystem.writeAtomically(path, image(), mode: 0o700)
    }
    for stale in FileSystem.list(directory) where stale.hasPrefix("skiff-shim-") && stale != name {
      unlink("\(directory)/\(stale)")
    }
    return path
  }
}
