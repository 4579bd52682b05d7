import Foundation
import Glibc
import KubeAPI
import KubeClient
import Logging
import Synchronization

/// Prepares a pod's volumes on the host under `<pods>/<uid>/volumes/<name>` and keeps the
/// API-backed ones (configMap, secret, projected, downwardAPI) current, so containers see
/// updates in place. Secrets and tokens live on tmpfs and never touch the disk.
final class PodVolumes: Sendable {
  let client: KubeClient
  let podsDirectory: String
  let logger: Logger
  /// Projected service-account tokens: when each must be refreshed.
  private let tokenRefresh = Mutex<[String: Date]>([:])

  init(client: KubeClient, podsDirectory: String, logger: Logger) {
    self.client = client
    self.podsDirectory = podsDirectory
    self.logger = logger
  }

  func podDirectory(_ uid: String) -> String { "\(podsDirectory)/\(uid)" }

  /// Sets up (or refreshes) every volume; answers volume name → host path to bind.
  func setUp(_ pod: JSONValue) async throws -> [String: String] {
    let uid = pod.metadata.uid ?? ""
    let fsGroup = pod["spec"]?["securityContext"]?["fsGroup"]?.intValue.map(UInt32.init)
    var paths: [String: String] = [:]
    for volume in pod["spec"]?["volumes"]?.arrayValue ?? [] {
      guard let name = volume["name"]?.stringValue else { continue }
      let directory = "\(podDirectory(uid))/volumes/\(name)"
      do {
        paths[name] = try await setUp(volume, at: directory, pod: pod, fsGroup: fsGroup)
      } catch let error as KubeletError {
        throw KubeletError(error.code, "MountVolume.SetUp failed for volume \"\(name)\": \(error.message)")
      }
    }
    return paths
  }

  private func setUp(_ volume: JSONValue, at directory: String, pod: JSONValue, fsGroup: UInt32?) async throws -> String
  {
    let namespace = pod.metadata.namespace ?? "default"
    if let emptyDir = volume["emptyDir"] {
      if !FileManager.default.fileExists(atPath: directory) {
        try makeDirectory(directory)
        if emptyDir["medium"]?.stringValue == "Memory" {
          let size = emptyDir["sizeLimit"]?.stringValue.flatMap { try? Quantity(parsing: $0) }?.value
          try mountTmpfs(directory, size: size)
        }
        chmod(directory, 0o777)
        if let fsGroup {
          chown(directory, UInt32.max, fsGroup)
          chmod(directory, 0o2777)
        }
      }
      return directory
    }
    if let hostPath = volume["hostPath"] {
      return try Self.checkHostPath(hostPath["path"]?.stringValue ?? "", type: hostPath["type"]?.stringValue ?? "")
    }
    if let claim = volume["persistentVolumeClaim"] {
      return try await persistentVolumePath(claim["claimName"]?.stringValue ?? "", namespace: namespace)
    }
    var files: [AtomicDirectory.File]
    var sensitive = false
    if let source = volume["configMap"] {
      files = try await configMapFiles(source, namespace: namespace, defaultMode: source["defaultMode"]) ?? []
    } else if let source = volume["secret"] {
      sensitive = true
      let object = try await optionalObject(
        .secrets, namespace: namespace, name: source["secretName"]?.stringValue ?? "",
        optional: source["optional"]?.boolValue ?? false)
      files = try Self.keyFiles(
        object.map { Self.secretData($0) } ?? [:], items: source["items"], defaultMode: source["defaultMode"],
        optional: source["optional"]?.boolValue ?? false, what: "secret")
    } else if let source = volume["downwardAPI"] {
      files = try Self.downwardFiles(source["items"]?.arrayValue ?? [], pod: pod, defaultMode: source["defaultMode"])
    } else if let source = volume["projected"] {
      sensitive = true
      files = try await projectedFiles(source, pod: pod, directory: directory)
    } else {
      throw KubeletError(
        .invalidArgument,
        "volume type is not supported by skiff: \(volume.objectValue?.keys.sorted().filter { $0 != "name" } ?? [])")
    }
    if !FileManager.default.fileExists(atPath: directory) {
      try makeDirectory(directory)
      if sensitive { try mountTmpfs(directory, size: nil) }
    }
    try AtomicDirectory.write(files, to: directory, group: fsGroup)
    return directory
  }

  /// Unmounts and removes everything a pod had on the host.
  func tearDown(uid: String) {
    let volumes = "\(podDirectory(uid))/volumes"
    for name in (try? FileManager.default.contentsOfDirectory(atPath: volumes)) ?? [] {
      while umount2("\(volumes)/\(name)", Int32(MNT_DETACH)) == 0 {}
    }
    tokenRefresh.withLock { refresh in refresh = refresh.filter { !$0.key.hasPrefix(uid + "/") } }
    try? FileManager.default.removeItem(atPath: podDirectory(uid))
  }

