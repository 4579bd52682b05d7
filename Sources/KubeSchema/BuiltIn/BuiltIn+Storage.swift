import KubeAPI

// io.k8s.api.storage.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func storage(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.storage.v1.StorageClass",
        kinds: [GVK(group: "storage.k8s.io", version: "v1", kind: "StorageClass")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("provisioner", .str, req: true),
          F("parameters", .dict(.str)),
          F("reclaimPolicy", .str, enums: ["Delete", "Recycle", "Retain"]),
          F("mountOptions", .list(.str, .atomic)),
          F("allowVolumeExpansion", .bool),
          F("volumeBindingMode", .str, enums: ["Immediate", "WaitForFirstConsumer"]),
          F("allowedTopologies", .list(.core("TopologySelectorTerm"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.StorageClassList",
        kinds: [GVK(group: "storage.k8s.io", version: "v1", kind: "StorageClassList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.storage("StorageClass")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.CSIDriver", kinds: [GVK(group: "storage.k8s.io", version: "v1", kind: "CSIDriver")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .storage("CSIDriverSpec"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.CSIDriverList",
        kinds: [GVK(group: "storage.k8s.io", version: "v1", kind: "CSIDriverList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.storage("CSIDriver")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.CSINode", kinds: [GVK(group: "storage.k8s.io", version: "v1", kind: "CSINode")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .storage("CSINodeSpec"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.CSINodeList", kinds: [GVK(group: "storage.k8s.io", version: "v1", kind: "CSINodeList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.storage("CSINode")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.VolumeAttachment",
        kinds: [GVK(group: "storage.k8s.io", version: "v1", kind: "VolumeAttachment")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .storage("VolumeAttachmentSpec"), req: true),
          F("status", .storage("VolumeAttachmentStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.VolumeAttachmentList",
        kinds: [GVK(group: "storage.k8s.io", version: "v1", kind: "VolumeAttachmentList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.storage("VolumeAttachment")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.CSIDriverSpec",
        [
          F("attachRequired", .bool),
          F("podInfoOnMount", .bool),
          F("volumeLifecycleModes", .list(.str, .set)),
          F("storageCapacity", .bool),
          F("fsGroupPolicy", .str),
          F("tokenRequests", .list(.storage("TokenRequest"), .atomic)),
          F("requiresRepublish", .bool),
          F("seLinuxMount", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.CSINodeSpec",
        [
          F("drivers", .list(.storage("CSINodeDriver"), .map("name")), req: true, patch: .merge, key: "name")
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.VolumeAttachmentSpec",
        [
          F("attacher", .str, req: true),
          F("source", .storage("VolumeAttachmentSource"), req: true),
          F("nodeName", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.VolumeAttachmentStatus",
        [
          F("attached", .bool, req: true),
          F("attachmentMetadata", .dict(.str)),
          F("attachError", .storage("VolumeError")),
          F("detachError", .storage("VolumeError")),
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.TokenRequest",
        [
          F("audience", .str, req: true),
          F("expirationSeconds", .i64),
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.CSINodeDriver",
        [
          F("name", .str, req: true),
          F("nodeID", .str, req: true),
          F("topologyKeys", .list(.str, .atomic)),
          F("allocatable", .storage("VolumeNodeResources")),
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.VolumeAttachmentSource",
        [
          F("persistentVolumeName", .str),
          F("inlineVolumeSpec", .core("PersistentVolumeSpec")),
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.VolumeError",
        [
          F("time", .time),
          F("message", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.storage.v1.VolumeNodeResources",
        [
          F("count", .i32)
        ]))
  }
}
