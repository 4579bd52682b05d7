import Foundation
import KubeAPI
import NIOHTTP1

extension ResourceHandler {
  /// A watch stream: one JSON event per line, ADDED/MODIFIED/DELETED as seen through the
  /// request's selectors, BOOKMARKs when asked, ended by timeoutSeconds or the client.
  func watch(name: String? = nil) async throws(APIError) -> HTTPResponse {
    let (labels, fields) = try selectors()
    let prefix = definition.storagePrefix(namespace: namespace)
    let bookmarks = request.flag("allowWatchBookmarks")
    let initialEvents = request.flag("sendInitialEvents")
    let asked = request.parameter("resourceVersion") ?? ""
    let start: WatchCache.WatchStart
    if initialEvents || asked.isEmpty || asked == "0" {
      try await freshCache(through: asked.isEmpty || initialEvents ? nil : 0)
      start = .current
    } else {
      guard let revision = Int64(asked) else {
        throw APIError.badRequest("invalid resource version: \(asked)")
      }
      try await freshCache(through: revision)
      start = .after(revision)
    }
    let subscription = try cache.subscribe(start)
    let timeout = Double(request.parameter("timeoutSeconds") ?? "") ?? Double.random(in: 1800...3600)
    let table = wantsTable
    let definition = self.definition
    let matches: @Sendable (CachedObject?) -> Bool = { object in
      guard let object, object.key.hasPrefix(prefix) else { return false }
      return object.matches(labels, fields)
    }
    var headers = HTTPHeaders()
    headers.add(name: "content-type", value: "application/json")
    headers.add(name: "cache-control", value: "no-cache, private")
    headers.add(name: "transfer-encoding", value: "chunked")
    return .stream(status: .ok, headers: headers) { writer in
      defer { subscription.cancel() }
      let encoder = WatchEventEncoder(definition: definition, table: table)
      for event in subscription.initial {
        if let line = encoder.line(for: event, matches: matches) { try await writer.write(line) }
      }
      if initialEvents && bookmarks {
        try await writer.write(encoder.bookmark(revision: subscription.revision, initialEventsEnd: true))
      }
      enum Item: Sendable { case event(WatchCache.Event), tick }
      let (items, continuation) = AsyncStream.makeStream(of: Item.self)
      let forward = Task {
        for await event in subscription.events { continuation.yield(.event(event)) }
        continuation.finish()
      }
      let ticker = Task {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while ContinuousClock.now < deadline {
          try? await Task.sleep(for: min(.seconds(30), deadline - ContinuousClock.now))
          if Task.isCancelled { return }
          continuation.yield(.tick)
        }
        continuation.finish()
      }
      defer {
        forward.cancel()
        ticker.cancel()
      }
      var revision = subscription.revision
      for await item in items {
        switch item {
        case .event(let event):
          revision = max(revision, event.object.revision)
          if let line = encoder.line(for: event, matches: matches) { try await writer.write(line) }
        case .tick:
          if bookmarks { try await writer.write(encoder.bookmark(revision: revision, initialEventsEnd: false)) }
        }
      }
    }
  }
}

/// Turns cache events into watch lines as the client asked for them (objects or Table rows).
struct WatchEventEncoder: Sendable {
  let definition: ResourceDefinition
  let table: TableWriter.IncludeObject?

  /// The event as this watcher sees it through its selectors: an object leaving the selection
  /// is a DELETED, one entering it an ADDED.
  func line(for event: WatchCache.Event, matches: (CachedObject?) -> Bool) -> [UInt8]? {
    let now = matches(event.object)
    let before = matches(event.previous)
    let type: WatchCache.EventType
    switch event.type {
    case .added:
      guard now else { return nil }
      type = .added
    case .modified:
      if now && before {
        type = .modified
      } else if now {
        type = .added
      } else if before {
        type = .deleted
      } else {
        return nil
      }
    case .deleted:
      guard before || now else { return nil }
      type = .deleted
    }
    var out = Array("{\"type\":\"\(type.rawValue)\",\"object\":".utf8)
    if let table {
      out += TableWriter(definition: definition, includeObject: table).table(
        for: [event.object.object], revision: String(event.object.revision), columns: false)
    } else {
      out += definition.served(event.object)
    }
    out += Array("}\n".utf8)
    return out
  }

  func bookmark(revision: Int64, initialEventsEnd: Bool) -> [UInt8] {
    var metadata: [String: JSONValue] = ["resourceVersion": .string(String(revision))]
    if initialEventsEnd { metadata["annotations"] = .object(["k8s.io/initial-events-end": .string("true")]) }
    let object = JSONValue.object([
      "kind": .string(definition.kind), "apiVersion": .string(definition.apiVersion), "metadata": .object(metadata),
    ])
    return Array("{\"type\":\"BOOKMARK\",\"object\":".utf8) + object.encoded() + Array("}\n".utf8)
  }
}