  // MARK: - Sources

  private func optionalObject(_ type: ResourceType, namespace: String, name: String, optional: Bool) async throws
    -> JSONValue?
  {
    do {
      return try await client.get(type, namespace: namespace, name: name)
    } catch  where error.isNotFound {
      if optional { return nil }
      throw KubeletError(.notFound, "\(type.kind.lowercased()) \"\(name)\" not found")
    }
  }

  private func configMapFiles(_ source: JSONValue, namespace: String, defaultMode: JSONValue?) async throws
    -> [AtomicDirectory.File]?
  {
    let optional = source["optional"]?.boolValue ?? false
    let object = try await optionalObject(
      .configMaps, namespace: namespace, name: source["name"]?.stringValue ?? "", optional: optional)
    return try Self.keyFiles(
      object.map { Self.configMapData($0) } ?? [:], items: source["items"], defaultMode: defaultMode,
      optional: optional, what: "configmap")
  }

  static func configMapData(_ object: JSONValue) -> [String: [UInt8]] {
    var data: [String: [UInt8]] = [:]
    for (key, value) in object["data"]?.objectValue ?? [:] { data[key] = Array((value.stringValue ?? "").utf8) }
    for (key, value) in object["binaryData"]?.objectValue ?? [:] {
      data[key] = Data(base64Encoded: value.stringValue ?? "").map(Array.init) ?? []
    }
    return data
  }

  static func secretData(_ object: JSONValue) -> [String: [UInt8]] {
    var data: [String: [UInt8]] = [:]
    for (key, value) in object["data"]?.objectValue ?? [:] {
      data[key] = Data(base64Encoded: value.stringValue ?? "").map(Array.init) ?? []
    }
    for (key, value) in object["stringData"]?.objectValue ?? [:] { data[key] = Array((value.stringValue ?? "").utf8) }
    return data
  }

  /// Keys (or the listed items) as files with their modes.
  static func keyFiles(
    _ data: [String: [UInt8]], items: JSONValue?, defaultMode: JSONValue?, optional: Bool, what: String
  ) throws -> [AtomicDirectory.File] {
    let mode = UInt32(defaultMode?.intValue ?? 0o644)
    guard let items = items?.arrayValue, !items.isEmpty else {
      return data.keys.sorted().map { AtomicDirectory.File(path: $0, bytes: data[$0]!, mode: mode) }
    }
    return try items.compactMap { item in
      let key = item["key"]?.stringValue ?? ""
      guard let bytes = data[key] else {
        if optional { return nil }
        throw KubeletError(.notFound, "\(what) key \"\(key)\" does not exist")
      }
      let path = item["path"]?.stringValue ?? key
      return AtomicDirectory.File(path: path, bytes: bytes, mode: UInt32(item["mode"]?.intValue ?? Int64(mode)))
    }
  }

  static func downwardFiles(_ items: [JSONValue], pod: JSONValue, defaultMode: JSONValue?) throws -> [AtomicDirectory
    .File]
  {
    let mode = UInt32(defaultMode?.intValue ?? 0o644)
    return try items.map { item in
      let value: String
      if let field = item["fieldRef"]?["fieldPath"]?.stringValue {
        value = try PodEnvironment.fieldValue(field, pod: pod, forFile: true)
      } else if let resource = item["resourceFieldRef"] {
        value = try PodEnvironment.resourceValue(resource, pod: pod, container: nil)
      } else {
        throw KubeletError(.invalidArgument, "downwardAPI item \"\(item["path"]?.stringValue ?? "")\" has no source")
      }
      return AtomicDirectory.File(
        path: item["path"]?.stringValue ?? "", bytes: Array(value.utf8),
        mode: UInt32(item["mode"]?.intValue ?? Int64(mode)))
    }
  }

  private func projectedFiles(_ source: JSONValue, pod: JSONValue, directory: String) async throws -> [AtomicDirectory
    .File]
  {
    let namespace = pod.metadata.namespace ?? "default"
    let defaultMode = source["defaultMode"]
    var files: [AtomicDirectory.File] = []
    for projection in source["sources"]?.arrayValue ?? [] {
      if let configMap = projection["configMap"] {
        files += try await configMapFiles(configMap, namespace: namespace, defaultMode: defaultMode) ?? []
      } else if let secret = projection["secret"] {
        let optional = secret["optional"]?.boolValue ?? false
        let object = try await optionalObject(
          .secrets, namespace: namespace, name: secret["name"]?.stringValue ?? "", optional: optional)
        files += try Self.keyFiles(
          object.map { Self.secretData($0) } ?? [:], items: secret["items"], defaultMode: defaultMode,
          optional: optional,
          what: "secret")
      } else if let downward = projection["downwardAPI"] {
        files += try Self.downwardFiles(downward["items"]?.arrayValue ?? [], pod: pod, defaultMode: defaultMode)
      } else if let token = projection["serviceAccountToken"] {
        files.append(try await tokenFile(token, pod: pod, directory: directory, defaultMode: defaultMode))
      }
    }
    return files
  }

