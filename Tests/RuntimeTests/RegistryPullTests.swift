import Foundation
import Glibc
import SkiffTestSupport
import Synchronization
import Testing

@testable import Runtime

/// Pulls from a real docker-registry on loopback, images pushed with skopeo.
@Suite(.enabled(if: RegistryServer.skipReason == nil, "\(RegistryServer.skipReason ?? "")"), .serialized)
struct RegistryPullTests {
  @Test func pullsFromALoopbackRegistryAndRunsAContainer() async throws {
    let registry = try RegistryServer()
    let workspace = try Workspace()
    try registry.push(workspace.archive, as: "test/busybox:1")
    let reference = "\(registry.host)/test/busybox:1"
    let events = Mutex<[PullProgress]>([])
    let record = try await workspace.store.pull(reference) { event in events.withLock { $0.append(event) } }
    #expect(record.name == reference)
    let names = workspace.store.list().map(\.name)
    let digestName = names.first { $0.hasPrefix("\(registry.host)/test/busybox@sha256:") }
    #expect(names.contains(reference) && digestName != nil, "\(names)")
    let resolved = try workspace.store.resolve(digestName ?? "")
    #expect(resolved.record.configDigest == record.configDigest)
    #expect(resolved.runtimeConfig.env?.contains("IMAGE_VAR=from-image") == true)
    #expect(record.chainIDs.allSatisfy(workspace.store.snapshots.contains))
    // skopeo gzipped the layers on push: the pull decompresses and checks each diffID.
    let (_, manifest) = try workspace.store.manifest(for: record.manifestDigest, mediaType: nil)
    #expect(manifest.layers.map(\.mediaType) == [MediaType.ociLayerGzip, MediaType.ociLayerGzip])
    let downloaded = events.withLock { $0.filter { $0.phase == .downloading && $0.completed == $0.total } }
    #expect(Set(downloaded.compactMap(\.digest)).count == 3, "config and two layers: \(downloaded)")
    #expect(events.withLock { $0.last?.phase } == .done)

    // Again: the registry is asked (a HEAD, as containerd resolves), nothing is downloaded, the record stays.
    let before = try registry.requests().count
    let again = Mutex<[PullProgress.Phase]>([])
    let second = try await workspace.store.pull(reference) { event in again.withLock { $0.append(event.phase) } }
    #expect(second.configDigest == record.configDigest && second.manifestDigest == record.manifestDigest)
    #expect(!again.withLock { $0.contains(.downloading) })
    #expect(again.withLock { $0.filter { $0 == .alreadyPresent }.count } == 3)
    #expect(try registry.requests().dropFirst(before) == ["HEAD /v2/test/busybox/manifests/1"])

    guard RuntimeFixture.canRun else { return }
    let runtime = try ContainerRuntime(root: workspace.root, images: workspace.store)
    defer { try? runtime.remove("pulled", force: true) }
    var spec = ContainerSpec(id: "pulled", image: reference)
    spec.command = ["sh", "-c", "cat /opt/upper-only; echo $IMAGE_VAR"]
    try runtime.create(spec)
    try runtime.start("pulled")
    let status = try await runtime.wait("pulled")
    let log = try FileSystem.readString(try runtime.logPath("pulled"))
    #expect(status.exitCode == 0)
    #expect(log.contains(" stdout F upper") && log.contains(" stdout F from-image"), "\(log)")
  }

