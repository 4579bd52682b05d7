import KubeAPI
import Synchronization

/// An informer's local copy of a collection, keyed `namespace/name` (or `name`), with optional
/// secondary indexes so controllers can find e.g. a node's pods without scanning all pods.
public final class ObjectCache: Sendable {
  /// Index values of one object (for example its `spec.nodeName`).
  public typealias IndexFunction = @Sendable (JSONValue) -> [String]

  private struct State {
    var objects: [String: JSONValue] = [:]
    var indexes: [String: [String: Set<String>]] = [:]
  }

  private let state = Mutex(State())
  private let indexers: Mutex<[String: IndexFunction]>

  init(indexers: [String: IndexFunction] = [:]) {
    self.indexers = Mutex(indexers)
  }

  public static func key(_ object: JSONValue) -> String {
    key(namespace: object.metadata.namespace, name: object.metadata.name ?? "")
  }

  public static func key(namespace: String?, name: String) -> String {
    guard let namespace, !namespace.isEmpty else { return name }
    return "\(namespace)/\(name)"
  }

  public func get(_ key: String) -> JSONValue? { state.withLock { $0.objects[key] } }

  public func get(namespace: String?, name: String) -> JSONValue? { get(Self.key(namespace: namespace, name: name)) }

  public func list() -> [JSONValue] { state.withLock { Array($0.objects.values) } }

  public var count: Int { state.withLock { $0.objects.count } }

  public func list(namespace: String) -> [JSONValue] { byIndex(Self.namespaceIndex, namespace) }

  /// Objects whose index function returned `value`.
  public func byIndex(_ index: String, _ value: String) -> [JSONValue] {
    state.withLock { state in
      (state.indexes[index]?[value] ?? []).compactMap { state.objects[$0] }
    }
  }

  /// Adds an index; existing objects are indexed at once.
  public func addIndex(_ name: String, _ function: @escaping IndexFunction) {
    indexers.withLock { $0[name] = function }
    state.withLock { state in
      var index: [String: Set<String>] = [:]
      for (key, object) in state.objects {
        for value in function(object) { index[value, default: []].insert(key) }
      }
      state.indexes[name] = index
    }
  }

  static let namespaceIndex = "namespace"

  /// Stores the object; answers the previous version.
  @discardableResult
  func upsert(_ object: JSONValue) -> JSONValue? {
    let key = Self.key(object)
    let functions = indexers.withLock { $0 }
    return state.withLock { state in
      let old = state.objects.updateValue(object, forKey: key)
      if let old { Self.unindex(&state, key: key, object: old, functions: functions) }
      Self.index(&state, key: key, object: object, functions: functions)
      return old
    }
  }

  @discardableResult
  func remove(_ object: JSONValue) -> JSONValue? {
    let key = Self.key(object)
    let functions = indexers.withLock { $0 }
    return state.withLock { state in
      guard let old = state.objects.removeValue(forKey: key) else { return nil }
      Self.unindex(&state, key: key, object: old, functions: functions)
      return old
    }
  }

  private static func index(_ state: inout State, key: String, object: JSONValue, functions: [String: IndexFunction]) {
    state.indexes[namespaceIndex, default: [:]][object.metadata.namespace ?? "", default: []].insert(key)
    for (name, function) in functions {
      for value in function(object) { state.indexes[name, default: [:]][value, default: []].insert(key) }
    }
  }

  private static func unindex(
    _ state: inout State, key: String, object: JSONValue, functions: [String: IndexFunction]
  ) {
    state.indexes[namespaceIndex]?[object.metadata.namespace ?? ""]?.remove(key)
    for (name, function) in functions {
      for value in function(object) {
        state.indexes[name]?[value]?.remove(key)
        if state.indexes[name]?[value]?.isEmpty == true { state.indexes[name]?[value] = nil }
      }
    }
  }
}
