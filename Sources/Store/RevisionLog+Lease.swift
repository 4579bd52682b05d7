extension RevisionLog {
  /// etcd's bounds on a lease TTL, in seconds.
  static let minLeaseTTL: Int64 = 2
  static let maxLeaseTTL: Int64 = 9_000_000_000

  /// Grants a lease; `id` 0 picks a free one. Returns the id and the TTL actually granted.
  public func grantLease(id: Int64 = 0, ttl: Int64) async throws -> (id: Int64, ttl: Int64) {
    guard ttl <= Self.maxLeaseTTL else { throw StoreError.invalid("too large lease TTL") }
    let granted = max(ttl, Self.minLeaseTTL)
    let now = clock.nowMilliseconds()
    return try await writer.write { batch in
      var leaseID = id
      if leaseID == 0 {
        repeat { leaseID = Int64.random(in: 1...Int64.max) } while try batch.session.lease(leaseID) != nil
      } else if try batch.session.lease(leaseID) != nil {
        throw StoreError.leaseExists
      }
      try batch.session.insertLease(id: leaseID, ttl: granted, expires: now + granted * 1000)
      return (leaseID, granted)
    }
  }

  /// Renews a lease for another TTL; returns that TTL.
  public func keepAlive(lease id: Int64) async throws -> Int64 {
    let now = clock.nowMilliseconds()
    return try await writer.write { batch in
      guard let ttl = try batch.session.renewLease(id: id, now: now) else { throw StoreError.leaseNotFound }
      return ttl
    }
  }

  /// Revokes a lease and deletes its keys under one revision; returns the store revision after.
  @discardableResult
  public func revokeLease(_ id: Int64) async throws -> Int64 {
    try await revoke(id, expiredBy: nil)
  }

  /// Revokes the lease, or only if it has expired by `expiredBy`.
  func revoke(_ id: Int64, expiredBy: Int64?) async throws -> Int64 {
    try await writer.write { batch in
      let session = batch.session
      guard try session.removeLease(id: id, expiredBy: expiredBy) else {
        if expiredBy != nil { return try batch.revisions().current }
        throw StoreError.leaseNotFound
      }
      // A revision is taken only with a row to log: on SQLite the newest row is the revision.
      let doomed = try session.keys(attachedTo: id).compactMap { try session.get($0) }
      guard !doomed.isEmpty else { return try batch.revisions().current }
      let revision = try batch.takeRevision()
      for previous in doomed {
        try session.writeDelete(previous.key, id: try batch.takeRowIDs())
        batch.record(
          WatchEvent(kind: .delete, kv: KeyValue(key: previous.key, modRevision: revision), prevKV: previous))
      }
      return revision
    }
  }

  /// A lease's TTLs and, if asked, its keys. A lease that does not exist reports TTL -1, as etcd does.
  public func leaseInfo(_ id: Int64, keys: Bool = false) async throws -> LeaseInfo {
    let now = clock.nowMilliseconds()
    return try await reader.read { session in
      guard let lease = try session.lease(id) else {
        return LeaseInfo(id: id, grantedTTL: 0, remainingTTL: -1, keys: [])
      }
      let remaining = lease.expires > now ? (lease.expires - now + 999) / 1000 : -1
      return LeaseInfo(
        id: id, grantedTTL: lease.ttl, remainingTTL: remaining,
        keys: keys ? try session.keys(attachedTo: id) : [])
    }
  }

  public func leases() async throws -> [Int64] {
    try await reader.read { session in try session.leaseIDs() }
  }

  /// Revokes expired leases until shutdown. Every server may do it: revocation only happens once.
  func expireLeases() async {
    while await signals.leases.wait(timeout: options.leaseCheckInterval) {
      let now = clock.nowMilliseconds()
      do {
        let expired = try await reader.read { session in try session.expiredLeases(now: now, limit: 64) }
        for id in expired { _ = try await revoke(id, expiredBy: now) }
        if !expired.isEmpty { logger.debug("leases expired", metadata: ["count": "\(expired.count)"]) }
      } catch {
        logger.warning("lease expiry failed", metadata: ["error": "\(error)"])
      }
    }
  }
}
