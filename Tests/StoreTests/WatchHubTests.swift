import Synchronization
import Testing

@testable import Store

/// A waiting watcher is woken by changes in its range, by commits whose events are only in the
/// log, and before the buffer drops what follows its position; not by changes of other keys.
@Suite struct WatchHubTests {
  private static let pods = KeyRange.prefix(b("/registry/pods/"))

  private static func put(_ key: String, at revision: Int64) -> WatchEvent {
    WatchEvent(
      kind: .put, kv: KeyValue(key: b(key), value: b("v"), createRevision: revision, modRevision: revision), prevKV: nil
    )
  }

  /// Starts a wait after `revision` on `range`.
  private func waiting(_ hub: WatchHub, after revision: Int64, in range: KeyRange) async throws -> Waiting {
    let answer = Answer()
    let task = Task {
      let quiet = await hub.wait(after: revision, in: range)
      answer.value.withLock { $0 = quiet }
    }
    // Give the wait time to register: a publish before that would count as "already newer".
    try await Task.sleep(for: .milliseconds(50))
    return Waiting(task: task, answer: answer)
  }

  @Test func otherKeysDoNotWakeAWatcher() async throws {
    let hub = WatchHub(lastRevision: 10)
    let watcher = try await waiting(hub, after: 10, in: Self.pods)
    for revision in Int64(11)...20 { hub.publish([Self.put("/etcdctl/\(revision)", at: revision)], through: revision) }
    try await Task.sleep(for: .milliseconds(100))
    #expect(watcher.answer.value.withLock { $0 } == nil)
    // Nothing after 10 was in its range up to 20.
    #expect(hub.quietThrough(in: Self.pods, after: 10) == 20)

    hub.publish([Self.put("/registry/pods/a", at: 21)], through: 21)
    #expect(try await watcher.result() == 20)
    #expect(hub.quietThrough(in: Self.pods, after: 10) == 20)
    #expect(hub.quietThrough(in: Self.pods, after: 21) == 21)
  }

  @Test func revisionsOnlyInTheLogWakeEveryWatcher() async throws {
    let hub = WatchHub(lastRevision: 10)
    let watcher = try await waiting(hub, after: 10, in: Self.pods)
    hub.publish([], through: 11)
    #expect(try await watcher.result() == 10)
    #expect(hub.quietThrough(in: Self.pods, after: 10) == 10)
  }

  @Test func aWatcherIsWokenBeforeTheBufferDropsItsPlace() async throws {
    let hub = WatchHub(lastRevision: 10, maxEvents: 4)
    let watcher = try await waiting(hub, after: 10, in: Self.pods)
    for revision in Int64(11)...14 { hub.publish([Self.put("/etcdctl/\(revision)", at: revision)], through: revision) }
    try await Task.sleep(for: .milliseconds(100))
    #expect(watcher.answer.value.withLock { $0 } == nil)
    // The fifth event pushes revision 11 out: the watcher learns it may skip to 15.
    hub.publish([Self.put("/etcdctl/15", at: 15)], through: 15)
    #expect(try await watcher.result() == 15)
  }

  @Test func cancellingAWaitReturnsWhatWasQuiet() async throws {
    let hub = WatchHub(lastRevision: 10)
    let watcher = try await waiting(hub, after: 10, in: Self.pods)
    hub.publish([Self.put("/etcdctl/11", at: 11)], through: 11)
    watcher.task.cancel()
    #expect(try await watcher.result() == 11)
  }
}

private final class Answer: Sendable {
  let value = Mutex<Int64?>(nil)
}

private struct Waiting {
  let task: Task<Void, Never>
  let answer: Answer

  /// What the wait returned, once it did.
  func result() async throws -> Int64? {
    try await within(.seconds(5), "the watcher to wake") { [task, answer] in
      await task.value
      return answer.value.withLock { $0 }
    }
  }
}
