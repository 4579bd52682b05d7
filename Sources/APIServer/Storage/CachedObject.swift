import KubeAPI
import Store

/// One object as the watch cache keeps it: its serialized form with `resourceVersion` set,
/// plus what selectors need, so lists and watches never parse JSON again.
struct CachedObject: Sendable {
  var key: String
  var namespace: String
  var name: String
  var revision: Int64
  var bytes: [UInt8]
  var labels: [String: String]
  var fields: [String: String]

  /// Builds the cached form of a stored value; nil when the value is not a JSON object.
  init?(kv: KeyValue, definition: ResourceDefinition) {
    guard var object = try? JSONValue.decode(kv.value), case .object = object else { return nil }
    CachedObject.stamp(&object, revision: kv.modRevision)
    self.init(
      object: object, key: String(decoding: kv.key, as: UTF8.self), revision: kv.modRevision, definition: definition)
  }

  init(object: JSONValue, key: String, revision: Int64, definition: ResourceDefinition) {
    self.key = key
    self.revision = revision
    self.bytes = object.encoded()
    let metadata = object["metadata"]
    self.name = metadata?["name"]?.stringValue ?? ""
    self.namespace = metadata?["namespace"]?.stringValue ?? ""
    var labels: [String: String] = [:]
    for (key, value) in metadata?["labels"]?.objectValue ?? [:] { labels[key] = value.stringValue ?? "" }
    self.labels = labels
    var fields = definition.strategy.fields(object)
    fields["metadata.name"] = name
    if definition.namespaced { fields["metadata.namespace"] = namespace }
    self.fields = fields
  }

  /// Sets `metadata.resourceVersion` to the store revision: the only version clock there is.
  static func stamp(_ object: inout JSONValue, revision: Int64) {
    var metadata = object["metadata"] ?? .object([:])
    metadata["resourceVersion"] = .string(String(revision))
    object["metadata"] = metadata
  }

  var object: JSONValue { (try? JSONValue.decode(bytes)) ?? .null }

  func matches(_ labels: LabelSelector, _ fields: FieldSelector) -> Bool {
    labels.matches(self.labels) && fields.matches { self.fields[$0] }
  }
}

extension ResourceDefinition {
  /// The stored form as this version serves it: stored objects carry the storage version's
  /// apiVersion, other served versions show their own.
  func served(_ object: CachedObject) -> [UInt8] {
    guard storageVersion != nil else { return object.bytes }
    return fromStorage(object.object).encoded()
  }

  /// A stored object in this version's form.
  func fromStorage(_ stored: JSONValue) -> JSONValue {
    guard storageVersion != nil else { return stored }
    var value = conversion?.fromStorage(stored) ?? stored
    value["apiVersion"] = .string(apiVersion)
    return value
  }

  /// An object in this version's form, as it is stored.
  func toStorage(_ served: JSONValue) -> JSONValue {
    guard storageVersion != nil else { return served }
    var value = conversion?.toStorage(served) ?? served
    value["apiVersion"] = .string(storedAPIVersion)
    return value
  }

  /// The apiVersion objects of this resource are stored with.
  var storedAPIVersion: String {
    guard let storageVersion else { return apiVersion }
    return group.isEmpty ? storageVersion : "\(group)/\(storageVersion)"
  }
}
