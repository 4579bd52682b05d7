extension TxnRequest {
  /// Whether either branch, at any depth, may change the store.
  var writes: Bool {
    (success + failure).contains { operation in
      switch operation {
      case .range: false
      case .put, .delete: true
      case .txn(let nested): nested.writes
      }
    }
  }

  /// etcd's static checks: at most `maxOperations` per branch, and within a branch no key put
  /// twice nor both put and deleted.
  func validate(maxOperations: Int) throws {
    if success.count > maxOperations || failure.count > maxOperations { throw StoreError.tooManyOperations }
    if Self.mayOverlap(success) { _ = try Self.writtenKeys(success, maxOperations: maxOperations) }
    if Self.mayOverlap(failure) { _ = try Self.writtenKeys(failure, maxOperations: maxOperations) }
  }

  /// One plain operation cannot overlap itself: a lone put (every etcd Put) skips hashing its key.
  private static func mayOverlap(_ operations: [TxnOperation]) -> Bool {
    guard operations.count == 1, let only = operations.first else { return operations.count > 1 }
    if case .txn = only { return true }
    return false
  }

  /// The keys put and the ranges deleted by one branch, refusing overlaps.
  private static func writtenKeys(
    _ operations: [TxnOperation], maxOperations: Int
  ) throws -> (puts: Set<[UInt8]>, deletes: [KeyRange]) {
    var puts = Set<[UInt8]>()
    var deletes: [KeyRange] = []
    for operation in operations {
      switch operation {
      case .range: break
      case .put(let put):
        guard puts.insert(put.key).inserted else { throw StoreError.duplicateKey }
      case .delete(let delete):
        deletes.append(delete.range)
      case .txn(let nested):
        try nested.validate(maxOperations: maxOperations)
        // Only one nested branch runs, so they may overlap each other but not this branch.
        let a = try writtenKeys(nested.success, maxOperations: maxOperations)
        let b = try writtenKeys(nested.failure, maxOperations: maxOperations)
        for key in a.puts.union(b.puts) {
          guard !puts.contains(key) else { throw StoreError.duplicateKey }
        }
        puts.formUnion(a.puts.union(b.puts))
        deletes += a.deletes + b.deletes
      }
    }
    for key in puts where deletes.contains(where: { $0.contains(key) }) { throw StoreError.duplicateKey }
    return (puts, deletes)
  }
}
