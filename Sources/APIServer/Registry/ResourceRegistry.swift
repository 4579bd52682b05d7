import Synchronization

/// Every resource currently served: the built-ins plus the custom resources of established
/// CRDs, which come and go while the server runs.
final class ResourceRegistry: Sendable {
  private let state: Mutex<[String: ResourceDefinition]>

  init(_ definitions: [ResourceDefinition]) {
    var byPath: [String: ResourceDefinition] = [:]
    for definition in definitions { byPath[ResourceRegistry.path(definition)] = definition }
    state = Mutex(byPath)
  }

  private static func path(_ definition: ResourceDefinition) -> String {
    path(group: definition.group, version: definition.version, plural: definition.plural)
  }

  private static func path(group: String, version: String, plural: String) -> String { "\(group)/\(version)/\(plural)" }

  func lookup(group: String, version: String, plural: String) -> ResourceDefinition? {
    state.withLock { $0[ResourceRegistry.path(group: group, version: version, plural: plural)] }
  }

  /// The definition serving `kind` in `apiVersion`, for bodies that name their own type.
  func lookup(apiVersion: String, kind: String) -> ResourceDefinition? {
    state.withLock { all in all.values.first { $0.apiVersion == apiVersion && $0.kind == kind } }
  }

  var all: [ResourceDefinition] {
    state.withLock { Array($0.values) }.sorted { ($0.group, $0.version, $0.plural) < ($1.group, $1.version, $1.plural) }
  }

  /// Group -> versions served, preferred (newest stable) first.
  var groups: [(name: String, versions: [String])] {
    let definitions = all
    var versions: [String: Set<String>] = [:]
    for definition in definitions { versions[definition.group, default: []].insert(definition.version) }
    let order = BuiltinResources.groupOrder
    return versions.keys.sorted { a, b in
      let ia = order.firstIndex(of: a) ?? Int.max
      let ib = order.firstIndex(of: b) ?? Int.max
      return ia != ib ? ia < ib : a < b
    }.map { ($0, ResourceRegistry.preferredOrder(Array(versions[$0]!))) }
  }

  /// Kubernetes version priority: GA > beta > alpha, higher numbers first.
  static func preferredOrder(_ versions: [String]) -> [String] {
    func rank(_ version: String) -> (Int, Int, Int) {
      let body = version.dropFirst()
      let major = Int(body.prefix { $0.isNumber }) ?? 0
      let rest = body.drop { $0.isNumber }
      if rest.isEmpty { return (3, major, 0) }
      let minor = Int(rest.drop { !$0.isNumber }) ?? 0
      return (rest.hasPrefix("beta") ? 2 : rest.hasPrefix("alpha") ? 1 : 0, major, minor)
    }
    return versions.sorted { rank($0) > rank($1) }
  }

  func register(_ definitions: [ResourceDefinition]) {
    state.withLock { all in
      for definition in definitions { all[ResourceRegistry.path(definition)] = definition }
    }
  }

  func unregister(group: String, plural: String) {
    state.withLock { all in all = all.filter { !($0.value.group == group && $0.value.plural == plural) } }
  }
}
