import KubeAPI

/// Namespace for the built-in type tables (one `BuiltIn+Group.swift` file per API group).
enum BuiltInTypes {
  /// Every built-in definition, in the order the tables declare them.
  static func all() -> [TypeDescription] {
    var types: [TypeDescription] = []
    let tables: [(inout [TypeDescription]) -> Void] = [
      meta, core1, core2, core3, core4, core5, apps, batch, networking, discovery, coordination, storage, rbac,
      apiext, events, policy, scheduling, node, autoscalingV1, autoscalingV2, certificates, authentication,
      authorization, admissionregistration,
    ]
    for table in tables { table(&types) }
    return types
  }
}

// Short constructors so the tables read one field per line.

func T(_ name: String, kinds: [GVK] = [], atomic: Bool = false, _ fields: [Field]) -> TypeDescription {
  TypeDescription(name: name, fields: fields, atomic: atomic, kinds: kinds)
}

func F(
  _ name: String, _ type: FieldType, req: Bool = false, patch: PatchStrategy = [], key: String? = nil,
  enums: [String] = [], def: JSONValue? = nil
) -> Field {
  Field(
    name: name, type: type, required: req, defaultValue: def, enumValues: enums.map { .string($0) },
    patchStrategy: patch, patchMergeKey: key)
}

extension FieldType {
  static let str = FieldType.string()
  static let bool = FieldType.boolean
  static let i32 = FieldType.integer(format: "int32")
  static let i64 = FieldType.integer(format: "int64")
  static let dbl = FieldType.number(format: "double")
  static let bytes = FieldType.string(format: "byte")

  static func list(_ items: FieldType, _ semantics: ListSemantics = .unspecified) -> FieldType {
    .array(items, semantics)
  }

  static func dict(_ values: FieldType, _ mapType: MapType = .granular) -> FieldType { .map(values, mapType) }

  static func meta(_ name: String) -> FieldType { .ref("io.k8s.apimachinery.pkg.apis.meta.v1." + name) }
  static func apiext(_ name: String) -> FieldType {
    .ref("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1." + name)
  }
  static func core(_ name: String) -> FieldType { .ref("io.k8s.api.core.v1." + name) }
  static func apps(_ name: String) -> FieldType { .ref("io.k8s.api.apps.v1." + name) }
  static func batch(_ name: String) -> FieldType { .ref("io.k8s.api.batch.v1." + name) }
  static func networking(_ name: String) -> FieldType { .ref("io.k8s.api.networking.v1." + name) }
  static func discovery(_ name: String) -> FieldType { .ref("io.k8s.api.discovery.v1." + name) }
  static func coordination(_ name: String) -> FieldType { .ref("io.k8s.api.coordination.v1." + name) }
  static func storage(_ name: String) -> FieldType { .ref("io.k8s.api.storage.v1." + name) }
  static func rbac(_ name: String) -> FieldType { .ref("io.k8s.api.rbac.v1." + name) }
  static func events(_ name: String) -> FieldType { .ref("io.k8s.api.events.v1." + name) }
  static func policy(_ name: String) -> FieldType { .ref("io.k8s.api.policy.v1." + name) }
  static func scheduling(_ name: String) -> FieldType { .ref("io.k8s.api.scheduling.v1." + name) }
  static func node(_ name: String) -> FieldType { .ref("io.k8s.api.node.v1." + name) }
  static func autoscalingV1(_ name: String) -> FieldType { .ref("io.k8s.api.autoscaling.v1." + name) }
  static func autoscalingV2(_ name: String) -> FieldType { .ref("io.k8s.api.autoscaling.v2." + name) }
  static func certificates(_ name: String) -> FieldType { .ref("io.k8s.api.certificates.v1." + name) }
  static func authentication(_ name: String) -> FieldType { .ref("io.k8s.api.authentication.v1." + name) }
  static func authorization(_ name: String) -> FieldType { .ref("io.k8s.api.authorization.v1." + name) }
  static func admissionregistration(_ name: String) -> FieldType {
    .ref("io.k8s.api.admissionregistration.v1." + name)
  }
}
