import Foundation
import Glibc

extension ContainerRuntime {
  struct Prepared {
    var record: ContainerRecord
    var initSpec: InitSpec
  }

  static let defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

  /// Resolves everything about a new container and creates its directories and cgroup.
  func prepare(_ spec: ContainerSpec, directory: String) throws -> Prepared {
    let image = try images.resolve(spec.image)
    let imageConfig = image.runtimeConfig
    let snapshots = images.snapshots
    for chainID in image.record.chainIDs where !snapshots.contains(chainID) {
      throw RuntimeError(
        .notFound, "snapshot \(chainID.short) of image \(image.record.name) is missing: import the image again")
    }
    // Users and groups by name come from the image's files, read from the topmost layer that has them.
    let resolver = UserResolver(
      passwd: imageFile("etc/passwd", chain: image.record.chainIDs),
      group: imageFile("etc/group", chain: image.record.chainIDs))
    let userText = spec.user?.user ?? imageConfig.user ?? ""
    let user = try resolver.resolve(
      userText, group: spec.user?.group, supplemental: spec.user?.supplementalGroups ?? [])
    var env = CommandResolver.mergeEnv(image: imageConfig.env ?? [], container: spec.env)
    if !env.contains(where: { $0.hasPrefix("PATH=") }) { env.insert(Self.defaultPath, at: 0) }
    if let hostname = spec.hostname, !env.contains(where: { $0.hasPrefix("HOSTNAME=") }) {
      env.append("HOSTNAME=\(hostname)")
    }
    if !env.contains(where: { $0.hasPrefix("HOME=") }) { env.append("HOME=\(user.home ?? "/")") }
    if spec.tty && !env.contains(where: { $0.hasPrefix("TERM=") }) { env.append("TERM=xterm") }
    let arguments = CommandResolver.resolve(command: spec.command, args: spec.args, image: imageConfig, env: env)
    guard !arguments.isEmpty else {
      throw RuntimeError(
        .invalidArgument, "no command for container \"\(spec.id)\": image \(image.record.name) has no ENTRYPOINT or CMD"
      )
    }
    var workingDir = spec.workingDir ?? imageConfig.workingDir ?? "/"
    if workingDir.isEmpty { workingDir = "/" }
    guard workingDir.hasPrefix("/") else {
      throw RuntimeError(.invalidArgument, "working directory \"\(workingDir)\" must be an absolute path")
    }
    let security = spec.security
    let capabilities = try Capabilities.effectiveSet(
      add: security.capabilitiesAdd, drop: security.capabilitiesDrop, privileged: security.privileged)
    let seccomp = try seccompProgram(security.privileged ? .unconfined : security.seccomp, capabilities: capabilities)
    for name in ["rootfs", "upper", "work"] { try FileSystem.makeDirectories("\(directory)/\(name)", mode: 0o755) }
    guard mkfifo("\(directory)/start", 0o600) == 0 else {
      throw RuntimeError.io("cannot create the start FIFO", errno: errno)
    }
    if let seccomp { try FileSystem.writeAtomically("\(directory)/seccomp.bpf", seccomp, mode: 0o600) }
    let namespaces = try self.namespaces(for: spec)
    try cgroups.create(spec.cgroupName, resources: spec.resources, allowAllDevices: security.privileged)
    let logPath = spec.logPath ?? "\(directory)/container.log"
    if let parent = logPath.range(of: "/", options: .backwards).map({ String(logPath[..<$0.lowerBound]) }),
      !parent.isEmpty
    {
      try FileSystem.makeDirectories(parent)
    }
    let initSpec = InitSpec(
      bundle: directory, rootfs: "\(directory)/rootfs", snapshotsDirectory: snapshots.directory,
      lowerDirectories: image.record.chainIDs.reversed().map { snapshots.relativePath($0) },
      upper: "\(directory)/upper", work: "\(directory)/work", startFIFO: "\(directory)/start", logPath: logPath,
      logMaxSize: spec.logMaxSize, logMaxFiles: spec.logMaxFiles,
      hostname: namespaces.uts == "new" ? (spec.hostname ?? String(spec.id.prefix(12))) : nil, namespaces: namespaces,
      cgroupProcs: cgroups.procsFiles(spec.cgroupName), arguments: arguments, environment: env, workingDir: workingDir,
      uid: user.uid, gid: user.gid, groups: user.groups, capabilities: capabilities,
      noNewPrivileges: security.noNewPrivileges, seccomp: seccomp, readOnlyRootfs: security.readOnlyRootFilesystem,
      privileged: security.privileged, mounts: spec.mounts,
      maskedPaths: security.maskedPaths ?? (security.privileged ? [] : InitSpec.defaultMaskedPaths),
      readOnlyPaths: security.readOnlyPaths ?? (security.privileged ? [] : InitSpec.defaultReadOnlyPaths),
      rlimits: spec.rlimits, oomScoreAdj: spec.oomScoreAdj, tty: spec.tty, stdin: spec.stdin, foreground: false)
    let record = ContainerRecord(
      spec: spec, imageName: image.record.name, imageID: image.record.configDigest, createdAt: Date(),
      logPath: logPath, cgroupName: spec.cgroupName, uid: user.uid, gid: user.gid, groups: user.groups, env: env,
      workingDir: workingDir, capabilities: capabilities, seccomp: seccomp != nil,
      stopSignal: imageConfig.stopSignal)
    return Prepared(record: record, initSpec: initSpec)
  }

  /// The topmost regular file at `path` in a snapshot chain (nil if absent or whited out).
  func imageFile(_ path: String, chain: [Digest]) -> String? {
    for chainID in chain.reversed() {
      let candidate = images.snapshots.path(chainID) + "/" + path
      var info = stat()
      guard lstat(candidate, &info) == 0 else { continue }
      if (info.st_mode & S_IFMT) == S_IFCHR { return nil }  // removed by a whiteout
      guard (info.st_mode & S_IFMT) == S_IFREG, info.st_size < 4 << 20 else { return nil }
      return try? FileSystem.readString(candidate)
    }
    return nil
  }

  func namespaces(for spec: ContainerSpec) throws -> InitSpec.Namespaces {
    var namespaces = InitSpec.Namespaces()
    if cgroups.version == .v2 { namespaces.cgroup = "new" }
    guard let sandboxID = spec.sandboxID else {
      if spec.network == .host { namespaces.net = "host" }
      return namespaces
    }
    let sandbox = try loadSandbox(sandboxID)
    guard sandbox.isAlive else {
      throw RuntimeError(.failedPrecondition, "pod sandbox \"\(sandboxID)\" is not running")
    }
    let base = "/proc/\(sandbox.pid)/ns"
    namespaces.net = sandbox.options.hostNetwork ? "host" : "\(base)/net"
    namespaces.ipc = "\(base)/ipc"
    namespaces.uts = "\(base)/uts"
    if sandbox.options.sharePID { namespaces.pid = "\(base)/pid" }
    return namespaces
  }
}
