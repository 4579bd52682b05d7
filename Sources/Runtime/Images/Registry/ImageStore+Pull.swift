import Foundation
import Logging
import SkiffCore

/// How a pull is going, for a progress display or a log line.
public struct PullProgress: Sendable, Equatable {
  public enum Phase: Sendable, Equatable {
    /// The manifest for this platform is known; `total` is the size of config and layers.
    case resolved
    /// `completed` of `total` bytes of the blob `digest` are stored.
    case downloading
    /// The blob `digest` was already in the content store.
    case alreadyPresent
    /// The layer `digest` is being unpacked into its snapshot.
    case unpacking
    case done
  }

  public var phase: Phase
  public var digest: Digest?
  public var completed: Int64
  public var total: Int64
}

extension ImageStore {
  /// Mirrors, insecure registries, TLS and per-registry credentials (`/etc/skiff/registries.yaml`).
  public var registryConfiguration: RegistryConfiguration {
    get { pulls.configuration }
    set { pulls.configuration = newValue }
  }

  /// Pulls an image from its registry (or its mirrors) as containerd's CRI does: resolves the
  /// tag, picks this platform's manifest from an index, downloads the config and missing layers
  /// (up to three at a time, each verified while it streams to disk and unpacked into its
  /// snapshot as soon as it is stored) and records the image under its name and its digest
  /// reference (`registry/repo@sha256:…`).
  /// `credentials` are tried in order (a pod's imagePullSecrets), then anonymous access.
  @discardableResult
  public func pull(
    _ reference: String, credentials: [RegistryCredentials] = [],
    progress: (@Sendable (PullProgress) -> Void)? = nil
  ) async throws -> ImageRecord {
    let parsed = try ImageReference(parsing: reference)
    let configuration = pulls.configuration
    let endpoints = try configuration.endpoints(for: parsed.registry)
    for (index, endpoint) in endpoints.enumerated() {
      let client = RegistryClient(
        endpoint: endpoint, repository: parsed.repository, image: parsed.description, credentials: credentials,
        proxy: configuration.proxy)
      do {
        return try await pull(parsed, from: client, progress: progress ?? { _ in })
      } catch let error as RuntimeError where index < endpoints.count - 1 && Self.triesNextEndpoint(error) {
        // A mirror that fails is skipped; the registry itself has the last word.
        logger.warning(
          "mirror failed, trying the next endpoint",
          metadata: ["image": "\(parsed)", "mirror": "\(endpoint.baseURL)", "error": "\(error.message)"])
      }
    }
    throw RuntimeError(.internalError, "no endpoint to pull \(parsed) from")  // unreachable: the last one throws
  }

  static func triesNextEndpoint(_ error: RuntimeError) -> Bool {
    [.notFound, .permissionDenied, .registry, .digestMismatch].contains(error.code)
  }

