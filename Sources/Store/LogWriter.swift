import Foundation
import Logging
import SkiffCore

/// The single writer: a thread that takes every queued write job, runs them in one database
/// transaction and commits once (group commit: one fsync for many writers), then answers them.
final class LogWriter: @unchecked Sendable {
  /// A queued job: `run` does the work inside the transaction and keeps its own result;
  /// `finish` answers the caller once the batch committed or failed.
  struct Job {
    let run: (WriteBatch) throws -> Void
    let finish: (Error?) -> Void
  }

  private let driver: SQLDriver
  /// The current keys, when kept in memory: each batch edits a draft, staged before COMMIT.
  private let index: KeyIndex?
  private let logger: Logger
  private let condition = NSCondition()
  private var queue: [Job] = []
  private var stopping = false
  private var thread: Thread?
  private var connection: SQLConnection?
  /// Receives the committed events in revision order, in segments: each segment's events are
  /// complete through its revision, except a segment with no events, whose revisions are only
  /// in the log.
  private let onCommit: @Sendable ([WatchEvent], Int64) -> Void
  static let maxBatch = 1000

  init(
    driver: SQLDriver, index: KeyIndex?, logger: Logger,
    onCommit: @escaping @Sendable ([WatchEvent], Int64) -> Void
  ) {
    self.driver = driver
    self.index = index
    self.logger = logger
    self.onCommit = onCommit
  }

  func start() {
    let thread = Thread(named: "skiff-writer") { [self] in loop() }
    thread.stackSize = 1 << 20
    self.thread = thread
    thread.start()
  }

  /// Stops after the queued jobs ran.
  func stop() {
    condition.lock()
    stopping = true
    condition.broadcast()
    condition.unlock()
  }

  /// Runs `body` in the next batch and returns its result once that batch committed.
  func write<T: Sendable>(_ body: @escaping (WriteBatch) throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
      submit(body) { continuation.resume(with: $0) }
    }
  }

  /// Queues `body` for the next batch; `completion` gets its result on the writer's thread once
  /// that batch committed (or at once, when the writer is stopping). No task is involved, so an
  /// event loop can hand writes over and be answered without a hop through the task pool.
  func submit<T>(_ body: @escaping (WriteBatch) throws -> T, completion: @escaping (Result<T, Error>) -> Void) {
    // Written by `run` on the writer thread, read by `finish` on the same thread afterwards.
    let box = ResultBox<T>()
    let job = Job(
      run: { batch in
        do {
          box.result = .success(try body(batch))
        } catch let error as StoreError where batch.revision == nil && !error.isUnavailable {
          box.result = .failure(error)
        } catch let error as StoreError where error.isUnavailable {
          throw error
        } catch {
          // It failed half-way through its writes: only a rollback can undo them.
          throw JobAborted(error: error)
        }
      },
      finish: { error in completion(error.map { .failure($0) } ?? box.result!) })
    condition.lock()
    if stopping {
      condition.unlock()
      completion(.failure(StoreError.unavailable("datastore is shutting down")))
      return
    }
    queue.append(job)
    condition.signal()
    condition.unlock()
  }

  private func loop() {
    while true {
      condition.lock()
      while queue.isEmpty && !stopping { condition.wait() }
      if queue.isEmpty && stopping {
        condition.unlock()
        connection?.close()
        return
      }
      let jobs = Array(queue.prefix(Self.maxBatch))
      queue.removeFirst(jobs.count)
      condition.unlock()
      commit(jobs)
    }
  }

  /// Runs one batch. A job that fails with a StoreError before writing anything just returns
  /// that error; any other failure rolls the whole batch back and every job sees it.
  private func commit(_ jobs: [Job]) {
    let connection: SQLConnection
    do {
      connection = try self.connection ?? driver.connectWriter()
      self.connection = connection
    } catch {
      logger.error("datastore unreachable", metadata: ["driver": "\(driver.name)", "error": "\(error)"])
      jobs.forEach { $0.finish(StoreError.unavailable("\(error)")) }
      return
    }
    let keys = index?.draft()
    let batch = WriteBatch(
      session: LogSession(connection: connection, keys: keys), countsRevisions: driver.isShared)
    var segments: [(events: [WatchEvent], revision: Int64)] = []
    var events: [WatchEvent] = []
    var lastRevision: Int64 = 0
    var current = 0
    do {
      try connection.execute(driver.beginWrite)
      for (index, job) in jobs.enumerated() {
        current = index
        batch.reset()
        try job.run(batch)
        if let revision = batch.revision {
          if batch.eventsOnlyInLog {
            if lastRevision > 0 && !events.isEmpty { segments.append((events, lastRevision)) }
            segments.append(([], revision))
            events = []
          } else {
            // In the order written, as the log holds them (and etcd, by sub-revision).
            events += batch.events
          }
          lastRevision = revision
        }
      }
      try batch.flushCounter()
      if lastRevision > 0 {
        try driver.willCommit(on: connection, revision: lastRevision)
        if let keys { index?.stage(keys, revision: lastRevision) }
      }
      try connection.execute("COMMIT")
      index?.publishStaged()
    } catch let aborted as JobAborted {
      try? connection.execute("ROLLBACK")
      index?.dropStaged()
      jobs[current].finish(aborted.error)
      var others = jobs
      others.remove(at: current)
      if !others.isEmpty { commit(others) }
      return
    } catch {
      try? connection.execute("ROLLBACK")
      index?.dropStaged()
      // A broken connection is replaced on the next batch.
      connection.close()
      self.connection = nil
      logger.error("write batch failed", metadata: ["driver": "\(driver.name)", "error": "\(error)"])
      let failure = (error as? StoreError) ?? StoreError.unavailable("\(error)")
      jobs.forEach { $0.finish(failure) }
      return
    }
    if !events.isEmpty { segments.append((events, lastRevision)) }
    for segment in segments { onCommit(segment.events, segment.revision) }
    jobs.forEach { $0.finish(nil) }
  }
}

/// A job failed after it had written; the batch must roll back without it.
private struct JobAborted: Error {
  let error: Error
}

/// Carries a job's result from the writer thread to its continuation.
private final class ResultBox<T>: @unchecked Sendable {
  var result: Result<T, Error>?
}
