/// A read/write view of an object's `metadata` that keeps every field it does not model.
///
/// Setting a property to nil (or an empty string/collection where upstream's unstructured
/// setters do the same) removes the key, so stored JSON matches what kube-apiserver writes.
public struct ObjectMeta: Hashable, Sendable {
  /// The whole metadata object, including fields without an accessor.
  public var raw: [String: JSONValue]

  public init(_ raw: [String: JSONValue] = [:]) { self.raw = raw }

  public var name: String? {
    get { raw["name"]?.stringValue }
    set { setString("name", newValue) }
  }

  public var generateName: String? {
    get { raw["generateName"]?.stringValue }
    set { setString("generateName", newValue) }
  }

  public var namespace: String? {
    get { raw["namespace"]?.stringValue }
    set { setString("namespace", newValue) }
  }

  public var uid: String? {
    get { raw["uid"]?.stringValue }
    set { setString("uid", newValue) }
  }

  public var resourceVersion: String? {
    get { raw["resourceVersion"]?.stringValue }
    set { setString("resourceVersion", newValue) }
  }

  /// `metadata.generation`; 0 and nil both mean "not set" (the field is omitempty upstream).
  public var generation: Int64? {
    get { raw["generation"]?.intValue }
    set { raw["generation"] = newValue.flatMap { $0 == 0 ? nil : .int($0) } }
  }

  /// RFC 3339 text of `metadata.creationTimestamp`.
  public var creationTimestamp: String? {
    get { raw["creationTimestamp"]?.stringValue }
    set { setString("creationTimestamp", newValue) }
  }

  public var deletionTimestamp: String? {
    get { raw["deletionTimestamp"]?.stringValue }
    set { setString("deletionTimestamp", newValue) }
  }

  /// `creationTimestamp` parsed; nil when absent or malformed.
  public var creationTime: KubeTime? {
    get { creationTimestamp.flatMap { try? KubeTime(parsing: $0) } }
    set { creationTimestamp = newValue?.rfc3339 }
  }

  public var deletionTime: KubeTime? {
    get { deletionTimestamp.flatMap { try? KubeTime(parsing: $0) } }
    set { deletionTimestamp = newValue?.rfc3339 }
  }

  public var deletionGracePeriodSeconds: Int64? {
    get { raw["deletionGracePeriodSeconds"]?.intValue }
    set { raw["deletionGracePeriodSeconds"] = newValue.map { .int($0) } }
  }

  /// Labels; string values only (others are skipped). nil removes the field.
  public var labels: [String: String]? {
    get { Self.stringMap(raw["labels"]) }
    set { raw["labels"] = newValue.map { .object($0.mapValues { .string($0) }) } }
  }

  public var annotations: [String: String]? {
    get { Self.stringMap(raw["annotations"]) }
    set { raw["annotations"] = newValue.map { .object($0.mapValues { .string($0) }) } }
  }

  /// Finalizers in order; nil or empty removes the field.
  public var finalizers: [String]? {
    get { raw["finalizers"]?.arrayValue?.compactMap(\.stringValue) }
    set {
      guard let newValue, !newValue.isEmpty else {
        raw["finalizers"] = nil
        return
      }
      raw["finalizers"] = .array(newValue.map { .string($0) })
    }
  }

  public var ownerReferences: [OwnerReference]? {
    get { raw["ownerReferences"]?.arrayValue?.compactMap(OwnerReference.init(json:)) }
    set {
      guard let newValue, !newValue.isEmpty else {
        raw["ownerReferences"] = nil
        return
      }
      raw["ownerReferences"] = .array(newValue.map(\.json))
    }
  }

  /// The owner reference with `controller: true`, if any.
  public var controllerReference: OwnerReference? {
    ownerReferences?.first { $0.controller == true }
  }

  /// Managed fields entries as stored (server-side apply owns their structure).
  public var managedFields: [JSONValue]? {
    get { raw["managedFields"]?.arrayValue }
    set { raw["managedFields"] = newValue.flatMap { $0.isEmpty ? nil : .array($0) } }
  }

  /// `namespace/name`, or `name` for cluster-scoped objects: the key informers and queues use.
  public var key: String {
    let name = self.name ?? ""
    guard let namespace, !namespace.isEmpty else { return name }
    return "\(namespace)/\(name)"
  }

  public var isBeingDeleted: Bool { deletionTimestamp != nil }

  public func hasFinalizer(_ finalizer: String) -> Bool { finalizers?.contains(finalizer) ?? false }

  private mutating func setString(_ key: String, _ value: String?) {
    if let value, !value.isEmpty {
      raw[key] = .string(value)
    } else {
      raw[key] = nil
    }
  }

  private static func stringMap(_ value: JSONValue?) -> [String: String]? {
    guard case .object(let members)? = value else { return nil }
    return members.compactMapValues(\.stringValue)
  }
}

/// `metadata.ownerReferences[]`: who owns this object, for garbage collection and controllers.
public struct OwnerReference: Hashable, Sendable {
  public var apiVersion: String
  public var kind: String
  public var name: String
  public var uid: String
  public var controller: Bool?
  public var blockOwnerDeletion: Bool?

  public init(
    apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil,
    blockOwnerDeletion: Bool? = nil
  ) {
    self.apiVersion = apiVersion
    self.kind = kind
    self.name = name
    self.uid = uid
    self.controller = controller
    self.blockOwnerDeletion = blockOwnerDeletion
  }

  /// Reads an owner reference; missing string fields read as empty.
  public init?(json: JSONValue) {
    guard case .object(let m) = json else { return nil }
    self.init(
      apiVersion: m["apiVersion"]?.stringValue ?? "", kind: m["kind"]?.stringValue ?? "",
      name: m["name"]?.stringValue ?? "", uid: m["uid"]?.stringValue ?? "",
      controller: m["controller"]?.boolValue, blockOwnerDeletion: m["blockOwnerDeletion"]?.boolValue)
  }

  public var json: JSONValue {
    var m: [String: JSONValue] = [
      "apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid),
    ]
    if let controller { m["controller"] = .bool(controller) }
    if let blockOwnerDeletion { m["blockOwnerDeletion"] = .bool(blockOwnerDeletion) }
    return .object(m)
  }
}