  private func pull(
    _ reference: ImageReference, from client: RegistryClient, progress: @escaping @Sendable (PullProgress) -> Void
  ) async throws -> ImageRecord {
    let image = reference.description
    let top = try await client.resolveManifest(reference.manifestReference, content: content)
    var pinned = [top.digest]
    pulls.pin(pinned)
    defer { pulls.unpin(pinned) }
    try content.put(top.bytes, expected: top.digest)
    var (manifestDigest, document) = (
      top.digest, try ManifestDocument(bytes: top.bytes, contentType: top.contentType, image: image)
    )
    for _ in 0..<2 {
      guard case .index(let index) = document else { break }
      guard let chosen = platform.select(from: index.manifests) else {
        throw platform.noMatch(in: index.manifests, image: image)
      }
      pulls.pin([chosen.digest])
      pinned.append(chosen.digest)
      // Stored already (verified when written) or fetched by digest, which verifies it.
      let fetched =
        content.contains(chosen.digest)
        ? (bytes: try content.read(chosen.digest), contentType: chosen.mediaType, digest: chosen.digest)
        : try await client.fetchManifest(chosen.digest.description, expectedSize: chosen.size)
      try content.put(fetched.bytes, expected: fetched.digest)
      manifestDigest = fetched.digest
      document = try ManifestDocument(bytes: fetched.bytes, contentType: fetched.contentType, image: image)
    }
    guard case .manifest(let manifest) = document else {
      throw RuntimeError(.unsupported, "image \"\(image)\" nests indexes more than two deep")
    }
    try manifest.checkRunnable(image: image)
    let blobs = [manifest.config] + manifest.layers
    pulls.pin(blobs.map(\.digest))
    pinned += blobs.map(\.digest)
    progress(
      PullProgress(phase: .resolved, digest: manifestDigest, completed: 0, total: blobs.reduce(0) { $0 + $1.size }))

    // The config first: it says whether the image is for this platform before layers are fetched.
    try await fetch([manifest.config], from: client, progress: progress)
    let config = try JSONDecoder().decode(ImageConfig.self, from: Data(try content.read(manifest.config.digest)))
    if let os = config.os, let architecture = config.architecture,
      !platform.accepts(Platform(architecture: architecture, os: os))
    {
      throw RuntimeError(
        .unsupported, "no \(platform.os)/\(platform.architecture) image in \(image); it has \(os)/\(architecture)")
    }
    let diffIDs = config.rootfs.diffIDs
    guard diffIDs.count == manifest.layers.count else {
      throw RuntimeError(
        .invalidImage, "image \"\(image)\" has \(manifest.layers.count) layers but its config lists \(diffIDs.count)")
    }
    let chainIDs = SnapshotStore.chainIDs(diffIDs)
    pulls.pin(chainIDs)
    pinned += chainIDs
    // Each layer is unpacked as soon as it is stored, while the others still download.
    let snapshots = snapshots
    let (content, logger, pulls) = (content, logger, pulls)
    try await fetch(manifest.layers, from: client, progress: progress) { blob in
      for index in manifest.layers.indices where manifest.layers[index].digest == blob.digest {
        let (chainID, diffID) = (chainIDs[index], diffIDs[index])
        guard !snapshots.contains(chainID) else { continue }
        progress(PullProgress(phase: .unpacking, digest: blob.digest, completed: 0, total: blob.size))
        try await pulls.once("unpack:\(chainID)") {
          try await Blocking.run {
            try snapshots.unpack(blob, chainID: chainID, diffID: diffID, content: content, logger: logger)
          }
        }
      }
    }
    var names = [image]
    if reference.digest == nil || reference.tag != nil {
      names.append("\(reference.registry)/\(reference.repository)@\(top.digest)")
    }
    var record = try await Blocking.run { [self, manifestDigest, names] in
      try commit(manifestDigest: manifestDigest, manifest: manifest, names: names)
    }
    record.name = image
    progress(PullProgress(phase: .done, digest: manifestDigest, completed: record.size, total: record.size))
    logger.info(
      "pulled image", metadata: ["image": "\(image)", "digest": "\(top.digest)", "from": "\(client.baseURL)"])
    return record
  }

  /// Downloads the blobs not yet stored, three at a time, then runs `stored` for each blob; a
  /// blob another pull is already fetching is waited for instead of fetched twice.
  private func fetch(
    _ descriptors: [Descriptor], from client: RegistryClient, progress: @escaping @Sendable (PullProgress) -> Void,
    stored: @escaping @Sendable (Descriptor) async throws -> Void = { _ in }
  ) async throws {
    let (store, pulls) = (content, pulls)
    var seen = Set<Digest>()
    let unique = descriptors.filter { seen.insert($0.digest).inserted }
    try await withThrowingTaskGroup(of: Void.self) { group in
      var queue = unique.makeIterator()
      func start(_ descriptor: Descriptor) {
        group.addTask {
          if store.contains(descriptor.digest) {
            progress(
              PullProgress(
                phase: .alreadyPresent, digest: descriptor.digest, completed: descriptor.size, total: descriptor.size))
          } else {
            try await pulls.once("blob:\(descriptor.digest)") {
              guard !store.contains(descriptor.digest) else { return }
              try await Self.retrying {
                try await client.fetchBlob(descriptor, into: store) { done in
                  progress(
                    PullProgress(
                      phase: .downloading, digest: descriptor.digest, completed: done, total: descriptor.size))
                }
              }
            }
          }
          try await stored(descriptor)
        }
      }
      for _ in 0..<3 { if let next = queue.next() { start(next) } }
      while try await group.next() != nil {
        if let next = queue.next() { start(next) }
      }
    }
  }

  /// Network failures get two more tries, a second and then two apart; other errors are final.
  static func retrying(_ body: () async throws -> Void) async throws {
    var attempt = 0
    while true {
      do {
        return try await body()
      } catch let error as RuntimeError where error.code == .registry && attempt < 2 {
        attempt += 1
        try await Task.sleep(for: .seconds(attempt))
      }
    }
  }
}
