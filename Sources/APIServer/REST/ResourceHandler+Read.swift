import Foundation
import KubeAPI
import NIOHTTP1
import Store

extension ResourceHandler {
  /// Waits until the watch cache answers as of `revision`, by default every committed one, so
  /// reads are consistent; 0 waits only for its first list.
  func freshCache(through revision: Int64? = nil) async throws(APIError) {
    let revision = revision ?? state.log.currentRevision
    guard !cache.isFresh(through: revision) else { return }
    let fresh = await withTaskGroup(of: Bool.self) { group in
      group.addTask { [cache] in
        await cache.waitUntilFresh(revision)
        return true
      }
      group.addTask {
        try? await Task.sleep(for: .seconds(3))
        return false
      }
      let first = await group.next() ?? false
      group.cancelAll()
      return first
    }
    if !fresh { throw APIError.timeout("Too large resource version: \(revision), current: \(cache.revision)") }
  }

  /// A get is a consistent read. The watch cache answers it when it has seen every committed
  /// revision that could touch this type; otherwise the object comes from the store, as upstream
  /// reads such gets from etcd, instead of waiting for the cache to catch up with writes to other
  /// objects of the type (the tail of a get's latency under a steady write load).
  func get(name: String) async throws(APIError) -> HTTPResponse {
    let key = definition.storageKey(namespace: namespace, name: name)
    let found: CachedObject?
    if cache.isFresh(through: state.log.currentRevision) {
      found = cache.object(key: key)
    } else {
      do {
        found = try await state.objects.get(key: key).flatMap { CachedObject(kv: $0, definition: definition) }
      } catch {
        throw APIError.storage(error)
      }
    }
    guard let object = found else { throw APIError.notFound(definition, name: name) }
    if wantsTable != nil { return respond(.ok, object: object.object) }
    return respond(.ok, definition.served(object))
  }

  func selectors() throws(APIError) -> (labels: LabelSelector, fields: FieldSelector) {
    do {
      let labels = try LabelSelector(parsing: request.parameter("labelSelector") ?? "")
      var fields = try FieldSelector(parsing: request.parameter("fieldSelector") ?? "")
      if let name = target.name { fields = FieldSelector(fields.terms + [.init(field: "metadata.name", value: name)]) }
      for term in fields.terms
      where !["metadata.name", "metadata.namespace"].contains(term.field)
        && !definition.strategy.selectableFields.contains(term.field)
      {
        throw APIError.badRequest("field label not supported: \(term.field)")
      }
      return (labels, fields)
    } catch let error as KubeAPIError {
      throw APIError.badRequest(error.message)
    } catch {
      throw APIError.badRequest("\(error)")
    }
  }

  func list() async throws(APIError) -> HTTPResponse {
    let (labels, fields) = try selectors()
    let limit = Int(request.parameter("limit") ?? "") ?? 0
    let prefix = definition.storagePrefix(namespace: namespace)
    var items: [CachedObject] = []
    var revision: Int64
    var next: ListContinue? = nil
    if let token = request.parameter("continue"), !token.isEmpty {
      guard let position = ListContinue(token: token) else { throw APIError.badRequest("continue key is not valid") }
      (items, next) = try await listFromStore(
        prefix: prefix, from: position, limit: limit, labels: labels, fields: fields)
      revision = position.revision
    } else {
      let match = request.parameter("resourceVersionMatch") ?? ""
      let asked = Int64(request.parameter("resourceVersion") ?? "") ?? 0
      if match == "Exact" && asked > 0 && asked != cache.revision {
        (items, next) = try await listFromStore(
          prefix: prefix, from: ListContinue(revision: asked, start: prefix), limit: limit, labels: labels,
          fields: fields)
        revision = asked
      } else {
        try await freshCache(through: request.parameter("resourceVersion") == "0" ? 0 : nil)
        let snapshot = cache.snapshot(prefix: prefix)
        revision = snapshot.revision
        for object in snapshot.objects where object.matches(labels, fields) {
          if limit > 0 && items.count == limit {
            next = ListContinue(revision: revision, start: items.last!.key + "\u{0}")
            break
          }
          items.append(object)
        }
      }
    }
    if let include = wantsTable {
      let objects = items.map(\.object)
      return respond(
        .ok,
        TableWriter(definition: definition, includeObject: include).table(
          for: objects, revision: String(revision), continueToken: next?.token))
    }
    var out: [UInt8] = []
    out.reserveCapacity(items.reduce(128) { $0 + $1.bytes.count + 1 })
    let definition = self.definition
    out += Array("{\"apiVersion\":\"\(definition.apiVersion)\",\"items\":[".utf8)
    for (index, item) in items.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      out += definition.served(item)
    }
    out += Array("],\"kind\":\"\(definition.listKind)\",\"metadata\":{".utf8)
    if let next { out += Array("\"continue\":\"\(next.token)\",".utf8) }
    out += Array("\"resourceVersion\":\"\(revision)\"}}".utf8)
    return respond(.ok, out)
  }

  /// A page read from the store at the first page's revision, so pages form one snapshot.
  private func listFromStore(
    prefix: String, from position: ListContinue, limit: Int, labels: LabelSelector, fields: FieldSelector
  ) async throws(APIError) -> ([CachedObject], ListContinue?) {
    var items: [CachedObject] = []
    var start = position.start
    while true {
      let page: RangeResult
      do {
        page = try await state.objects.list(
          prefix: prefix, from: start, revision: position.revision, limit: Int64(max(limit, 500)))
      } catch let error as StoreError {
        if case .compacted = error {
          throw APIError.gone(
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."
          )
        }
        throw APIError.unavailable("\(error)")
      } catch {
        throw APIError.unavailable("\(error)")
      }
      for kv in page.kvs {
        guard let object = CachedObject(kv: kv, definition: definition),
          object.matches(labels, fields)
        else { continue }
        if limit > 0 && items.count == limit {
          return (items, ListContinue(revision: position.revision, start: items.last!.key + "\u{0}"))
        }
        items.append(object)
      }
      guard page.more, let last = page.kvs.last else { return (items, nil) }
      start = String(decoding: last.key, as: UTF8.self) + "\u{0}"
    }
  }
}

/// Where the next page of a list starts, and the revision every page is read at.
struct ListContinue: Sendable {
  var revision: Int64
  var start: String

  init(revision: Int64, start: String) {
    self.revision = revision
    self.start = start
  }

  init?(token: String) {
    var padded = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while padded.count % 4 != 0 { padded += "=" }
    guard let data = Data(base64Encoded: padded), let value = try? JSONValue.decode(Array(data)),
      let revision = value["rv"]?.intValue, let start = value["start"]?.stringValue
    else { return nil }
    self.revision = revision
    self.start = start
  }

  var token: String {
    let json = JSONValue.object(["v": .string("meta.k8s.io/v1"), "rv": .int(revision), "start": .string(start)])
    return Data(json.encoded()).base64EncodedString()
      .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }
}
