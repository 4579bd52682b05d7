import Foundation
import SkiffCore
import Store
import Testing

/// The revision log's behaviour, which every driver must give. Each case is run once per backend
/// by the suites in StoreContractTests.swift.
enum Contract {
  // MARK: Revisions

  /// Many concurrent writers: each write takes exactly one revision, revisions are consecutive,
  /// and the log replays every one of them once, in order.
  static func revisionsAreGapFree(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      // Revision 1: one transaction creating 50 keys that are deleted concurrently below.
      let seed = try await log.txn(
        TxnRequest(success: (0..<50).map { .put(PutRequest(key: b("del/\($0)"), value: b("x"))) }))
      #expect(seed.revision == 1)

      let revisions = try await withThrowingTaskGroup(of: Int64.self) { group in
        for i in 0..<200 {
          group.addTask {
            switch i % 4 {
            case 0, 1:
              return try await log.put("key/\(i % 10)", "\(i)")
            case 2:
              return try await log.txn(
                TxnRequest(success: [
                  .put(PutRequest(key: b("pair/\(i)/a"), value: b("a"))),
                  .put(PutRequest(key: b("pair/\(i)/b"), value: b("b"))),
                  .range(RangeRequest(range: .prefix(b("pair/")))),
                ])
              ).revision
            default:
              let result = try await log.delete(DeleteRequest(range: .key(b("del/\(i / 4)"))))
              #expect(result.deleted == 1)
              return result.revision
            }
          }
        }
        return try await group.reduce(into: [Int64]()) { $0.append($1) }
      }
      #expect(revisions.sorted() == Array(Int64(2)...201))
      #expect(try await log.headRevision() == 201)

      let events = try await collectEvents(log, KeyRange(start: [0], end: [0]), from: 1, through: 201)
      var perRevision: [Int64: [WatchEvent]] = [:]
      for event in events { perRevision[event.revision, default: []].append(event) }
      #expect(perRevision.keys.sorted() == Array(Int64(1)...201))
      #expect(zip(events, events.dropFirst()).allSatisfy { $0.revision <= $1.revision })
      #expect(perRevision[1]?.count == 50)
      for revision in Int64(2)...201 {
        let count = perRevision[revision]?.count ?? 0
        let keys = perRevision[revision]?.map(\.kv.keyString) ?? []
        #expect(count == (keys.first?.hasPrefix("pair/") == true ? 2 : 1), "revision \(revision): \(keys)")
        #expect(Set(keys).count == keys.count, "duplicate events at revision \(revision)")
      }
    }
  }

  /// Reads racing writes each see one revision whole: a pair of keys written together is read
  /// with equal values and revisions, never newer than the revision the read reports, while
  /// other writes keep changing the keys around them.
  static func readsSeeOneRevision(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      try await withThrowingTaskGroup(of: Void.self) { group in
        for writer in 0..<2 {
          group.addTask {
            for i in 0..<150 {
              let value = b("\(writer)-\(i)")
              _ = try await log.txn(
                TxnRequest(success: [
                  .put(PutRequest(key: b("snap/a"), value: value)), .put(PutRequest(key: b("snap/b"), value: value)),
                  .put(PutRequest(key: b("other/\(i % 37)/\(writer)"), value: value)),
                ]))
            }
          }
        }
        for _ in 0..<3 {
          group.addTask {
            for _ in 0..<150 {
              let read = try await log.range(RangeRequest(range: .prefix(b("snap/"))))
              guard read.kvs.count == 2 else {
                #expect(read.kvs.isEmpty, "a pair read half: \(read.kvs.map(\.keyString))")
                continue
              }
              let (first, second) = (read.kvs[0], read.kvs[1])
              #expect(
                first.value == second.value && first.modRevision == second.modRevision
                  && first.modRevision <= read.revision)
              let count = try await log.range(RangeRequest(range: .prefix(b("other/")), countOnly: true))
              #expect(count.count <= 74)
            }
          }
        }
        try await group.waitForAll()
      }
      let others = try await log.range(RangeRequest(range: .prefix(b("other/"))))
      #expect(others.count == 74 && others.kvs.count == 74)
    }
  }

  /// Refused requests in the same batches as accepted ones take no revision.
  static func refusedRequestsWriteNothing(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      let outcomes = try await withThrowingTaskGroup(of: Int64?.self) { group in
        for i in 0..<40 {
          group.addTask {
            do {
              return try await log.put("k\(i)", "v", lease: i % 2 == 0 ? 0 : 999)
            } catch StoreError.leaseNotFound {
              return nil
            }
          }
        }
        return try await group.reduce(into: [Int64?]()) { $0.append($1) }
      }
      #expect(outcomes.compactMap { $0 }.sorted() == Array(Int64(1)...20))
      #expect(outcomes.filter { $0 == nil }.count == 20)
      #expect(try await log.headRevision() == 20)
      #expect(try await log.range(RangeRequest(range: .prefix(b("k")), countOnly: true)).count == 20)

      // A transaction refused half-way leaves nothing behind either.
      await expectStoreError(.leaseNotFound) {
        _ = try await log.txn(
          TxnRequest(success: [
            .put(PutRequest(key: b("t/a"), value: b("1"))),
            .put(PutRequest(key: b("t/b"), value: b("2"), lease: 12345)),
          ]))
      }
      await expectStoreError(.leaseNotFound) { _ = try await log.keepAlive(lease: 5) }
      await expectStoreError(.leaseNotFound) { try await log.revokeLease(5) }
      #expect(try await log.get("t/a") == nil)
      #expect(try await log.headRevision() == 20)
    }
  }

  // MARK: Reads

  static func readsAtPastRevisions(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      #expect(try await log.put("a", "1") == 1)
      #expect(try await log.put("b", "1") == 2)
      #expect(try await log.put("a", "2") == 3)
      #expect(try await log.delete(DeleteRequest(range: .key(b("b")))).revision == 4)
      #expect(try await log.put("c", "1") == 5)

      let now = try await log.range(RangeRequest(range: .key(b("a"))))
      #expect(now.revision == 5)
      #expect(now.kvs == [KeyValue(key: b("a"), value: b("2"), createRevision: 1, modRevision: 3, version: 2)])
      #expect(try await log.get("a", at: 1)?.string == "1")
      #expect(
        try await log.get("a", at: 2)
          == KeyValue(key: b("a"), value: b("1"), createRevision: 1, modRevision: 1, version: 1))
      #expect(try await log.get("a", at: 3)?.string == "2")
      #expect(try await log.get("b", at: 3)?.string == "1")
      #expect(try await log.get("b", at: 4) == nil)
      #expect(try await log.get("b", at: 5) == nil)
      #expect(try await log.get("c", at: 4) == nil)

      let all = KeyRange(start: b("a"), end: [0])
      #expect(try await log.keys(all, at: 1) == ["a"])
      #expect(try await log.keys(all, at: 2) == ["a", "b"])
      #expect(try await log.keys(all, at: 4) == ["a"])
      #expect(try await log.keys(all) == ["a", "c"])
      let past = try await log.range(RangeRequest(range: all, revision: 3))
      #expect(past.revision == 5 && past.count == 2 && !past.more)
      #expect(past.kvs.map(\.string) == ["2", "1"])

      await expectStoreError(.futureRevision) { _ = try await log.range(RangeRequest(range: all, revision: 6)) }

      // A key recreated after a delete, and one changed twice since: each read at a revision
      // sees the version current then, never a later one.
      #expect(try await log.put("b", "2") == 6)
      #expect(try await log.put("a", "3") == 7)
      #expect(try await log.get("b", at: 5) == nil)
      #expect(
        try await log.get("b", at: 6)
          == KeyValue(key: b("b"), value: b("2"), createRevision: 6, modRevision: 6, version: 1))
      #expect(try await log.get("b", at: 2)?.string == "1")
      #expect(try await log.get("a", at: 2)?.string == "1")
      #expect(try await log.keys(all, at: 5) == ["a", "c"])
      #expect(try await log.range(RangeRequest(range: all, revision: 6)).kvs.map(\.string) == ["2", "2", "1"])
      #expect(try await log.range(RangeRequest(range: all, revision: 4, countOnly: true)).count == 1)
    }
  }

  static func rangeOptions(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      for key in ["a", "b/1", "b/2", "b/3", "c"] { try await log.put(key, "value-\(key)") }
      let high = try await log.put(PutRequest(key: [0xff, 0x01], value: b("high"))).revision
      #expect(high == 6)
      try await log.put("b/4", "late")  // rev 7

      #expect(try await log.keys(.prefix(b("b/"))) == ["b/1", "b/2", "b/3", "b/4"])
      #expect(try await log.keys(.prefix(b("b/")), at: 6) == ["b/1", "b/2", "b/3"])
      #expect(try await log.keys(KeyRange(start: b("a"), end: b("c"))) == ["a", "b/1", "b/2", "b/3", "b/4"])
      let fromKey = try await log.range(RangeRequest(range: KeyRange(start: b("b/3"), end: [0])))
      #expect(fromKey.kvs.map(\.key) == [b("b/3"), b("b/4"), b("c"), [0xff, 0x01]])
      #expect(try await log.keys(.prefix([0xff])).count == 1)

      let limited = try await log.range(RangeRequest(range: .prefix(b("b/")), limit: 2))
      #expect(limited.kvs.map(\.keyString) == ["b/1", "b/2"])
      #expect(limited.more && limited.count == 4)
      let exact = try await log.range(RangeRequest(range: .prefix(b("b/")), limit: 4))
      #expect(exact.kvs.count == 4 && !exact.more && exact.count == 4)
      let pastLimited = try await log.range(RangeRequest(range: .prefix(b("b/")), revision: 3, limit: 1))
      #expect(pastLimited.kvs.map(\.keyString) == ["b/1"])
      #expect(pastLimited.more && pastLimited.count == 2 && pastLimited.revision == 7)

      let counted = try await log.range(RangeRequest(range: .prefix(b("b/")), countOnly: true))
      #expect(counted.kvs.isEmpty && counted.count == 4 && !counted.more)
      let countedPast = try await log.range(RangeRequest(range: .prefix(b("b/")), revision: 5, countOnly: true))
      #expect(countedPast.count == 3)

      let keysOnly = try await log.range(RangeRequest(range: .prefix(b("b/")), keysOnly: true))
      #expect(keysOnly.kvs.map(\.keyString) == ["b/1", "b/2", "b/3", "b/4"])
      #expect(keysOnly.kvs.allSatisfy { $0.value.isEmpty && $0.version == 1 && $0.modRevision > 0 })
      let keysOnlyPast = try await log.range(RangeRequest(range: .prefix(b("b/")), revision: 4, keysOnly: true))
      #expect(keysOnlyPast.kvs.map(\.keyString) == ["b/1", "b/2", "b/3"])
      #expect(keysOnlyPast.kvs.allSatisfy { $0.value.isEmpty && $0.createRevision == $0.modRevision })

      // Empty and binary values survive the round trip.
      _ = try await log.put(PutRequest(key: b("empty"), value: []))
      _ = try await log.put(PutRequest(key: b("bin"), value: [0, 1, 0xfe, 0xff, 0]))
      #expect(try await log.get("empty")?.value == [])
      #expect(try await log.get("bin")?.value == [0, 1, 0xfe, 0xff, 0])
    }
  }

  static func createModVersionBookkeeping(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      let r1 = try await log.put("k", "1")
      #expect(
        try await log.get("k") == KeyValue(key: b("k"), value: b("1"), createRevision: r1, modRevision: r1, version: 1))
      let r2 = try await log.put("k", "2")
      #expect(
        try await log.get("k") == KeyValue(key: b("k"), value: b("2"), createRevision: r1, modRevision: r2, version: 2))
      let r3 = try await log.delete(DeleteRequest(range: .key(b("k")))).revision
      #expect(r3 == r2 + 1)
      #expect(try await log.get("k") == nil)
      let r4 = try await log.put("k", "3")
      #expect(
        try await log.get("k") == KeyValue(key: b("k"), value: b("3"), createRevision: r4, modRevision: r4, version: 1))
      #expect(try await log.get("k", at: r2)?.version == 2)
      #expect(try await log.get("k", at: r2)?.createRevision == r1)

      let events = try await collectEvents(log, .key(b("k")), from: r1, through: r4)
      #expect(events.map(\.kind) == [.put, .put, .delete, .put])
      #expect(events[1].prevKV?.version == 1)
      #expect(events[2].kv == KeyValue(key: b("k"), modRevision: r3))
      #expect(events[2].prevKV?.version == 2 && events[2].prevKV?.string == "2")
      #expect(events[3].prevKV == nil)
      #expect(events[3].kv.createRevision == r4 && events[3].kv.version == 1)
    }
  }

  // MARK: Writes

  static func transactionCompares(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      try await log.put("k", "v1")
      try await log.put("k", "v2")  // version 2, create 1, mod 2
      let lease = try await log.grantLease(id: 77, ttl: 60).id
      try await log.put("l", "x", lease: lease)  // rev 3

      func holds(_ key: String, _ target: Compare.Target, _ result: Compare.Result) async throws -> Bool {
        try await log.txn(TxnRequest(compares: [Compare(range: .key(b(key)), target: target, result: result)]))
          .succeeded
      }
      #expect(try await holds("k", .version(2), .equal))
      #expect(try await holds("k", .version(1), .greater))
      #expect(try await holds("k", .version(3), .less))
      #expect(try await !holds("k", .version(2), .notEqual))
      #expect(try await holds("k", .createRevision(1), .equal))
      #expect(try await holds("k", .modRevision(2), .equal))
      #expect(try await !holds("k", .modRevision(2), .less))
      #expect(try await holds("k", .value(b("v2")), .equal))
      #expect(try await holds("k", .value(b("v1")), .greater))
      #expect(try await holds("k", .value(b("v3")), .less))
      #expect(try await holds("k", .value(b("v")), .notEqual))
      #expect(try await holds("l", .lease(lease), .equal))
      #expect(try await holds("k", .lease(0), .equal))
      #expect(try await !holds("k", .lease(lease), .equal))

      // A missing key: value compares fail, the others compare against zero.
      #expect(try await !holds("missing", .value([]), .equal))
      #expect(try await !holds("missing", .value(b("x")), .notEqual))
      #expect(try await holds("missing", .version(0), .equal))
      #expect(try await holds("missing", .createRevision(0), .equal))
      #expect(try await holds("missing", .modRevision(5), .less))
      #expect(try await holds("missing", .lease(0), .equal))
      #expect(try await !holds("missing", .version(0), .greater))

      // Over a range every key must hold.
      let all = KeyRange(start: b("k"), end: b("m"))
      #expect(
        try await log.txn(TxnRequest(compares: [Compare(range: all, target: .version(0), result: .greater)])).succeeded)
      #expect(
        try await !log.txn(TxnRequest(compares: [Compare(range: all, target: .version(2), result: .equal)])).succeeded)

      // Success and failure branches, atomically and under one revision.
      let guarded = TxnRequest(
        compares: [
          Compare(range: .key(b("k")), target: .modRevision(2), result: .equal),
          Compare(range: .key(b("k")), target: .value(b("v2")), result: .equal),
        ],
        success: [
          .put(PutRequest(key: b("k"), value: b("v3"), prevKV: true)), .put(PutRequest(key: b("k2"), value: b("y"))),
        ],
        failure: [.range(RangeRequest(range: .key(b("k"))))])
      let first = try await log.txn(guarded)
      #expect(first.succeeded && first.revision == 4)
      #expect(
        first.results.first
          == .put(prevKV: KeyValue(key: b("k"), value: b("v2"), createRevision: 1, modRevision: 2, version: 2)))
      #expect(try await log.get("k2")?.modRevision == 4)
      let second = try await log.txn(guarded)
      #expect(!second.succeeded && second.revision == 4)
      guard case .range(let read) = second.results.first else {
        Issue.record("expected a range result")
        return
      }
      #expect(read.kvs.first?.string == "v3" && read.revision == 4)

      // Nested transactions decide on the state before the outer one writes; one revision for all.
      let nested = try await log.txn(
        TxnRequest(success: [
          .put(PutRequest(key: b("n/a"), value: b("1"))),
          .txn(
            TxnRequest(
              compares: [Compare(range: .key(b("n/a")), target: .version(0), result: .equal)],
              success: [.put(PutRequest(key: b("n/b"), value: b("2"))), .range(RangeRequest(range: .prefix(b("n/"))))],
              failure: [.put(PutRequest(key: b("n/c"), value: b("3")))])),
        ]))
      #expect(nested.succeeded && nested.revision == 5)
      guard case .txn(let inner) = nested.results.last else {
        Issue.record("expected a nested txn result")
        return
      }
      #expect(inner.succeeded && inner.revision == 5)
      #expect(try await log.keys(.prefix(b("n/"))) == ["n/a", "n/b"])
      #expect(try await log.get("n/b")?.modRevision == 5)

      // Static checks refuse before anything is written.
      await expectStoreError(.duplicateKey) {
        _ = try await log.txn(
          TxnRequest(success: [.put(PutRequest(key: b("d"), value: [])), .put(PutRequest(key: b("d"), value: []))]))
      }
      await expectStoreError(.duplicateKey) {
        _ = try await log.txn(
          TxnRequest(success: [
            .put(PutRequest(key: b("d/1"), value: [])), .delete(DeleteRequest(range: .prefix(b("d/")))),
          ]))
      }
      await expectStoreError(.duplicateKey) {
        _ = try await log.txn(
          TxnRequest(success: [
            .put(PutRequest(key: b("d"), value: [])),
            .txn(TxnRequest(success: [.put(PutRequest(key: b("d"), value: []))])),
          ]))
      }
      // A branch of one nested transaction is still checked inside.
      await expectStoreError(.duplicateKey) {
        _ = try await log.txn(
          TxnRequest(success: [
            .txn(
              TxnRequest(success: [.put(PutRequest(key: b("d"), value: [])), .put(PutRequest(key: b("d"), value: []))]))
          ]))
      }
      await expectStoreError(.tooManyOperations) {
        _ = try await log.txn(TxnRequest(success: (0..<129).map { .put(PutRequest(key: b("many/\($0)"), value: [])) }))
      }
      // The limit is inclusive.
      #expect(
        try await log.txn(TxnRequest(success: (0..<128).map { .put(PutRequest(key: b("many/\($0)"), value: [])) }))
          .revision == 6)
      #expect(try await log.get("d") == nil)
      #expect(try await log.headRevision() == 6)
    }
  }

  static func putOptions(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      let first = try await log.put(PutRequest(key: b("k"), value: b("v1"), prevKV: true))
      #expect(first.prevKV == nil && first.revision == 1)
      let second = try await log.put(PutRequest(key: b("k"), value: b("v2"), prevKV: true))
      #expect(second.prevKV == KeyValue(key: b("k"), value: b("v1"), createRevision: 1, modRevision: 1, version: 1))
      let third = try await log.put(PutRequest(key: b("k"), value: b("v3")))
      #expect(third.prevKV == nil)

      let lease = try await log.grantLease(ttl: 100).id
      _ = try await log.put(PutRequest(key: b("k"), value: [], lease: lease, ignoreValue: true))
      var kv = try #require(try await log.get("k"))
      #expect(kv.string == "v3" && kv.lease == lease && kv.version == 4 && kv.modRevision == 4)
      _ = try await log.put(PutRequest(key: b("k"), value: b("v5"), ignoreLease: true))
      kv = try #require(try await log.get("k"))
      #expect(kv.string == "v5" && kv.lease == lease && kv.version == 5)
      _ = try await log.put(PutRequest(key: b("k"), value: b("v6")))
      #expect(try await log.get("k")?.lease == 0)

      await expectStoreError(.keyNotFound) {
        _ = try await log.put(PutRequest(key: b("nope"), value: [], ignoreValue: true))
      }
      await expectStoreError(.keyNotFound) {
        _ = try await log.put(PutRequest(key: b("nope"), value: [], ignoreLease: true))
      }
      await expectStoreError(.leaseNotFound) {
        _ = try await log.put(PutRequest(key: b("nope"), value: [], lease: lease + 1))
      }
      #expect(try await log.get("nope") == nil)
      #expect(try await log.headRevision() == 6)
    }
  }

  static func deleteRanges(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      for key in ["a/1", "a/2", "a/3", "b"] { try await log.put(key, key) }
      let deleted = try await log.delete(DeleteRequest(range: .prefix(b("a/")), prevKV: true))
      #expect(deleted.revision == 5 && deleted.deleted == 3)
      #expect(deleted.prevKVs.map(\.keyString) == ["a/1", "a/2", "a/3"])
      #expect(deleted.prevKVs.map(\.modRevision) == [1, 2, 3])
      #expect(try await log.keys(KeyRange(start: [0], end: [0])) == ["b"])

      let again = try await log.delete(DeleteRequest(range: .prefix(b("a/")), prevKV: true))
      #expect(again.deleted == 0 && again.prevKVs.isEmpty && again.revision == 5)
      let quiet = try await log.delete(DeleteRequest(range: KeyRange(start: b("b"), end: [0])))
      #expect(quiet.deleted == 1 && quiet.prevKVs.isEmpty && quiet.revision == 6)

      let events = try await collectEvents(log, KeyRange(start: [0], end: [0]), from: 5, through: 6)
      #expect(events.map(\.revision) == [5, 5, 5, 6])
      #expect(events.allSatisfy { $0.kind == .delete })
      #expect(events.map(\.kv.keyString) == ["a/1", "a/2", "a/3", "b"])
      #expect(events.compactMap(\.prevKV?.string) == ["a/1", "a/2", "a/3", "b"])
    }
  }

  // MARK: Watches

  static func watchFromThePast(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      try await log.put("a", "1")  // 1
      try await log.put("b", "1")  // 2
      try await log.put("a", "2")  // 3
      _ = try await log.delete(DeleteRequest(range: .key(b("a"))))  // 4
      try await log.put("c", "1")  // 5 (outside the watched range)

      let range = KeyRange(start: b("a"), end: b("c"))
      if backend.kind == .sqlite {
        // This server's own commits are buffered: how long a range stayed unchanged is known at once.
        #expect(log.quietThrough(in: .key(b("c")), after: 1) == 4)
        #expect(log.quietThrough(in: range, after: 1) == 1)
        #expect(log.quietThrough(in: .key(b("c")), after: 4) == 4)
        #expect(log.quietThrough(in: range, after: 4) == 5)
      }
      let watching = Task { try await collectEvents(log, range, from: 2, through: 8) }
      try await Task.sleep(for: .milliseconds(50))
      try await log.put("b", "2")  // 6
      try await log.put("c", "2")  // 7
      try await log.put("a", "3")  // 8
      let events = try await watching.value

      #expect(events.map(\.revision) == [2, 3, 4, 6, 8])
      #expect(events.map(\.kind) == [.put, .put, .delete, .put, .put])
      #expect(events.map(\.kv.keyString) == ["b", "a", "a", "b", "a"])
      #expect(events[1].prevKV?.string == "1" && events[1].prevKV?.modRevision == 1)
      #expect(events[2].prevKV?.string == "2" && events[2].kv.value.isEmpty)
      #expect(events[3].prevKV?.string == "1" && events[3].kv.version == 2)
      #expect(events[4].prevKV == nil && events[4].kv.createRevision == 8)

      // From now on only later changes; a single key sees only itself.
      let live = Task { try await collectEvents(log, .key(b("c")), from: 0, through: 10) }
      try await Task.sleep(for: .milliseconds(50))
      try await log.put("a", "4")  // 9
      try await log.put("c", "3")  // 10
      let liveEvents = try await live.value
      #expect(liveEvents.map(\.revision) == [10])
      #expect(liveEvents.first?.prevKV?.string == "2")

      // A server that restarts has no buffered events: the same history comes from the log.
      await log.close()
      let reopened = try await RevisionLog.open(driver: env.driver, options: .testing, clock: env.clock)
      try await withRunning(reopened) { () async throws in
        let replayed = try await collectEvents(reopened, range, from: 2, through: 8)
        #expect(replayed == events)
        #expect(reopened.currentRevision == 10)
        // Nothing buffered after a restart: unknown, so consistent reads wait for the cache.
        #expect(reopened.quietThrough(in: range, after: 2) == 2)
      }
    }
  }

  /// Deleting more keys than fit comfortably in memory goes set-based; watchers still see every
  /// tombstone, from the log, in key order, under one revision.
  static func bulkDelete(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      let count = 1500
      for start in stride(from: 0, to: count, by: 100) {
        let puts = (start..<start + 100).map {
          TxnOperation.put(PutRequest(key: b(String(format: "/bulk/%05d", $0)), value: b("v")))
        }
        _ = try await log.txn(TxnRequest(success: puts))
      }
      let before = log.currentRevision
      let watching = Task { try await collectEvents(log, .prefix(b("/bulk/")), from: 0, through: before + 1) }
      try await Task.sleep(for: .milliseconds(50))
      let deleted = try await log.delete(DeleteRequest(range: .prefix(b("/bulk/"))))
      #expect(deleted.deleted == Int64(count))
      #expect(deleted.revision == before + 1)
      let events = try await watching.value
      #expect(events.count == count)
      #expect(events.allSatisfy { $0.kind == .delete && $0.revision == before + 1 })
      #expect(events.first?.kv.keyString == "/bulk/00000")
      #expect(events.first?.prevKV?.string == "v")
      #expect(try await log.keys(.prefix(b("/bulk/"))).isEmpty)
      #expect(try await log.keys(.prefix(b("/bulk/")), at: before).count == count)
    }
  }

  static func watchBelowCompaction(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      for i in 1...5 { try await log.put("k", "\(i)") }
      try await log.compact(3)
      await expectStoreError(.compacted(compactRevision: 3)) { _ = try log.watch(.key(b("k")), from: 2) }
      let events = try await collectEvents(log, .key(b("k")), from: 3, through: 5)
      #expect(events.map(\.revision) == [3, 4, 5])
      // A reopened log knows the compaction too.
      await log.close()
      let reopened = try await RevisionLog.open(driver: env.driver, options: .testing, clock: env.clock)
      try await withRunning(reopened) { () async throws in
        await expectStoreError(.compacted(compactRevision: 3)) { _ = try reopened.watch(.key(b("k")), from: 1) }
        #expect(try await collectEvents(reopened, .key(b("k")), from: 4, through: 5).map(\.kv.string) == ["4", "5"])
      }
    }
  }

  // MARK: Compaction

  static func compaction(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      for i in 1...5 { try await log.put("k1", "\(i)") }  // 1…5
      try await log.put("k2", "x")  // 6
      _ = try await log.delete(DeleteRequest(range: .key(b("k2"))))  // 7
      try await log.put("k3", "y")  // 8
      #expect(try await env.logRows() == 8)

      await expectStoreError(.futureRevision) { try await log.compact(9) }
      try await log.compact(5)
      #expect(log.compactRevision == 5)
      await expectStoreError(.compacted(compactRevision: 5)) { try await log.compact(5) }
      await expectStoreError(.compacted(compactRevision: 5)) { try await log.compact(4) }
      await expectStoreError(.compacted(compactRevision: 5)) { _ = try await log.get("k1", at: 4) }
      await expectStoreError(.futureRevision) { _ = try await log.get("k1", at: 9) }

      // k1's first four versions go; everything at or after 5 stays readable.
      try await eventually("sweep to revision 5") { try await env.logRows() == 4 }
      #expect(try await log.get("k1", at: 5)?.string == "5")
      #expect(try await log.keys(KeyRange(start: [0], end: [0]), at: 6) == ["k1", "k2"])
      #expect(try await log.keys(KeyRange(start: [0], end: [0]), at: 7) == ["k1"])
      #expect(try await log.keys(KeyRange(start: [0], end: [0]), at: 8) == ["k1", "k3"])
      let fromFive = try await collectEvents(log, KeyRange(start: [0], end: [0]), from: 5, through: 8)
      #expect(fromFive.map(\.revision) == [5, 6, 7, 8])
      #expect(fromFive[2].prevKV?.string == "x")

      // Compacting to 8 removes k2's put and its tombstone; a physical compaction before it returns.
      try await log.compact(8, physical: true)
      #expect(try await env.logRows() == 2)
      let head = try await log.range(RangeRequest(range: KeyRange(start: [0], end: [0]), revision: 8))
      #expect(head.kvs.map { "\($0.keyString)=\($0.string)@\($0.modRevision)" } == ["k1=5@5", "k3=y@8"])
      #expect(head.count == 2)
      #expect(try await log.get("k1")?.version == 5)
      await expectStoreError(.compacted(compactRevision: 8)) { _ = try await log.get("k1", at: 7) }

      // Writing on keeps working, with the swept history.
      try await log.put("k1", "6")
      #expect(
        try await log.get("k1") == KeyValue(key: b("k1"), value: b("6"), createRevision: 1, modRevision: 9, version: 6))
      #expect(try await log.databaseSize() > 0)
    }
  }

  /// A range delete puts all its tombstones at one revision; the sweep still goes in batches of
  /// rows and leaves nothing behind.
  static func compactionOfARangeDelete(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      let count = 1_124  // more than two sweep batches (RevisionLog.sweepBatchRows is 512)
      for i in 1...count { try await log.put(String(format: "bulk/%05d", i), "v") }
      try await log.put("bulk/00001", "again")
      let deleted = try await log.delete(DeleteRequest(range: .prefix(b("bulk/"))))
      #expect(deleted.deleted == Int64(count))
      let last = try await log.put("other", "x")
      #expect(try await env.logRows() == 2 * count + 2)
      try await log.compact(last)
      try await eventually("sweep of the range delete") { try await env.logRows() == 1 }
      #expect(try await log.keys(KeyRange(start: [0], end: [0]), at: last) == ["other"])
      try await log.put("bulk/00002", "new")
      #expect(try await log.get("bulk/00002")?.version == 1)
    }
  }

  // MARK: Leases

  static func leases(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      let random = try await log.grantLease(ttl: 10)
      #expect(random.id > 0 && random.ttl == 10)
      let short = try await log.grantLease(id: 42, ttl: 1)
      #expect(short.id == 42 && short.ttl == 2)  // etcd's minimum TTL
      await expectStoreError(.leaseExists) { _ = try await log.grantLease(id: 42, ttl: 5) }
      await expectStoreError(.invalid("too large lease TTL")) { _ = try await log.grantLease(ttl: 9_000_000_001) }
      #expect(try await log.leases() == [42, random.id].sorted())
      #expect(try await log.headRevision() == 0)  // leases take no revision

      try await log.put("a", "1", lease: 42)
      try await log.put("b", "1", lease: 42)
      try await log.put("c", "1", lease: random.id)
      let info = try await log.leaseInfo(42, keys: true)
      #expect(info.id == 42 && info.grantedTTL == 2 && info.remainingTTL == 2 && info.keys == [b("a"), b("b")])
      #expect(try await log.leaseInfo(42).keys.isEmpty)

      env.clock.advance(milliseconds: 1500)
      #expect(try await log.leaseInfo(42).remainingTTL == 1)
      #expect(try await log.keepAlive(lease: 42) == 2)
      #expect(try await log.leaseInfo(42).remainingTTL == 2)

      let revoked = try await log.revokeLease(42)
      #expect(revoked == 4)
      #expect(try await log.headRevision() == 4)
      #expect(try await log.keys(KeyRange(start: [0], end: [0])) == ["c"])
      let events = try await collectEvents(log, KeyRange(start: [0], end: [0]), from: 4, through: 4)
      #expect(events.map(\.kind) == [.delete, .delete])
      #expect(events.map(\.kv.keyString) == ["a", "b"])
      #expect(events.allSatisfy { $0.revision == 4 && $0.prevKV?.lease == 42 })

      await expectStoreError(.leaseNotFound) { try await log.revokeLease(42) }
      await expectStoreError(.leaseNotFound) { _ = try await log.keepAlive(lease: 42) }
      let gone = try await log.leaseInfo(42)
      #expect(gone.grantedTTL == 0 && gone.remainingTTL == -1 && gone.keys.isEmpty)
      #expect(try await log.leases() == [random.id])

      // A lease without keys goes without a revision.
      let empty = try await log.grantLease(id: 7, ttl: 30)
      #expect(try await log.revokeLease(empty.id) == 4)
      #expect(try await log.headRevision() == 4)
    }
  }

  static func leaseExpiry(_ backend: Backend) async throws {
    try await withLog(backend) { env in
      let log = env.log
      _ = try await log.grantLease(id: 9, ttl: 5)
      _ = try await log.grantLease(id: 10, ttl: 60)
      try await log.put("x", "1", lease: 9)
      try await log.put("y", "1", lease: 9)
      try await log.put("z", "1", lease: 10)

      env.clock.advance(milliseconds: 4000)
      try await Task.sleep(for: .milliseconds(200))  // several expiry checks
      #expect(try await log.keys(KeyRange(start: [0], end: [0])) == ["x", "y", "z"])
      #expect(try await log.leaseInfo(9).remainingTTL == 1)

      env.clock.advance(milliseconds: 1001)
      try await eventually("lease 9 expires") { try await log.leases() == [10] }
      try await eventually("lease 9's keys go") { try await log.keys(KeyRange(start: [0], end: [0])) == ["z"] }
      #expect(try await log.headRevision() == 4)  // both keys in one revision
      await expectStoreError(.leaseNotFound) { _ = try await log.keepAlive(lease: 9) }
      #expect(try await log.leaseInfo(9).remainingTTL == -1)

      // An expired lease cannot be kept alive even before the sweeper revokes it.
      env.clock.advance(milliseconds: 60_000)
      await expectStoreError(.leaseNotFound) { _ = try await log.keepAlive(lease: 10) }
      try await eventually("lease 10 expires") { try await log.leases().isEmpty }
      #expect(try await log.headRevision() == 5)
    }
  }
}
