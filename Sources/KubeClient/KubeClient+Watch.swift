import KubeAPI

/// One watch event.
public struct WatchEvent: Sendable {
  public enum EventType: String, Sendable {
    case added = "ADDED", modified = "MODIFIED", deleted = "DELETED", bookmark = "BOOKMARK", error = "ERROR"
  }

  public var type: EventType
  public var object: JSONValue
}

extension KubeClient {
  /// Watches a collection from `resourceVersion`. The stream ends when the server closes the
  /// watch; an ERROR event (410 Gone after compaction, say) ends it with that status as error.
  public func watch(
    _ type: ResourceType, namespace: String? = nil, resourceVersion: String, labelSelector: String? = nil,
    fieldSelector: String? = nil, timeoutSeconds: Int = 300, bookmarks: Bool = true
  ) async throws -> AsyncThrowingStream<WatchEvent, any Error> {
    var query: [(String, String)] = [("watch", "true"), ("resourceVersion", resourceVersion)]
    if bookmarks { query.append(("allowWatchBookmarks", "true")) }
    query.append(("timeoutSeconds", String(timeoutSeconds)))
    if let labelSelector { query.append(("labelSelector", labelSelector)) }
    if let fieldSelector { query.append(("fieldSelector", fieldSelector)) }
    let request = KubeRequest(method: "GET", path: type.path(namespace: namespace), query: query)
    let response: KubeStreamingResponse
    do {
      response = try await transport.stream(request)
    } catch let error as KubeClientError {
      throw error
    } catch {
      throw KubeClientError.transport("\(error)")
    }
    guard (200..<300).contains(response.status) else {
      var body: [UInt8] = []
      for try await part in response.body where body.count < 65536 { body += part }
      _ = try Self.decode(status: response.status, body: body)
      throw KubeClientError.invalidResponse("watch answered \(response.status)")
    }
    return AsyncThrowingStream { continuation in
      let task = Task {
        var lines = LineSplitter()
        do {
          for try await part in response.body {
            for line in lines.append(part) {
              let event = try Self.watchEvent(line)
              if event.type == .error {
                throw KubeClientError.status(
                  StatusError(status: event.object)
                    ?? StatusError(code: 500, reason: .internalError, message: "watch error"))
              }
              continuation.yield(event)
            }
          }
          continuation.finish()
        } catch {
          continuation.finish(throwing: error)
        }
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }

  static func watchEvent(_ line: [UInt8]) throws -> WatchEvent {
    let value: JSONValue
    do {
      value = try JSONValue.parse(line)
    } catch {
      throw KubeClientError.invalidResponse("watch event is not JSON: \(error)")
    }
    guard let name = value["type"]?.stringValue, let type = WatchEvent.EventType(rawValue: name),
      let object = value["object"]
    else { throw KubeClientError.invalidResponse("watch event without type or object") }
    return WatchEvent(type: type, object: object)
  }
}

/// Cuts a byte stream into newline-terminated lines (watch events are one JSON document per line).
struct LineSplitter {
  private var pending: [UInt8] = []

  mutating func append(_ bytes: [UInt8]) -> [[UInt8]] {
    var lines: [[UInt8]] = []
    var start = bytes.startIndex
    for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
      pending += bytes[start..<index]
      if !pending.isEmpty { lines.append(pending) }
      pending = []
      start = index + 1
    }
    pending += bytes[start...]
    return lines
  }
}
