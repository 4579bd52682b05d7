import Foundation
import KubeAPI

/// Turns CustomResourceDefinitions into served resources: names, scope, versions (one
/// storage version), subresources, printer columns, shortNames and categories.
enum CustomResources {
  /// The resource definitions an established CRD serves, one per served version.
  static func definitions(from crd: JSONValue) -> [ResourceDefinition] {
    guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
      let names = spec["names"], let plural = names["plural"]?.stringValue, let kind = names["kind"]?.stringValue
    else { return [] }
    let versions = spec["versions"]?.arrayValue ?? []
    let storage = versions.first { $0["storage"]?.boolValue == true }?["name"]?.stringValue
    return versions.compactMap { version -> ResourceDefinition? in
      guard version["served"]?.boolValue != false, let name = version["name"]?.stringValue else { return nil }
      var subresources: Set<ResourceDefinition.Subresource> = []
      let sub = version["subresources"]
      if sub?["status"] != nil { subresources.insert(.status) }
      if sub?["scale"] != nil { subresources.insert(.scale) }
      var definition = ResourceDefinition(
        group: group, version: name, kind: kind, plural: plural,
        singular: names["singular"]?.stringValue ?? kind.lowercased(),
        namespaced: spec["scope"]?.stringValue != "Cluster",
        shortNames: (names["shortNames"]?.arrayValue ?? []).compactMap(\.stringValue),
        categories: (names["categories"]?.arrayValue ?? []).compactMap(\.stringValue), subresources: subresources)
      definition.storageVersion = storage == name ? nil : storage
      definition.strategy = strategy(version: version)
      definition.schema = version["schema"]?["openAPIV3Schema"]
      return definition
    }
  }

  static func strategy(version: JSONValue) -> ResourceStrategy {
    var strategy = ResourceStrategy()
    strategy.hasStatus = version["subresources"]?["status"] != nil
    strategy.resetsStatusOnCreate = strategy.hasStatus
    strategy.tracksGeneration = true
    strategy.specFields = []  // every change but metadata and status bumps a custom resource's generation
    let columns = (version["additionalPrinterColumns"]?.arrayValue ?? []).compactMap {
      column -> (TableColumn, String)? in
      guard let name = column["name"]?.stringValue, let path = column["jsonPath"]?.stringValue else { return nil }
      return (
        TableColumn(
          name: name, type: column["type"]?.stringValue ?? "string", format: column["format"]?.stringValue ?? "",
          description: column["description"]?.stringValue ?? "", priority: Int(column["priority"]?.intValue ?? 0)),
        path
      )
    }
    if columns.isEmpty {
      strategy.table = .nameAndAge
    } else {
      strategy.table = TableDefinition(columns: columns.map(\.0)) { object, now in
        columns.map { column, path in
          let value = JSONPathLite.evaluate(path, in: object) ?? .null
          if column.type == "date", let text = value.stringValue { return .string(Age.since(text, now: now)) }
          return value
        }
      }
    }
    return strategy
  }

  /// Accepted names and the Established condition, as the apiextensions controller reports.
  static func establishedStatus(_ crd: JSONValue, now: String) -> JSONValue {
    var status = crd["status"] ?? .object([:])
    status["acceptedNames"] = crd["spec"]?["names"] ?? .object([:])
    status["storedVersions"] = .array(
      (crd["spec"]?["versions"]?.arrayValue ?? []).filter { $0["storage"]?.boolValue == true }.compactMap { $0["name"] }
    )
    func condition(_ type: String, _ reason: String, _ message: String) -> JSONValue {
      .object([
        "type": .string(type), "status": .string("True"), "reason": .string(reason), "message": .string(message),
        "lastTransitionTime": .string(now),
      ])
    }
    status["conditions"] = .array([
      condition("NamesAccepted", "NoConflicts", "no conflicts found"),
      condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
    ])
    return status
  }
}

/// The JSONPath subset printer columns use: `.a.b`, `.a[0].b`, `.a[?(@.k=="v")].b`.
enum JSONPathLite {
  static func evaluate(_ path: String, in object: JSONValue) -> JSONValue? {
    var text = Substring(path.trimmingCharacters(in: CharacterSet(charactersIn: "{}")))
    if text.hasPrefix("$") { text = text.dropFirst() }
    var current: JSONValue? = object
    while !text.isEmpty, let value = current {
      if text.hasPrefix(".") {
        text = text.dropFirst()
        let end = text.firstIndex { $0 == "." || $0 == "[" } ?? text.endIndex
        current = value[String(text[..<end])]
        text = text[end...]
      } else if text.hasPrefix("[") {
        guard let close = text.firstIndex(of: "]") else { return nil }
        let inner = text[text.index(after: text.startIndex)..<close]
        text = text[text.index(after: close)...]
        let items = value.arrayValue ?? []
        if let index = Int(inner) {
          current = items.indices.contains(index) ? items[index] : nil
        } else if inner.hasPrefix("?(@."), let equals = inner.range(of: "==") {
          let key = String(inner[inner.index(inner.startIndex, offsetBy: 4)..<equals.lowerBound])
          let wanted = inner[equals.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "\"')"))
          current = items.first { $0[key]?.stringValue == wanted }
        } else {
          return nil
        }
      } else {
        return nil
      }
    }
    return current
  }
}
