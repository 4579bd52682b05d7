import KubeAPI

/// The shape of a field's value. Kubernetes-specific scalars (quantity, int-or-string, time) are
/// their own cases because validation, OpenAPI and merging treat them differently from plain strings.
public indirect enum FieldType: Sendable, Hashable {
  /// A string; `format` is the OpenAPI format (`byte`, `date-time`, …) when there is one.
  case string(format: String? = nil)
  /// An integer; `format` is `int32` or `int64`.
  case integer(format: String? = nil)
  /// A floating-point number (`double`).
  case number(format: String? = nil)
  case boolean
  /// A named definition in the registry, e.g. `io.k8s.api.core.v1.PodSpec`.
  case ref(String)
  /// An anonymous object, as CRD schemas nest them.
  case object(TypeDescription)
  case array(FieldType, ListSemantics)
  /// An object whose keys are free (`additionalProperties`).
  case map(FieldType, MapType)
  case intOrString
  case quantity
  case time
  case microTime
  /// Any JSON value is accepted and kept as is (`x-kubernetes-preserve-unknown-fields` without a type).
  case raw

  /// The JSON kind a value of this type must have, for unknown-field walks and SMP decisions.
  public var isObjectLike: Bool {
    switch self {
    case .ref, .object, .map, .raw: true
    default: false
    }
  }
}

/// How the members of a list are identified when lists are merged (server-side apply's view).
public enum ListType: String, Sendable, Hashable {
  /// The list is replaced whole.
  case atomic
  /// Scalars, each present at most once.
  case set
  /// Objects identified by the values of `keys`.
  case map
}

public struct ListSemantics: Sendable, Hashable {
  /// nil when the type carries no `x-kubernetes-list-type` (SSA then derives one from the patch strategy).
  public var type: ListType?
  public var keys: [String]

  public init(type: ListType?, keys: [String] = []) {
    self.type = type
    self.keys = keys
  }

  public static let unspecified = ListSemantics(type: nil)
  public static let atomic = ListSemantics(type: .atomic)
  public static let set = ListSemantics(type: .set)
  public static func map(_ keys: String...) -> ListSemantics { ListSemantics(type: .map, keys: keys) }
}

/// Whether a map or struct is replaced whole (`atomic`) or merged key by key (`granular`).
public enum MapType: String, Sendable, Hashable {
  case atomic
  case granular
}

/// Strategic-merge-patch strategy of a field (`x-kubernetes-patch-strategy`, comma-separated upstream).
public struct PatchStrategy: OptionSet, Sendable, Hashable {
  public let rawValue: Int
  public init(rawValue: Int) { self.rawValue = rawValue }

  public static let merge = PatchStrategy(rawValue: 1)
  public static let replace = PatchStrategy(rawValue: 2)
  public static let retainKeys = PatchStrategy(rawValue: 4)

  /// The text OpenAPI carries, e.g. `merge,retainKeys`; nil when empty.
  public var openAPIValue: String? {
    var parts: [String] = []
    if contains(.merge) { parts.append("merge") }
    if contains(.replace) { parts.append("replace") }
    if contains(.retainKeys) { parts.append("retainKeys") }
    return parts.isEmpty ? nil : parts.joined(separator: ",")
  }

  public init(openAPIValue: String) {
    var strategy: PatchStrategy = []
    for part in openAPIValue.split(separator: ",") {
      switch part.trimmingSpaces {
      case "merge": strategy.insert(.merge)
      case "replace": strategy.insert(.replace)
      case "retainKeys": strategy.insert(.retainKeys)
      default: break
      }
    }
    self = strategy
  }
}

extension Substring {
  var trimmingSpaces: Substring {
    var result = self
    while result.first == " " { result.removeFirst() }
    while result.last == " " { result.removeLast() }
    return result
  }
}