  @Test func concurrentPullsDownloadEachBlobOnce() async throws {
    let registry = try RegistryServer()
    let workspace = try Workspace()
    try registry.push(workspace.archive, as: "test/busybox:1")
    let reference = "\(registry.host)/test/busybox:1"
    let log = ProgressLog()
    let store = workspace.store
    let records = try await withThrowingTaskGroup(of: ImageRecord.self) { group in
      for _ in 0..<3 {
        group.addTask {
          try await store.pull(reference, progress: log.record)
        }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(Set(records.map(\.manifestDigest)).count == 1 && records.count == 3)
    let downloads = log.all.filter { $0.phase == .downloading && $0.completed == $0.total }.compactMap(\.digest)
    #expect(downloads.count == Set(downloads).count, "a blob was downloaded twice: \(downloads)")
    #expect(Set(downloads).count == 3)
    let leftovers = FileSystem.list("\(store.root)/blobs/sha256").filter { $0.hasPrefix(".ingest") }
    #expect(leftovers.isEmpty)
    #expect(try store.resolve(reference).record.chainIDs.allSatisfy(store.snapshots.contains))
  }

  @Test func pullsTheHostPlatformFromAMultiPlatformIndex() async throws {
    let registry = try RegistryServer()
    let workspace = try Workspace()
    let layout = try MultiPlatformArchive.write(to: workspace.root + "/multi.tar")
    try registry.push(workspace.root + "/multi.tar", as: "test/multi:1", preservingDigests: true)
    let reference = "\(registry.host)/test/multi:1"
    let record = try await workspace.store.pull(reference)
    #expect(record.manifestDigest == layout.hostManifest)
    #expect(workspace.store.list().contains { $0.name == "\(registry.host)/test/multi@\(layout.index)" })
    // The index stays in the content store: garbage collection keeps it with the manifest it led to.
    #expect(workspace.store.content.contains(layout.index))
    workspace.store.prune(keepingSnapshots: [])
    #expect(workspace.store.content.contains(layout.index) && workspace.store.content.contains(layout.hostManifest))

    // By digest, the other platform's manifest: refused with what it is for.
    let other = try Workspace()
    let pinned = "\(registry.host)/test/multi@\(layout.otherManifest)"
    let wrongArch = await #expect(throws: RuntimeError.self) { try await other.store.pull(pinned) }
    #expect(
      wrongArch?.message
        == "no linux/\(Platform.host.architecture) image in \(pinned); it has linux/\(MultiPlatformArchive.otherArch)")

    let riscv = try Workspace(platform: Platform(architecture: "riscv64"))
    let missing = await #expect(throws: RuntimeError.self) { try await riscv.store.pull(reference) }
    #expect(missing?.code == .unsupported)
    let offered = ["linux/\(Platform.host.architecture)", "linux/\(MultiPlatformArchive.otherArch)"]
    #expect(missing?.message == "no linux/riscv64 image in \(reference); it has \(offered.joined(separator: ", "))")
  }

  @Test func basicAuthTriesEachCredentialInOrderThenReportsAccessDenied() async throws {
    let registry = try RegistryServer(auth: .basic(user: "puller", password: "right"))
    let workspace = try Workspace()
    try registry.push(workspace.archive, as: "private/busybox:1", credentials: "puller:right")
    let reference = "\(registry.host)/private/busybox:1"
    let denied = await #expect(throws: RuntimeError.self) { try await workspace.store.pull(reference) }
    #expect(denied?.code == .permissionDenied)
    #expect(
      denied?.message.hasPrefix(
        "pull access denied for \(reference): the repository does not exist or needs credentials (imagePullSecrets)")
        == true, "\(denied?.message ?? "")")
    let wrong = RegistryCredentials(username: "puller", password: "wrong")
    let stillDenied = await #expect(throws: RuntimeError.self) {
      try await workspace.store.pull(reference, credentials: [wrong])
    }
    #expect(stillDenied?.message.contains("tried 1 credential(s) and anonymous access") == true)
    let record = try await workspace.store.pull(
      reference, credentials: [wrong, RegistryCredentials(username: "puller", password: "right")])
    #expect(record.name == reference)

