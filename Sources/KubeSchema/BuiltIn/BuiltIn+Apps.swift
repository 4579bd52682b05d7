import KubeAPI

// io.k8s.api.apps.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func apps(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.apps.v1.Deployment", kinds: [GVK(group: "apps", version: "v1", kind: "Deployment")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .apps("DeploymentSpec")),
          F("status", .apps("DeploymentStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.DeploymentList", kinds: [GVK(group: "apps", version: "v1", kind: "DeploymentList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.apps("Deployment")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.ReplicaSet", kinds: [GVK(group: "apps", version: "v1", kind: "ReplicaSet")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .apps("ReplicaSetSpec")),
          F("status", .apps("ReplicaSetStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.ReplicaSetList", kinds: [GVK(group: "apps", version: "v1", kind: "ReplicaSetList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.apps("ReplicaSet")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.DaemonSet", kinds: [GVK(group: "apps", version: "v1", kind: "DaemonSet")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .apps("DaemonSetSpec")),
          F("status", .apps("DaemonSetStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.DaemonSetList", kinds: [GVK(group: "apps", version: "v1", kind: "DaemonSetList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.apps("DaemonSet")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.StatefulSet", kinds: [GVK(group: "apps", version: "v1", kind: "StatefulSet")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .apps("StatefulSetSpec")),
          F("status", .apps("StatefulSetStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.StatefulSetList", kinds: [GVK(group: "apps", version: "v1", kind: "StatefulSetList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.apps("StatefulSet")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.ControllerRevision", kinds: [GVK(group: "apps", version: "v1", kind: "ControllerRevision")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("data", .raw),
          F("revision", .i64, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.ControllerRevisionList",
        kinds: [GVK(group: "apps", version: "v1", kind: "ControllerRevisionList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.apps("ControllerRevision")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.DeploymentSpec",
        [
          F("replicas", .i32),
          F("selector", .meta("LabelSelector"), req: true),
          F("template", .core("PodTemplateSpec"), req: true),
          F("strategy", .apps("DeploymentStrategy"), patch: .retainKeys),
          F("minReadySeconds", .i32),
          F("revisionHistoryLimit", .i32),
          F("paused", .bool),
          F("progressDeadlineSeconds", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.DeploymentStatus",
        [
          F("observedGeneration", .i64),
          F("replicas", .i32),
          F("updatedReplicas", .i32),
          F("readyReplicas", .i32),
          F("availableReplicas", .i32),
          F("unavailableReplicas", .i32),
          F("conditions", .list(.apps("DeploymentCondition"), .map("type")), patch: .merge, key: "type"),
          F("collisionCount", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.ReplicaSetSpec",
        [
          F("replicas", .i32),
          F("minReadySeconds", .i32),
          F("selector", .meta("LabelSelector"), req: true),
          F("template", .core("PodTemplateSpec")),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.ReplicaSetStatus",
        [
          F("replicas", .i32, req: true),
          F("fullyLabeledReplicas", .i32),
          F("readyReplicas", .i32),
          F("availableReplicas", .i32),
          F("observedGeneration", .i64),
          F("conditions", .list(.apps("ReplicaSetCondition"), .map("type")), patch: .merge, key: "type"),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.DaemonSetSpec",
        [
          F("selector", .meta("LabelSelector"), req: true),
          F("template", .core("PodTemplateSpec"), req: true),
          F("updateStrategy", .apps("DaemonSetUpdateStrategy")),
          F("minReadySeconds", .i32),
          F("revisionHistoryLimit", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.DaemonSetStatus",
        [
          F("currentNumberScheduled", .i32, req: true),
          F("numberMisscheduled", .i32, req: true),
          F("desiredNumberScheduled", .i32, req: true),
          F("numberReady", .i32, req: true),
          F("observedGeneration", .i64),
          F("updatedNumberScheduled", .i32),
          F("numberAvailable", .i32),
          F("numberUnavailable", .i32),
          F("collisionCount", .i32),
          F("conditions", .list(.apps("DaemonSetCondition"), .map("type")), patch: .merge, key: "type"),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.StatefulSetSpec",
        [
          F("replicas", .i32),
          F("selector", .meta("LabelSelector"), req: true),
          F("template", .core("PodTemplateSpec"), req: true),
          F("volumeClaimTemplates", .list(.core("PersistentVolumeClaim"), .atomic)),
          F("serviceName", .str, req: true),
          F("podManagementPolicy", .str, enums: ["OrderedReady", "Parallel"]),
          F("updateStrategy", .apps("StatefulSetUpdateStrategy")),
          F("revisionHistoryLimit", .i32),
          F("minReadySeconds", .i32),
          F("persistentVolumeClaimRetentionPolicy", .apps("StatefulSetPersistentVolumeClaimRetentionPolicy")),
          F("ordinals", .apps("StatefulSetOrdinals")),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.StatefulSetStatus",
        [
          F("observedGeneration", .i64),
          F("replicas", .i32, req: true),
          F("readyReplicas", .i32),
          F("currentReplicas", .i32),
          F("updatedReplicas", .i32),
          F("currentRevision", .str),
          F("updateRevision", .str),
          F("collisionCount", .i32),
          F("conditions", .list(.apps("StatefulSetCondition"), .map("type")), patch: .merge, key: "type"),
          F("availableReplicas", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.DeploymentStrategy",
        [
          F("type", .str, enums: ["Recreate", "RollingUpdate"]),
          F("rollingUpdate", .apps("RollingUpdateDeployment")),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.DeploymentCondition",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
          F("lastUpdateTime", .time),
          F("lastTransitionTime", .time),
          F("reason", .str),
          F("message", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.ReplicaSetCondition",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
          F("lastTransitionTime", .time),
          F("reason", .str),
          F("message", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.DaemonSetUpdateStrategy",
        [
          F("type", .str, enums: ["OnDelete", "RollingUpdate"]),
          F("rollingUpdate", .apps("RollingUpdateDaemonSet")),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.DaemonSetCondition",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
          F("lastTransitionTime", .time),
          F("reason", .str),
          F("message", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.StatefulSetUpdateStrategy",
        [
          F("type", .str, enums: ["OnDelete", "RollingUpdate"]),
          F("rollingUpdate", .apps("RollingUpdateStatefulSetStrategy")),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy",
        [
          F("whenDeleted", .str),
          F("whenScaled", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.StatefulSetOrdinals",
        [
          F("start", .i32)
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.StatefulSetCondition",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
          F("lastTransitionTime", .time),
          F("reason", .str),
          F("message", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.RollingUpdateDeployment",
        [
          F("maxUnavailable", .intOrString),
          F("maxSurge", .intOrString),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.RollingUpdateDaemonSet",
        [
          F("maxUnavailable", .intOrString),
          F("maxSurge", .intOrString),
        ]))
    r.append(
      T(
        "io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy",
        [
          F("partition", .i32),
          F("maxUnavailable", .intOrString),
        ]))
  }
}
