/// An API group and version, as in `apiVersion: apps/v1` (the core group is the empty string).
public struct GroupVersion: Hashable, Sendable, CustomStringConvertible {
  public var group: String
  public var version: String

  public init(group: String, version: String) {
    self.group = group
    self.version = version
  }

  /// Parses an apiVersion (`v1`, `apps/v1`); the empty string and `/` give the empty value,
  /// more than one `/` is an error, as upstream's ParseGroupVersion.
  public init(parsing apiVersion: String) throws(KubeAPIError) {
    if apiVersion.isEmpty || apiVersion == "/" {
      self.init(group: "", version: "")
      return
    }
    let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
    switch parts.count {
    case 1: self.init(group: "", version: apiVersion)
    case 2: self.init(group: String(parts[0]), version: String(parts[1]))
    default: throw KubeAPIError(.identifier, "unexpected GroupVersion string: \(apiVersion)")
    }
  }

  /// The apiVersion spelling: `v1` for the core group, `group/version` otherwise.
  public var description: String { group.isEmpty ? version : "\(group)/\(version)" }
  public var apiVersion: String { description }
  public var isEmpty: Bool { group.isEmpty && version.isEmpty }

  public func withKind(_ kind: String) -> GroupVersionKind {
    GroupVersionKind(group: group, version: version, kind: kind)
  }

  public func withResource(_ resource: String) -> GroupVersionResource {
    GroupVersionResource(group: group, version: version, resource: resource)
  }
}

/// A kind in a specific group and version, e.g. `apps/v1, Kind=Deployment`.
public struct GroupVersionKind: Hashable, Sendable, CustomStringConvertible {
  public var group: String
  public var version: String
  public var kind: String

  public init(group: String, version: String, kind: String) {
    self.group = group
    self.version = version
    self.kind = kind
  }

  /// From an object's `apiVersion` and `kind` fields.
  public init(apiVersion: String, kind: String) throws(KubeAPIError) {
    let gv = try GroupVersion(parsing: apiVersion)
    self.init(group: gv.group, version: gv.version, kind: kind)
  }

  public var groupVersion: GroupVersion { GroupVersion(group: group, version: version) }
  public var groupKind: GroupKind { GroupKind(group: group, kind: kind) }
  public var apiVersion: String { groupVersion.apiVersion }
  /// Upstream's `GroupVersionKind.String()`: `apps/v1, Kind=Deployment` (`/v1, Kind=Pod` for core).
  public var description: String { "\(group)/\(version), Kind=\(kind)" }
}

/// A resource (plural, lowercase) in a specific group and version, e.g. `apps/v1 deployments`.
public struct GroupVersionResource: Hashable, Sendable, CustomStringConvertible {
  public var group: String
  public var version: String
  public var resource: String

  public init(group: String, version: String, resource: String) {
    self.group = group
    self.version = version
    self.resource = resource
  }

  public var groupVersion: GroupVersion { GroupVersion(group: group, version: version) }
  public var groupResource: GroupResource { GroupResource(group: group, resource: resource) }
  /// Upstream's `GroupVersionResource.String()`: `apps/v1, Resource=deployments`.
  public var description: String { "\(group)/\(version), Resource=\(resource)" }
}

/// A resource without version; its `description` (`deployments.apps`, `pods`) is what
/// upstream error messages print.
public struct GroupResource: Hashable, Sendable, CustomStringConvertible {
  public var group: String
  public var resource: String

  public init(group: String, resource: String) {
    self.group = group
    self.resource = resource
  }

  /// Parses `resource.group` at the first dot (`deployments.apps`, `pods`).
  public init(parsing text: String) {
    if let dot = text.firstIndex(of: ".") {
      self.init(group: String(text[text.index(after: dot)...]), resource: String(text[..<dot]))
    } else {
      self.init(group: "", resource: text)
    }
  }

  public var isEmpty: Bool { group.isEmpty && resource.isEmpty }
  public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

/// A kind without version; `description` is `Deployment.apps` or `Pod`, as in "is invalid" messages.
public struct GroupKind: Hashable, Sendable, CustomStringConvertible {
  public var group: String
  public var kind: String

  public init(group: String, kind: String) {
    self.group = group
    self.kind = kind
  }

  public var isEmpty: Bool { group.isEmpty && kind.isEmpty }
  public var description: String { group.isEmpty ? kind : "\(kind).\(group)" }
}
