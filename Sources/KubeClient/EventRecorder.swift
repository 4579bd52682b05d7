import KubeAPI
import Logging
import SkiffCore
import Synchronization

/// Records core/v1 Events about objects (`kubectl describe` shows them). Repeats of the same
/// event bump `count` on one object instead of writing a new one, and a per-object token bucket
/// (burst 25, one more every 5 minutes, as client-go's spam filter) keeps a hot loop from
/// flooding the store. Writing happens in the background: a controller never waits for it.
public final class EventRecorder: Sendable {
  public enum EventType: String, Sendable { case normal = "Normal", warning = "Warning" }

  struct Pending: Sendable {
    var involved: JSONValue
    var namespace: String
    var type: EventType
    var reason: String
    var message: String
  }

  private struct Aggregate {
    var name: String
    var count: Int64
  }

  private struct Bucket {
    var tokens: Double
    var updated: Int64
  }

  private struct State {
    var aggregates: [String: Aggregate] = [:]
    var buckets: [String: Bucket] = [:]
  }

  let client: KubeClient
  let component: String
  let host: String
  let clock: any WallClock
  let logger: Logger
  private let state = Mutex(State())
  private let pending: AsyncStream<Pending>.Continuation
  private let stream: AsyncStream<Pending>

  static let burst = 25.0
  static let refillMilliseconds = 300_000.0

  public init(
    client: KubeClient, component: String, host: String = "", clock: any WallClock = SystemClock(),
    logger: Logger = Logger(label: "events")
  ) {
    self.client = client
    self.component = component
    self.host = host
    self.clock = clock
    self.logger = logger
    (stream, pending) = AsyncStream.makeStream(of: Pending.self, bufferingPolicy: .bufferingNewest(4096))
  }

  /// Records an event about `object` (any object with metadata).
  public func record(_ object: JSONValue, _ type: EventType = .normal, reason: String, message: String) {
    let meta = object.metadata
    var involved: [String: JSONValue] = [
      "kind": .string(object.kind ?? ""), "name": .string(meta.name ?? ""), "uid": .string(meta.uid ?? ""),
      "apiVersion": .string(object.apiVersion ?? ""), "resourceVersion": .string(meta.resourceVersion ?? ""),
    ]
    if let namespace = meta.namespace { involved["namespace"] = .string(namespace) }
    let namespace = meta.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
    guard take(token: "\(meta.uid ?? "")") else { return }
    pending.yield(
      Pending(involved: .object(involved), namespace: namespace, type: type, reason: reason, message: message))
  }

  /// Writes queued events until cancelled.
  public func run() async {
    await withTaskCancellationHandler {
      for await event in stream { await write(event) }
    } onCancel: { [pending] in
      pending.finish()
    }
  }

  private func take(token key: String) -> Bool {
    let now = clock.nowMilliseconds()
    return state.withLock { state in
      if state.buckets.count > 8192 {
        // Buckets idle for a refill period are nearly full again: forget them.
        state.buckets = state.buckets.filter { now - $0.value.updated < Int64(Self.refillMilliseconds) }
      }
      var bucket = state.buckets[key] ?? Bucket(tokens: Self.burst, updated: now)
      bucket.tokens = min(Self.burst, bucket.tokens + Double(now - bucket.updated) / Self.refillMilliseconds)
      bucket.updated = now
      defer { state.buckets[key] = bucket }
      guard bucket.tokens >= 1 else { return false }
      bucket.tokens -= 1
      return true
    }
  }

  private func write(_ event: Pending) async {
    let now = KubeTime(clock: clock)
    let key = [
      event.involved["uid"]?.stringValue ?? "", event.type.rawValue, event.reason, event.message,
    ].joined(separator: "\u{0}")
    if let aggregate = state.withLock({ $0.aggregates[key] }) {
      let patch: JSONValue = [
        "count": .int(aggregate.count + 1), "lastTimestamp": .string(now.rfc3339),
      ]
      if (try? await client.patch(.events, namespace: event.namespace, name: aggregate.name, patch)) != nil {
        state.withLock { $0.aggregates[key]?.count += 1 }
        return
      }
    }
    let name =
      "\(event.involved["name"]?.stringValue ?? "event").\(String(UInt64(now.milliseconds) * 1_000_000 + UInt64.random(in: 0..<1_000_000), radix: 16))"
    var source: [String: JSONValue] = ["component": .string(component)]
    if !host.isEmpty { source["host"] = .string(host) }
    let object: JSONValue = .object([
      "apiVersion": "v1", "kind": "Event",
      "metadata": .object(["name": .string(name), "namespace": .string(event.namespace)]),
      "involvedObject": event.involved, "reason": .string(event.reason), "message": .string(event.message),
      "type": .string(event.type.rawValue), "count": 1, "firstTimestamp": .string(now.rfc3339),
      "lastTimestamp": .string(now.rfc3339), "source": .object(source),
      "reportingComponent": .string(component), "reportingInstance": .string(host),
    ])
    do {
      try await client.create(.events, namespace: event.namespace, object)
      state.withLock { state in
        if state.aggregates.count > 4096 { state.aggregates.removeAll() }
        state.aggregates[key] = Aggregate(name: name, count: 1)
      }
    } catch {
      logger.debug("event not recorded", metadata: ["reason": "\(event.reason)", "error": "\(error)"])
    }
  }
}
