extension RevisionLog {
  /// Log rows looked at per write batch, so compaction never holds the writer for long, even
  /// where one revision (a range delete) holds thousands of rows.
  static let sweepBatchRows = 512

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

  /// Sweeps until the rows compaction made invisible below `revision` are gone. One sweep runs
  /// at a time: a caller joins the one running, and starts another if that one began below
  /// `revision`.
  func sweep(through revision: Int64 = 0) async throws {
    while true {
      let sweep = sweeping.withLockedValue { running in
        if let running { return running }
        // The task clears the slot under the same lock, so never before it is set here.
        let task = Task { [self] in
          defer { sweeping.withLockedValue { $0 = nil } }
          return try await sweepOnce()
        }
        running = task
        return task
      }
      if try await sweep.value >= revision { return }
    }
  }

  /// Removes the rows compaction made invisible, a few hundred rows per write batch, and returns
  /// the compact revision swept through. Progress is recorded per finished sweep; batches a
  /// crash interrupts are simply done again.
  private func sweepOnce() async throws -> Int64 {
    let (swept, compact) = try await reader.read { session in
      (try session.sweptRevision(), try session.revisions().compact)
    }
    noteCompacted(compact)
    guard swept < compact else { return compact }
    var position = LogRowID.first(of: swept + 1) - 1
    while let end = try await reader.read({ [position] session in
      try session.sweepBatchEnd(after: position, through: compact, rows: Self.sweepBatchRows)
    }) {
      try await writer.write { [position] batch in
        try batch.session.sweep(after: position, through: end, compact: compact)
      }
      position = end
    }
    // The tombstones at `compact` itself go on the next pass, so that pass starts just below it.
    try await writer.write { batch in try batch.session.setSweptRevision(compact - 1) }
    if let vacuum = driver.vacuumStatement {
      try await writer.write { batch in try batch.session.connection.execute(vacuum) }
    }
    return compact
  }
}

extension RevisionLog {
  /// Returns every free page to the file system now (etcd's defragment), one bounded vacuum per
  /// write batch so that writes wait for one batch at most. Stops when a batch frees nothing
  /// (a database made before auto_vacuum cannot).
  public func defragment() async throws {
    guard let vacuum = driver.vacuumStatement, let freePages = driver.freePagesQuery else { return }
    var free = Int64.max
    while free > 0 {
      let left = try await writer.write { batch in
        try batch.session.connection.execute(vacuum)
        return try batch.session.connection.query(freePages, []).first?[0].int ?? 0
      }
      if left >= free { return }
      free = left
    }
  }
}
