import KubeAPI

/// One `metadata.managedFields` entry with its field set decoded.
public struct ManagedFieldsEntry: Sendable, Hashable {
  public var manager: String
  /// `Apply` or `Update`.
  public var operation: String
  public var apiVersion: String
  public var time: String?
  public var subresource: String?
  public var fields: Set<ManagedFieldPath>

  public init(
    manager: String, operation: String, apiVersion: String, time: String? = nil, subresource: String? = nil,
    fields: Set<ManagedFieldPath>
  ) {
    self.manager = manager
    self.operation = operation
    self.apiVersion = apiVersion
    self.time = time
    self.subresource = subresource
    self.fields = fields
  }

  /// Reads the entries of an object; malformed entries are skipped.
  public static func entries(of object: JSONValue?) -> [ManagedFieldsEntry] {
    (object?[path: ["metadata", "managedFields"]]?.arrayValue ?? []).compactMap { entry in
      guard let manager = entry["manager"]?.stringValue, let operation = entry["operation"]?.stringValue else {
        return nil
      }
      return ManagedFieldsEntry(
        manager: manager, operation: operation, apiVersion: entry["apiVersion"]?.stringValue ?? "",
        time: entry["time"]?.stringValue, subresource: entry["subresource"]?.stringValue,
        fields: FieldsV1.decode(entry["fieldsV1"] ?? .object([:])))
    }
  }

  public var json: JSONValue {
    var members: [String: JSONValue] = [
      "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
      "fieldsType": .string("FieldsV1"), "fieldsV1": FieldsV1.encode(fields),
    ]
    if let time { members["time"] = .string(time) }
    if let subresource, !subresource.isEmpty { members["subresource"] = .string(subresource) }
    return .object(members)
  }

  /// How conflict messages name a manager (upstream's wording).
  var conflictName: String {
    var text = "\"\(manager)\""
    if let subresource, !subresource.isEmpty { text += " with subresource \"\(subresource)\"" }
    if operation == "Update" {
      text += " using \(apiVersion)"
      if let time { text += " at \(time)" }
    }
    return text
  }

  func sameOwner(_ other: ManagedFieldsEntry) -> Bool {
    manager == other.manager && operation == other.operation && (subresource ?? "") == (other.subresource ?? "")
  }

  /// Upstream order: Apply before Update, then by time, manager, version, subresource.
  static func ordered(_ entries: [ManagedFieldsEntry]) -> [ManagedFieldsEntry] {
    entries.sorted {
      ($0.operation, $0.time ?? "", $0.manager, $0.apiVersion, $0.subresource ?? "")
        < ($1.operation, $1.time ?? "", $1.manager, $1.apiVersion, $1.subresource ?? "")
    }
  }
}