  /// A bound service-account token, refreshed at 80 % of its lifetime (or after 24 h) as upstream's kubelet does.
  private func tokenFile(_ token: JSONValue, pod: JSONValue, directory: String, defaultMode: JSONValue?) async throws
    -> AtomicDirectory.File
  {
    let path = token["path"]?.stringValue ?? "token"
    let key = "\(pod.metadata.uid ?? "")/\(directory)/\(path)"
    let mode = UInt32(defaultMode?.intValue ?? 0o644)
    let existing = "\(directory)/..data/\(path)"
    if let due = tokenRefresh.withLock({ $0[key] }), due > Date(),
      let bytes = FileManager.default.contents(atPath: existing)
    {
      return AtomicDirectory.File(path: path, bytes: Array(bytes), mode: mode)
    }
    let expiration = max(600, token["expirationSeconds"]?.intValue ?? 3607)
    var spec: [String: JSONValue] = [
      "expirationSeconds": .int(expiration),
      "boundObjectRef": [
        "kind": "Pod", "apiVersion": "v1", "name": .string(pod.metadata.name ?? ""),
        "uid": .string(pod.metadata.uid ?? ""),
      ],
    ]
    if let audience = token["audience"]?.stringValue, !audience.isEmpty { spec["audiences"] = [.string(audience)] }
    let account = pod["spec"]?["serviceAccountName"]?.stringValue ?? "default"
    let response = try await client.create(
      .serviceAccounts, namespace: pod.metadata.namespace, name: account, subresource: "token",
      ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": .object(spec)])
    guard let value = response["status"]?["token"]?.stringValue else {
      throw KubeletError(.failedPrecondition, "the token request for service account \"\(account)\" returned no token")
    }
    let lifetime = min(Double(expiration) * 0.8, 86400)
    tokenRefresh.withLock { $0[key] = Date().addingTimeInterval(lifetime) }
    return AtomicDirectory.File(path: path, bytes: Array(value.utf8), mode: mode)
  }

  private func persistentVolumePath(_ claimName: String, namespace: String) async throws -> String {
    let claim = try await client.get(.persistentVolumeClaims, namespace: namespace, name: claimName)
    guard claim["status"]?["phase"]?.stringValue == "Bound", let volumeName = claim["spec"]?["volumeName"]?.stringValue
    else {
      throw KubeletError(.failedPrecondition, "persistentvolumeclaim \"\(claimName)\" is not bound yet")
    }
    let volume = try await client.get(.persistentVolumes, name: volumeName)
    guard let path = volume["spec"]?["hostPath"]?["path"]?.stringValue ?? volume["spec"]?["local"]?["path"]?.stringValue
    else {
      throw KubeletError(
        .invalidArgument, "persistentvolume \"\(volumeName)\" is neither hostPath nor local: skiff cannot mount it")
    }
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  // MARK: - Host helpers

  static func checkHostPath(_ path: String, type: String) throws -> String {
    var info = stat()
    let exists = stat(path, &info) == 0
    let kind = info.st_mode & S_IFMT
    func fail(_ what: String) -> KubeletError {
      KubeletError(.failedPrecondition, "hostPath type check failed: \(path) is not \(what)")
    }
    switch type {
    case "DirectoryOrCreate":
      if !exists {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
      } else if kind != S_IFDIR {
        throw fail("a directory")
      }
    case "Directory": if !exists || kind != S_IFDIR { throw fail("a directory") }
    case "FileOrCreate":
      if !exists {
        try FileManager.default.createDirectory(
          atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw fail("a file") }
      } else if kind != S_IFREG {
        throw fail("a file")
      }
    case "File": if !exists || kind != S_IFREG { throw fail("a file") }
    case "Socket": if !exists || kind != S_IFSOCK { throw fail("a socket") }
    case "CharDevice": if !exists || kind != S_IFCHR { throw fail("a character device") }
    case "BlockDevice": if !exists || kind != S_IFBLK { throw fail("a block device") }
    default: break
    }
    return path
  }

  private func makeDirectory(_ path: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  private func mountTmpfs(_ path: String, size: Int64?) throws {
    var options = "mode=0755"
    if let size, size > 0 { options += ",size=\(size)" }
    guard mount("tmpfs", path, "tmpfs", UInt(MS_NOSUID | MS_NODEV), options) == 0 else {
      throw KubeletError(.io, "cannot mount tmpfs on \(path): \(String(cString: strerror(errno)))")
    }
  }
}
