import Foundation
import Logging
import Store
import Testing

@testable import APIServer

/// A watch cache before and after its first list: until it has listed it answers for no
/// revision, so a read or watch that arrives first waits for it instead of being answered as
/// of a revision whose objects it does not hold.
@Suite struct WatchCacheTests {
  @Test func answersForNothingUntilItsFirstList() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-wc-\(UUID())").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let log = try await RevisionLog.open(driver: SQLiteDriver(path: "\(directory)/state.db"))
    let running = Task { try await log.run() }
    defer { running.cancel() }
    let definition = try #require(BuiltinResources.all().first { $0.plural == "configmaps" })
    // A write elsewhere: the configmaps' range is quiet through the newest revision, but the
    // cache has not listed it yet.
    let other = try await log.put(PutRequest(key: Array("/registry/pods/default/p".utf8), value: Array("{}".utf8)))

    let cache = WatchCache(definition: definition, objects: ObjectStore(log: log), logger: Logger(label: "test"))
    #expect(cache.revision == 0)
    #expect(!cache.isFresh(through: 0))
    #expect(cache.snapshot(prefix: "/registry/configmaps/").revision == 0)

    let following = Task { await cache.run() }
    defer { following.cancel() }
    await cache.waitUntilFresh(other.revision)
    let snapshot = cache.snapshot(prefix: "/registry/configmaps/")
    #expect(snapshot.objects.isEmpty)
    #expect(snapshot.revision >= other.revision)

    // A watch from that revision sees the next change.
    let subscription = try cache.subscribe(.after(snapshot.revision))
    defer { subscription.cancel() }
    let value = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b","namespace":"default"}}"#
    let created = try await log.put(
      PutRequest(key: Array("/registry/configmaps/default/b".utf8), value: Array(value.utf8)))
    var events = subscription.events.makeAsyncIterator()
    let event = try #require(await events.next())
    #expect(event.type == .added)
    #expect(event.object.key == "/registry/configmaps/default/b")
    #expect(event.object.revision == created.revision)
  }
}
