import KubeAPI

/// Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs and
/// ReplicationControllers: upstream's defaults (their pod templates included) and the
/// selector rules every controller relies on.
enum WorkloadStrategy {
  static let kinds: Set<String> = [
    "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController",
  ]

  static func configure(_ strategy: inout ResourceStrategy, kind: String) {
    strategy.defaults = { object, context in defaults(&object, kind: kind, isCreate: context.isCreate) }
    strategy.validate = { object, old, _ in validate(object, kind: kind, old: old) }
  }

  static func defaults(_ object: inout JSONValue, kind: String, isCreate: Bool) {
    guard var spec = object["spec"] else { return }
    func set(_ key: String, _ value: JSONValue) { if spec[key] == nil { spec[key] = value } }
    switch kind {
    case "Deployment":
      set("replicas", .int(1))
      set("revisionHistoryLimit", .int(10))
      set("progressDeadlineSeconds", .int(600))
      var strategy = spec["strategy"] ?? .object([:])
      if strategy["type"] == nil { strategy["type"] = .string("RollingUpdate") }
      if strategy["type"]?.stringValue == "RollingUpdate" {
        var rolling = strategy["rollingUpdate"] ?? .object([:])
        if rolling["maxUnavailable"] == nil { rolling["maxUnavailable"] = .string("25%") }
        if rolling["maxSurge"] == nil { rolling["maxSurge"] = .string("25%") }
        strategy["rollingUpdate"] = rolling
      }
      spec["strategy"] = strategy
    case "ReplicaSet":
      set("replicas", .int(1))
    case "ReplicationController":
      set("replicas", .int(1))
      if spec["selector"] == nil, let labels = spec["template"]?["metadata"]?["labels"] { spec["selector"] = labels }
    case "StatefulSet":
      set("replicas", .int(1))
      set("podManagementPolicy", .string("OrderedReady"))
      set("revisionHistoryLimit", .int(10))
      set(
        "updateStrategy", .object(["type": .string("RollingUpdate"), "rollingUpdate": .object(["partition": .int(0)])]))
      set(
        "persistentVolumeClaimRetentionPolicy",
        .object(["whenDeleted": .string("Retain"), "whenScaled": .string("Retain")]))
    case "DaemonSet":
      set("revisionHistoryLimit", .int(10))
      set(
        "updateStrategy",
        .object([
          "type": .string("RollingUpdate"),
          "rollingUpdate": .object(["maxUnavailable": .int(1), "maxSurge": .int(0)]),
        ]))
    case "Job":
      JobDefaults.apply(&spec, metadata: object["metadata"] ?? .null, isCreate: isCreate)
    case "CronJob":
      set("concurrencyPolicy", .string("Allow"))
      set("suspend", .bool(false))
      set("successfulJobsHistoryLimit", .int(3))
      set("failedJobsHistoryLimit", .int(1))
      if var jobTemplate = spec["jobTemplate"], var jobSpec = jobTemplate["spec"] {
        defaultTemplate(&jobSpec)
        jobTemplate["spec"] = jobSpec
        spec["jobTemplate"] = jobTemplate
      }
    default: break
    }
    defaultTemplate(&spec)
    object["spec"] = spec
  }

  /// A pod template gets the pod defaults, and upstream's `creationTimestamp: null`.
  static func defaultTemplate(_ spec: inout JSONValue) {
    guard var template = spec["template"] else { return }
    var podSpec = template["spec"] ?? .object([:])
    PodStrategy.defaultPodSpec(&podSpec)
    template["spec"] = podSpec
    var metadata = template["metadata"] ?? .object([:])
    if metadata["creationTimestamp"] == nil { metadata["creationTimestamp"] = .null }
    template["metadata"] = metadata
    spec["template"] = template
  }

  static func validate(_ object: JSONValue, kind: String, old: JSONValue? = nil) -> [FieldError] {
    var errors: [FieldError] = []
    let spec = object["spec"] ?? .null
    let templatePath = kind == "CronJob" ? "spec.jobTemplate.spec.template" : "spec.template"
    let template = kind == "CronJob" ? spec["jobTemplate"]?["spec"]?["template"] : spec["template"]
    if let replicas = spec["replicas"]?.intValue, replicas < 0 {
      errors.append(.invalid("spec.replicas", .int(replicas), "must be greater than or equal to 0"))
    }
    if let podSpec = template?["spec"] {
      errors += PodStrategy.validatePodSpec(podSpec, path: "\(templatePath).spec")
    } else {
      errors.append(.required("\(templatePath).spec.containers", ""))
    }
    if ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"].contains(kind) {
      guard let selector = spec["selector"], selector.objectValue?.isEmpty == false else {
        errors.append(.required("spec.selector", ""))
        return errors
      }
      let labels = (template?["metadata"]?["labels"]?.objectValue ?? [:]).mapValues { $0.stringValue ?? "" }
      if let parsed = try? LabelSelector(object: selector), !parsed.matches(labels) {
        errors.append(
          .invalid(
            "spec.template.metadata.labels", template?["metadata"]?["labels"] ?? .null,
            "`selector` does not match template `labels`"))
      }
    }
    if kind == "Job" || kind == "CronJob" {
      let policy = template?["spec"]?["restartPolicy"]?.stringValue ?? ""
      if !["OnFailure", "Never"].contains(policy) {
        errors.append(.notSupported("\(templatePath).spec.restartPolicy", .string(policy), ["OnFailure", "Never"]))
      }
    }
    if kind == "CronJob", (spec["schedule"]?.stringValue ?? "").isEmpty {
      errors.append(.required("spec.schedule", ""))
    }
    // Upstream refuses TZ=/CRON_TZ= in new schedules (spec.timeZone replaces it); an object
    // stored with one before stays updatable.
    if kind == "CronJob", let schedule = spec["schedule"]?.stringValue, schedule.contains("TZ"),
      old?["spec"]?["schedule"]?.stringValue?.contains("TZ") != true
    {
      errors.append(
        .invalid("spec.schedule", .string(schedule), "cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
      )
    }
    return errors
  }
}

/// Jobs: completions and parallelism, and the generated selector that ties pods to their Job.
enum JobDefaults {
  static func apply(_ spec: inout JSONValue, metadata: JSONValue, isCreate: Bool) {
    if spec["completions"] == nil && spec["parallelism"] == nil {
      spec["completions"] = .int(1)
      spec["parallelism"] = .int(1)
    }
    if spec["parallelism"] == nil { spec["parallelism"] = .int(1) }
    for (key, value) in [
      ("backoffLimit", JSONValue.int(6)), ("completionMode", .string("NonIndexed")), ("suspend", .bool(false)),
      ("podReplacementPolicy", .string("TerminatingOrFailed")), ("manualSelector", .null),
    ] where spec[key] == nil && !value.isNull {
      spec[key] = value
    }
    guard isCreate, spec["manualSelector"]?.boolValue != true, let uid = metadata["uid"]?.stringValue else { return }
    let name = metadata["name"]?.stringValue ?? ""
    spec["selector"] = .object(["matchLabels": .object(["batch.kubernetes.io/controller-uid": .string(uid)])])
    var template = spec["template"] ?? .object([:])
    var labels = template["metadata"]?["labels"] ?? .object([:])
    for (key, value) in [
      ("batch.kubernetes.io/controller-uid", uid), ("controller-uid", uid), ("batch.kubernetes.io/job-name", name),
      ("job-name", name),
    ] {
      labels[key] = .string(value)
    }
    var templateMetadata = template["metadata"] ?? .object([:])
    templateMetadata["labels"] = labels
    template["metadata"] = templateMetadata
    spec["template"] = template
  }
}
