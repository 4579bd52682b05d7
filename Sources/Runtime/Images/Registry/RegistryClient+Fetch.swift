import AsyncHTTPClient
import Foundation
import NIOCore

extension RegistryClient {
  /// Resolves a tag or digest as containerd does, with a HEAD first: when the registry names a
  /// digest already in the content store, the stored bytes serve and nothing is downloaded (a
  /// HEAD does not count against Docker Hub's pull limit). The registry is always asked, so
  /// `imagePullPolicy: Always` still checks the pod's credentials.
  func resolveManifest(_ reference: String, content: ContentStore) async throws -> (
    bytes: [UInt8], contentType: String?, digest: Digest
  ) {
    let head = try await get("manifests/\(reference)", method: .HEAD, accept: ManifestDocument.accepted)
    await Self.drain(head)
    let announced =
      head.headers.first(name: "Docker-Content-Digest") ?? (reference.hasPrefix("sha256:") ? reference : nil)
    if head.status == .ok, let announced, let digest = try? Digest(parsing: announced),
      reference == announced || !reference.hasPrefix("sha256:"), content.contains(digest)
    {
      return (try content.read(digest), head.headers.first(name: "Content-Type"), digest)
    }
    // Not stored yet, or a registry that answers HEAD badly (some say 404 or 405): GET it,
    // whose error document also says why.
    return try await fetchManifest(reference)
  }

  private func notFound(detail: String) -> RuntimeError {
    RuntimeError(
      .notFound,
      "image \"\(image)\" not found in registry \(endpoint.displayName)\(detail.isEmpty ? "" : " (\(detail))")")
  }

  /// A manifest or index by tag or digest: its bytes, the Content-Type and its digest
  /// (verified against the digest asked for, and the one the registry announced).
  func fetchManifest(_ reference: String, expectedSize: Int64? = nil) async throws -> (
    bytes: [UInt8], contentType: String?, digest: Digest
  ) {
    let response = try await get("manifests/\(reference)", accept: ManifestDocument.accepted)
    guard response.status == .ok else {
      if response.status == .notFound { throw notFound(detail: await Self.errorText(response)) }
      throw await failure(response, what: "the manifest of \(image)")
    }
    let buffer: ByteBuffer
    do {
      buffer = try await response.body.collect(upTo: Self.manifestLimit)
    } catch is NIOTooManyBytesError {
      throw RuntimeError(.invalidImage, "the manifest of \(image) is larger than \(Self.manifestLimit >> 20) MiB")
    } catch {
      throw Self.networkError(error, url: url("manifests/\(reference)"), registry: endpoint.displayName)
    }
    let bytes = Array(buffer.readableBytesView)
    let digest = Digest.of(bytes)
    if reference.hasPrefix("sha256:"), digest.description != reference {
      throw RuntimeError(
        .digestMismatch,
        "registry \(endpoint.displayName) sent a manifest for \(image)@\(reference) whose digest is \(digest)")
    }
    if let expectedSize, Int64(bytes.count) != expectedSize {
      throw RuntimeError(
        .digestMismatch, "manifest \(reference) of \(image) has \(bytes.count) bytes, its index says \(expectedSize)")
    }
    if let announced = response.headers.first(name: "Docker-Content-Digest"), announced.hasPrefix("sha256:"),
      announced != digest.description
    {
      throw RuntimeError(
        .digestMismatch,
        "registry \(endpoint.displayName) announced \(announced) for \(image) but sent content with digest \(digest)")
    }
    return (bytes, response.headers.first(name: "Content-Type"), digest)
  }

  /// Streams a blob into the content store; digest and size are checked before it gets its name.
  /// `progress` gets the bytes received so far, about every MiB, and the total once when stored.
  func fetchBlob(_ descriptor: Descriptor, into content: ContentStore, progress: (Int64) -> Void) async throws {
    let response = try await get("blobs/\(descriptor.digest)")
    guard response.status == .ok else {
      throw await failure(response, what: "blob \(descriptor.digest) of \(image)")
    }
    if let length = response.headers.first(name: "Content-Length").flatMap({ Int64($0) }), length != descriptor.size {
      await Self.drain(response)
      throw RuntimeError(
        .digestMismatch,
        "registry \(endpoint.displayName) sends \(length) bytes for blob \(descriptor.digest) of \(image), "
          + "its manifest says \(descriptor.size)")
    }
    let ingest = try ContentIngest(store: content, expected: descriptor.digest, size: descriptor.size)
    var reported: Int64 = 0
    do {
      for try await chunk in response.body {
        try chunk.withUnsafeReadableBytes { try ingest.write($0) }
        if ingest.written - reported >= 1 << 20 && ingest.written < descriptor.size {
          reported = ingest.written
          progress(reported)
        }
      }
    } catch let error as RuntimeError {
      throw error
    } catch {
      throw Self.networkError(error, url: url("blobs/\(descriptor.digest)"), registry: endpoint.displayName)
    }
    do {
      _ = try ingest.commit()
    } catch let error as RuntimeError where error.code == .digestMismatch {
      throw RuntimeError(
        .digestMismatch, "blob \(descriptor.digest) of \(image) from registry \(endpoint.displayName): \(error.message)"
      )
    }
    progress(ingest.written)
  }
}
