import KubeAPI

// io.k8s.api.batch.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func batch(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.batch.v1.Job", kinds: [GVK(group: "batch", version: "v1", kind: "Job")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .batch("JobSpec")),
          F("status", .batch("JobStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.JobList", kinds: [GVK(group: "batch", version: "v1", kind: "JobList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.batch("Job")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.CronJob", kinds: [GVK(group: "batch", version: "v1", kind: "CronJob")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .batch("CronJobSpec")),
          F("status", .batch("CronJobStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.CronJobList", kinds: [GVK(group: "batch", version: "v1", kind: "CronJobList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.batch("CronJob")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.JobSpec",
        [
          F("parallelism", .i32),
          F("completions", .i32),
          F("activeDeadlineSeconds", .i64),
          F("podFailurePolicy", .batch("PodFailurePolicy")),
          F("successPolicy", .batch("SuccessPolicy")),
          F("backoffLimit", .i32),
          F("backoffLimitPerIndex", .i32),
          F("maxFailedIndexes", .i32),
          F("selector", .meta("LabelSelector")),
          F("manualSelector", .bool),
          F("template", .core("PodTemplateSpec"), req: true),
          F("ttlSecondsAfterFinished", .i32),
          F("completionMode", .str, enums: ["Indexed", "NonIndexed"]),
          F("suspend", .bool),
          F("podReplacementPolicy", .str, enums: ["Failed", "TerminatingOrFailed"]),
          F("managedBy", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.JobStatus",
        [
          F("conditions", .list(.batch("JobCondition"), .atomic), patch: .merge, key: "type"),
          F("startTime", .time),
          F("completionTime", .time),
          F("active", .i32),
          F("succeeded", .i32),
          F("failed", .i32),
          F("terminating", .i32),
          F("completedIndexes", .str),
          F("failedIndexes", .str),
          F("uncountedTerminatedPods", .batch("UncountedTerminatedPods")),
          F("ready", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.CronJobSpec",
        [
          F("schedule", .str, req: true),
          F("timeZone", .str),
          F("startingDeadlineSeconds", .i64),
          F("concurrencyPolicy", .str, enums: ["Allow", "Forbid", "Replace"]),
          F("suspend", .bool),
          F("jobTemplate", .batch("JobTemplateSpec"), req: true),
          F("successfulJobsHistoryLimit", .i32),
          F("failedJobsHistoryLimit", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.CronJobStatus",
        [
          F("active", .list(.core("ObjectReference"), .atomic)),
          F("lastScheduleTime", .time),
          F("lastSuccessfulTime", .time),
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.PodFailurePolicy",
        [
          F("rules", .list(.batch("PodFailurePolicyRule"), .atomic), req: true)
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.SuccessPolicy",
        [
          F("rules", .list(.batch("SuccessPolicyRule"), .atomic), req: true)
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.JobCondition",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
          F("lastProbeTime", .time),
          F("lastTransitionTime", .time),
          F("reason", .str),
          F("message", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.UncountedTerminatedPods",
        [
          F("succeeded", .list(.str, .set)),
          F("failed", .list(.str, .set)),
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.JobTemplateSpec",
        [
          F("metadata", .meta("ObjectMeta")),
          F("spec", .batch("JobSpec")),
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.PodFailurePolicyRule",
        [
          F("action", .str, req: true, enums: ["Count", "FailIndex", "FailJob", "Ignore"]),
          F("onExitCodes", .batch("PodFailurePolicyOnExitCodesRequirement")),
          F("onPodConditions", .list(.batch("PodFailurePolicyOnPodConditionsPattern"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.SuccessPolicyRule",
        [
          F("succeededIndexes", .str),
          F("succeededCount", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement",
        [
          F("containerName", .str),
          F("operator", .str, req: true, enums: ["In", "NotIn"]),
          F("values", .list(.i32, .set), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.batch.v1.PodFailurePolicyOnPodConditionsPattern",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
        ]))
  }
}
