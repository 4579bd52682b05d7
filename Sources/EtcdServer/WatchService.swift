import AsyncAlgorithms
import GRPCCore
import NIOConcurrencyHelpers
import Store

/// etcd's Watch service: each stream multiplexes any number of watchers, each pulling from the
/// revision log at its own pace. Responses of one stream go out through one channel, which
/// gives both ordering and back-pressure.
struct WatchService {
  let log: RevisionLog
  let identity: EtcdIdentity
  /// How often watchers that asked for progress notifications get one when idle (etcd: 10 min).
  let progressInterval: Duration

  func watch(
    request: RPCAsyncSequence<Etcdserverpb_WatchRequest, any Error>,
    response: RPCWriter<Etcdserverpb_WatchResponse>, context: ServerContext
  ) async throws {
    let stream = WatchStream(log: log, identity: identity)
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        for await message in stream.outbox { try await response.write(message) }
      }
      group.addTask {
        while !Task.isCancelled {
          try await Task.sleep(for: progressInterval)
          await stream.notifyIdleWatchers()
        }
      }
      defer {
        stream.close()
        group.cancelAll()
      }
      for try await message in request {
        switch message.requestUnion {
        case .createRequest(let create): await stream.create(create)
        case .cancelRequest(let cancel): await stream.cancel(cancel.watchID)
        case .progressRequest: await stream.reportProgress()
        case nil: break
        }
      }
    }
  }
}

/// The watchers of one Watch stream.
final class WatchStream: Sendable {
  private struct Watcher {
    let task: Task<Void, Never>
    let range: KeyRange
    let progressNotify: Bool
    /// Delivered through this revision.
    var revision: Int64
    /// Sent something since the last progress tick.
    var active: Bool
  }

  let log: RevisionLog
  let identity: EtcdIdentity
  let outbox = AsyncChannel<Etcdserverpb_WatchResponse>()
  private let watchers = NIOLockedValueBox<[Int64: Watcher]>([:])
  private let nextID = NIOLockedValueBox<Int64>(0)

  init(log: RevisionLog, identity: EtcdIdentity) {
    self.log = log
    self.identity = identity
  }

  func create(_ request: Etcdserverpb_WatchCreateRequest) async {
    var created = Etcdserverpb_WatchResponse()
    created.header = identity.header(log.currentRevision)
    created.created = true
    let id: Int64? = watchers.withLockedValue { watchers in
      if request.watchID != 0 { return watchers[request.watchID] == nil ? request.watchID : nil }
      return nextID.withLockedValue { next in
        while watchers[next] != nil { next += 1 }
        defer { next += 1 }
        return next
      }
    }
    guard let id else {
      created.watchID = request.watchID
      created.canceled = true
      created.cancelReason = EtcdError.duplicateWatchID
      await outbox.send(created)
      return
    }
    created.watchID = id
    let range = KeyRange(key: request.key, rangeEnd: request.rangeEnd)
    let cursor: WatchCursor
    do {
      cursor = try log.watch(range, from: request.startRevision)
    } catch {
      await outbox.send(created)
      await sendCancel(id, error: error)
      return
    }
    await outbox.send(created)
    // Registered under the lock the pump checks first, so it never runs unregistered; the
    // request loop handles one request at a time, so a cancel always finds it.
    watchers.withLockedValue { watchers in
      let task = Task { [self] in await pump(id: id, cursor: cursor, request: request) }
      watchers[id] = Watcher(
        task: task, range: range, progressNotify: request.progressNotify, revision: cursor.revision, active: false)
    }
  }

  func cancel(_ id: Int64) async {
    guard let watcher = watchers.withLockedValue({ $0.removeValue(forKey: id) }) else { return }
    watcher.task.cancel()
    var response = Etcdserverpb_WatchResponse()
    response.header = identity.header(log.currentRevision)
    response.watchID = id
    response.canceled = true
    await outbox.send(response)
  }

