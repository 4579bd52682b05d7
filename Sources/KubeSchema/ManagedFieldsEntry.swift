import KubeAPI

/// One `metadata.managedFields` entry. Its field set stays in its FieldsV1 form until something
/// needs the set: most updates leave most entries as they were, and decoding and re-encoding
/// every entry on every write was a tenth of the server's CPU under load.
public struct ManagedFieldsEntry: Sendable, Hashable {
  public var manager: String
  /// `Apply` or `Update`.
  public var operation: String
  public var apiVersion: String
  public var time: String?
  public var subresource: String?
  /// The FieldsV1 as read, until the set changes (then nil).
  private var encoded: JSONValue?
  private var decoded: Set<ManagedFieldPath>

  public init(
    manager: String, operation: String, apiVersion: String, time: String? = nil, subresource: String? = nil,
    fields: Set<ManagedFieldPath>
  ) {
    self.manager = manager
    self.operation = operation
    self.apiVersion = apiVersion
    self.time = time
    self.subresource = subresource
    self.decoded = fields
  }

  public var fields: Set<ManagedFieldPath> {
    get { encoded.map(FieldsV1.decode) ?? decoded }
    set {
      decoded = newValue
      encoded = nil
    }
  }

  /// Whether the set is empty, without decoding it.
  var isEmpty: Bool { encoded.map { ($0.objectValue ?? [:]).isEmpty } ?? decoded.isEmpty }

  /// Adds `paths`; decodes only when one is new to the set.
  mutating func formUnion(_ paths: Set<ManagedFieldPath>) {
    if let encoded, paths.allSatisfy({ FieldsV1.contains(encoded, $0) }) { return }
    fields.formUnion(paths)
  }

  /// Removes `paths`; decodes only when one is in the set.
  mutating func subtract(_ paths: Set<ManagedFieldPath>) {
    if let encoded, !paths.contains(where: { FieldsV1.contains(encoded, $0) }) { return }
    fields.subtract(paths)
  }

  /// Takes the field set of `other` as it is (encoded or not).
  mutating func takeFields(of other: ManagedFieldsEntry) {
    encoded = other.encoded
    decoded = other.decoded
  }

  /// Reads the entries of an object; malformed entries are skipped. `decoded` reads each field
  /// set at once (entries from a client, whose spelling of FieldsV1 keys may not be canonical).
  public static func entries(of object: JSONValue?, decoded: Bool = false) -> [ManagedFieldsEntry] {
    (object?[path: ["metadata", "managedFields"]]?.arrayValue ?? []).compactMap { entry in
      guard let manager = entry["manager"]?.stringValue, let operation = entry["operation"]?.stringValue else {
        return nil
      }
      var read = ManagedFieldsEntry(
        manager: manager, operation: operation, apiVersion: entry["apiVersion"]?.stringValue ?? "",
        time: entry["time"]?.stringValue, subresource: entry["subresource"]?.stringValue, fields: [])
      let fields = entry["fieldsV1"] ?? .object([:])
      if decoded { read.decoded = FieldsV1.decode(fields) } else { read.encoded = fields }
      return read
    }
  }

  public var json: JSONValue {
    var members: [String: JSONValue] = [
      "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
      "fieldsType": .string("FieldsV1"), "fieldsV1": encoded ?? FieldsV1.encode(decoded),
    ]
    if let time { members["time"] = .string(time) }
    if let subresource, !subresource.isEmpty { members["subresource"] = .string(subresource) }
    return .object(members)
  }

  public static func == (lhs: ManagedFieldsEntry, rhs: ManagedFieldsEntry) -> Bool {
    (lhs.manager, lhs.operation, lhs.apiVersion, lhs.time, lhs.subresource)
      == (rhs.manager, rhs.operation, rhs.apiVersion, rhs.time, rhs.subresource) && lhs.fields == rhs.fields
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(manager)
    hasher.combine(operation)
    hasher.combine(apiVersion)
    hasher.combine(time)
    hasher.combine(subresource)
    hasher.combine(fields)
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
