extension RevisionLog {
  /// Revisions removed per write batch, so compaction never holds the writer for long.
  static let sweepWindow: Int64 = 256

  /// Compacts to `retainedRevisions` below the newest on a timer, and removes compacted rows
  /// whenever the compact revision moves.
  func compactContinuously() async {
    while await signals.compact.wait(timeout: options.compactInterval) {
      do {
        let target = currentRevision - options.retainedRevisions
        if target > compactRevision {
          do { try await compact(target) } catch StoreError.compacted { /* another server got there first */  }
        }
        try await sweep()
      } catch {
        logger.warning("compaction failed", metadata: ["error": "\(error)"])
      }
    }
  }

  /// Removes the rows compaction made invisible, one small window per write batch.
  func sweep() async throws {
    let (swept, compact) = try await reader.read { session in
      (try session.sweptRevision(), try session.revisions().compact)
    }
    noteCompacted(compact)
    var after = swept
    while after < compact {
      let through = min(after + Self.sweepWindow, compact)
      try await writer.write { batch in try batch.session.sweep(after: after, through: through, compact: compact) }
      after = through
    }
    if let vacuum = driver.vacuumStatement, swept < compact {
      try await writer.write { batch in try batch.session.connection.execute(vacuum) }
    }
  }
}

extension RevisionLog {
  /// Returns free pages to the file system now (etcd's defragment).
  public func defragment() async throws {
    guard let vacuum = driver.vacuumStatement else { return }
    try await writer.write { batch in try batch.session.connection.execute(vacuum) }
  }
}