  /// Answers a progress request: every watcher of the stream has delivered everything up to the
  /// reported revision (etcd sends it with watch id -1).
  func reportProgress() async {
    let revision = watchers.withLockedValue { $0.values.map(progress).min() } ?? log.currentRevision
    var response = Etcdserverpb_WatchResponse()
    response.header = identity.header(revision)
    response.watchID = -1
    await outbox.send(response)
  }

  /// Periodic progress for idle watchers that asked for it.
  func notifyIdleWatchers() async {
    let due = watchers.withLockedValue { watchers -> [(Int64, Int64)] in
      var due: [(Int64, Int64)] = []
      for (id, watcher) in watchers {
        if watcher.progressNotify && !watcher.active { due.append((id, progress(watcher))) }
        watchers[id]?.active = false
      }
      return due
    }
    for (id, revision) in due {
      var response = Etcdserverpb_WatchResponse()
      response.header = identity.header(revision)
      response.watchID = id
      await outbox.send(response)
    }
  }

  /// A watcher's pump wakes only for changes in its range, so its own revision may lag behind
  /// revisions that changed other keys.
  private func progress(_ watcher: Watcher) -> Int64 {
    log.quietThrough(in: watcher.range, after: watcher.revision)
  }

  func close() {
    let all = watchers.withLockedValue { watchers in
      defer { watchers.removeAll() }
      return Array(watchers.values)
    }
    all.forEach { $0.task.cancel() }
    outbox.finish()
  }

  private func pump(id: Int64, cursor start: WatchCursor, request: Etcdserverpb_WatchCreateRequest) async {
    var cursor = start
    let noPut = request.filters.contains(.noput)
    let noDelete = request.filters.contains(.nodelete)
    do {
      while true {
        let events = try await cursor.next().filter { event in
          event.kind == .put ? !noPut : !noDelete
        }
        let revision = cursor.revision
        let stillWatching = watchers.withLockedValue { watchers -> Bool in
          guard watchers[id] != nil else { return false }
          watchers[id]?.revision = revision
          if !events.isEmpty { watchers[id]?.active = true }
          return true
        }
        guard stillWatching else { return }
        if events.isEmpty { continue }
        for message in messages(id: id, events: events, revision: revision, request: request) {
          await outbox.send(message)
        }
      }
    } catch is CancellationError {
      return
    } catch {
      guard watchers.withLockedValue({ $0.removeValue(forKey: id) }) != nil else { return }
      await sendCancel(id, error: error)
    }
  }

  /// One response, or fragments of at most etcd's request size when the watcher allows it.
  private func messages(
    id: Int64, events: [WatchEvent], revision: Int64, request: Etcdserverpb_WatchCreateRequest
  ) -> [Etcdserverpb_WatchResponse] {
    var chunks: [[Mvccpb_Event]] = [[]]
    var size = 0
    for event in events {
      let converted = Mvccpb_Event(event, withPrevious: request.prevKv)
      let bytes = event.kv.key.count + event.kv.value.count + (request.prevKv ? (event.prevKV?.value.count ?? 0) : 0)
      if request.fragment && size + bytes > KVService.maxRequestBytes && !chunks[chunks.count - 1].isEmpty {
        chunks.append([])
        size = 0
      }
      chunks[chunks.count - 1].append(converted)
      size += bytes
    }
    return chunks.enumerated().map { index, chunk in
      var response = Etcdserverpb_WatchResponse()
      response.header = identity.header(revision)
      response.watchID = id
      response.events = chunk
      response.fragment = index < chunks.count - 1
      return response
    }
  }

  private func sendCancel(_ id: Int64, error: Error) async {
    var response = Etcdserverpb_WatchResponse()
    response.header = identity.header(log.currentRevision)
    response.watchID = id
    response.canceled = true
    if case StoreError.compacted(let compact) = error {
      response.compactRevision = compact
    } else {
      response.cancelReason = EtcdError.from(error).message
    }
    await outbox.send(response)
  }
}