    // A docker config secret for this host answers too.
    let secret = #"{"auths":{"http://\#(registry.host)":{"username":"puller","password":"right"}}}"#
    let config = try DockerConfig(json: Array(secret.utf8))
    let fresh = try Workspace()
    let credentials = config.credentials(for: try ImageReference(parsing: reference))
    #expect(try await fresh.store.pull(reference, credentials: credentials).name == reference)
  }

  @Test(.enabled(if: TokenServer.skipReason == nil, "\(TokenServer.skipReason ?? "")"))
  func bearerTokenFlowGivesAnonymousAndAuthenticatedAccess() async throws {
    let tokens = try TokenServer(users: ["alice": "wonderland"], refreshTokens: ["alice-refresh": "alice"])
    let registry = try RegistryServer(auth: .token(tokens))
    let workspace = try Workspace()
    try registry.push(workspace.archive, as: "public/busybox:1", credentials: "alice:wonderland")
    try registry.push(workspace.archive, as: "private/busybox:1", credentials: "alice:wonderland")
    let pushes = try tokens.requests().count

    // Public: an anonymous token, as for Docker Hub's library images.
    let publicRecord = try await workspace.store.pull("\(registry.host)/public/busybox:1")
    #expect(publicRecord.name == "\(registry.host)/public/busybox:1")
    #expect(try tokens.requests().dropFirst(pushes) == ["anonymous"], "one token serves the whole pull")

    // Private: a rejected credential, then the right one; anonymous is not needed.
    let before = try tokens.requests().count
    let alice = RegistryCredentials(username: "alice", password: "wonderland")
    let mallory = RegistryCredentials(username: "mallory", password: "x")
    let privateReference = "\(registry.host)/private/busybox:1"
    let record = try await workspace.store.pull(privateReference, credentials: [mallory, alice])
    #expect(record.name == privateReference)
    #expect(try tokens.requests().dropFirst(before) == ["rejected:mallory", "alice"])

    // An identity token (OAuth2 refresh token) is exchanged by POST; a bad one is skipped.
    let exchanges = try tokens.requests().count
    let fresh = try Workspace()
    let viaRefresh = try await fresh.store.pull(
      privateReference,
      credentials: [RegistryCredentials(identityToken: "stale"), RegistryCredentials(identityToken: "alice-refresh")])
    #expect(viaRefresh.name == privateReference)
    #expect(try tokens.requests().dropFirst(exchanges) == ["rejected-refresh", "refresh:alice"])

    // Private without credentials: the anonymous token lacks the scope.
    let denied = await #expect(throws: RuntimeError.self) { try await workspace.store.pull(privateReference) }
    #expect(denied?.code == .permissionDenied)
  }

  @Test func mirrorsAreTriedFirstAndTheRegistryHasTheLastWord() async throws {
    let mirror = try RegistryServer()
    let workspace = try Workspace()
    try mirror.push(workspace.archive, as: "test/busybox:1")
    try mirror.push(workspace.archive, as: "library/busybox:mirrored")
    let upstream = "127.0.0.1:\(try SkiffServerProcess.freePort())"  // nothing listens there
    workspace.store.registryConfiguration = RegistryConfiguration(mirrors: [
      upstream: ["http://\(mirror.host)"], "docker.io": ["http://\(mirror.host)"],
    ])
    let record = try await workspace.store.pull("\(upstream)/test/busybox:1")
    #expect(record.name == "\(upstream)/test/busybox:1")
    // Docker Hub names through a mirror: library/ is added as for the hub itself.
    let hub = try await workspace.store.pull("busybox:mirrored")
    #expect(hub.name == "docker.io/library/busybox:mirrored")
    #expect(try mirror.requests().contains("HEAD /v2/library/busybox/manifests/mirrored"))
    // Not on the mirror: the registry itself is asked, and its answer is the error.
    let missing = await #expect(throws: RuntimeError.self) {
      try await workspace.store.pull("\(upstream)/test/other:1")
    }
    #expect(missing?.message.hasPrefix("cannot reach registry \(upstream)") == true, "\(missing?.message ?? "")")
  }

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: SkiffServerProcess.binary), "needs the skiff binary"))
  func ctrImagesPullWithCredentials() throws {
    let registry = try RegistryServer(auth: .basic(user: "puller", password: "right"))
    let workspace = try Workspace()
    try registry.push(workspace.archive, as: "private/busybox:1", credentials: "puller:right")
    let reference = "\(registry.host)/private/busybox:1"
    func ctr(_ arguments: [String]) throws -> (Int32, String) {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: SkiffServerProcess.binary)
      process.arguments =
        ["ctr", "images", "pull", "--data-dir", workspace.root, "--registry-config", "\(workspace.root)/none.yaml"]
        + arguments
      let output = Pipe()
      process.standardOutput = output
      process.standardError = output
      try process.run()
      let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      return (process.terminationStatus, text)
    }
    let (deniedStatus, denied) = try ctr([reference])
    #expect(deniedStatus == 1)
    #expect(denied.contains("skiff ctr: pull access denied for \(reference)"), "\(denied)")
    let (status, output) = try ctr(["--creds", "puller:right", reference])
    #expect(status == 0, "\(output)")
    #expect(output.contains("pulled \(reference)"), "\(output)")
    let stored = try ImageStore(root: workspace.root + "/agent/images").list().map(\.name)
    #expect(stored.contains(reference))
  }

  @Test func notFoundUnreachableAndCorruptBlobsAreActionable() async throws {
    let registry = try RegistryServer()
    let workspace = try Workspace()
    try registry.push(workspace.archive, as: "test/busybox:1", preservingDigests: true)
    let missingTag = "\(registry.host)/test/busybox:nope"
    let notFound = await #expect(throws: RuntimeError.self) { try await workspace.store.pull(missingTag) }
    #expect(notFound?.code == .notFound)
    #expect(notFound?.message.hasPrefix("image \"\(missingTag)\" not found in registry \(registry.host)") == true)
    let missingRepository = "\(registry.host)/test/nothing:1"
    let noRepository = await #expect(throws: RuntimeError.self) { try await workspace.store.pull(missingRepository) }
    #expect(noRepository?.message.hasPrefix("image \"\(missingRepository)\" not found in registry") == true)

    let closedPort = try SkiffServerProcess.freePort()
    let unreachable = await #expect(throws: RuntimeError.self) {
      try await workspace.store.pull("127.0.0.1:\(closedPort)/test/busybox:1")
    }
    #expect(unreachable?.code == .registry)
    #expect(
      unreachable?.message.hasPrefix("cannot reach registry 127.0.0.1:\(closedPort)") == true,
      "\(unreachable?.message ?? "")")

    // The registry serves a layer whose bytes were changed on its disk: the pull refuses it.
    let manifest = try workspace.store.importArchive(workspace.archive)[0]
    let (_, imported) = try workspace.store.manifest(for: manifest.manifestDigest, mediaType: nil)
    let layer = imported.layers[1]
    var bytes = try FileSystem.read(registry.blobPath(layer.digest))
    bytes[bytes.count / 2] ^= 0xff
    try FileSystem.writeAtomically(registry.blobPath(layer.digest), bytes)
    let clean = try Workspace()
    let corrupt = await #expect(throws: RuntimeError.self) {
      try await clean.store.pull("\(registry.host)/test/busybox:1")
    }
    #expect(corrupt?.code == .digestMismatch)
    #expect(corrupt?.message.contains("blob \(layer.digest)") == true, "\(corrupt?.message ?? "")")
    #expect(!clean.store.content.contains(layer.digest))
  }
}

/// A temporary image store, and a busybox OCI archive to push.
final class Workspace {
  let root: String
  let archive: String
  let store: ImageStore

  init(platform: Platform = .host) throws {
    root = try TestImage.temporaryDirectory("pull")
    archive = root + "/busybox.tar"
    try TestImage.writeOCIArchive(to: archive)
    store = try ImageStore(root: root + "/images", platform: platform)
  }

  deinit { try? FileSystem.removeTree(root) }
}

/// Progress events collected from concurrent pulls.
final class ProgressLog: Sendable {
  let events = Mutex<[PullProgress]>([])

  func record(_ event: PullProgress) { events.withLock { $0.append(event) } }

  var all: [PullProgress] { events.withLock { $0 } }
}
