import KubeAPI
import Testing

@testable import Controllers

@Suite struct SchedulerVolumeBindingTests {
  static func storageClass(_ name: String, provisioner: String, mode: String) -> JSONValue {
    [
      "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": ["name": .string(name)],
      "provisioner": .string(provisioner), "reclaimPolicy": "Delete", "volumeBindingMode": .string(mode),
    ]
  }

  static func claim(
    _ name: String, storageClass: String, size: String = "5Gi", volumeName: String? = nil,
    annotations: [String: String] = [:]
  ) -> JSONValue {
    var claim: JSONValue = [
      "apiVersion": "v1", "kind": "PersistentVolumeClaim",
      "metadata": [
        "name": .string(name), "namespace": "default", "uid": .string("uid-pvc-\(name)"),
        "annotations": .object(annotations.mapValues { .string($0) }),
      ],
      "spec": [
        "accessModes": ["ReadWriteOnce"], "storageClassName": .string(storageClass), "volumeMode": "Filesystem",
        "resources": ["requests": ["storage": .string(size)]],
      ],
      "status": ["phase": "Pending"],
    ]
    if let volumeName {
      claim.setValue(.string(volumeName), atPath: ["spec", "volumeName"])
      claim.setValue("Bound", atPath: ["status", "phase"])
      claim.setValue("yes", atPath: ["metadata", "annotations", "pv.kubernetes.io/bind-completed"])
    }
    return claim
  }

  static func volume(
    _ name: String, node: String, storageClass: String, size: String = "10Gi", phase: String = "Available"
  )
    -> JSONValue
  {
    [
      "apiVersion": "v1", "kind": "PersistentVolume", "metadata": ["name": .string(name)],
      "spec": [
        "capacity": ["storage": .string(size)], "accessModes": ["ReadWriteOnce"],
        "persistentVolumeReclaimPolicy": "Retain", "storageClassName": .string(storageClass),
        "local": ["path": .string("/mnt/disks/\(name)")],
        "nodeAffinity": [
          "required": [
            "nodeSelectorTerms": [
              ["matchExpressions": [["key": "kubernetes.io/hostname", "operator": "In", "values": [.string(node)]]]]
            ]
          ]
        ],
      ],
      "status": ["phase": .string(phase)],
    ]
  }

  static func podUsing(_ claims: String...) -> JSONValue {
    F.pod(
      "db",
      extraSpec: [
        "volumes": .array(claims.map { ["name": .string($0), "persistentVolumeClaim": ["claimName": .string($0)]] })
      ])
  }

  static func scheduler() -> Scheduler {
    var scheduler = F.scheduler(nodes: [F.node("n1"), F.node("n2")])
    scheduler.cache.addStorageClass(
      storageClass("manual", provisioner: "kubernetes.io/no-provisioner", mode: "WaitForFirstConsumer"))
    scheduler.cache.addStorageClass(
      storageClass("local-path", provisioner: "rancher.io/local-path", mode: "WaitForFirstConsumer"))
    scheduler.cache.addStorageClass(storageClass("fast", provisioner: "rancher.io/local-path", mode: "Immediate"))
    return scheduler
  }

  @Test func waitForFirstConsumerPicksMatchingLocalVolume() {
    var scheduler = Self.scheduler()
    scheduler.cache.addPersistentVolume(Self.volume("pv-small", node: "n1", storageClass: "manual", size: "1Gi"))
    scheduler.cache.addPersistentVolume(Self.volume("pv-big", node: "n1", storageClass: "manual", size: "20Gi"))
    scheduler.cache.addPersistentVolume(Self.volume("pv-right", node: "n1", storageClass: "manual", size: "10Gi"))
    scheduler.cache.addPersistentVolume(Self.volume("pv-taken", node: "n2", storageClass: "manual", phase: "Released"))
    scheduler.cache.addPersistentVolumeClaim(Self.claim("data", storageClass: "manual"))
    let result = scheduler.schedule(pod: Self.podUsing("data"))
    #expect(result.nodeName == "n1")
    #expect(result.volumes == VolumeDecision(bindings: [.init(claim: "default/data", volume: "pv-right")]))

    scheduler.cache.addNode(F.node("n1", cpu: "0"))
    let blocked = scheduler.schedule(
      pod: F.pod("x", cpu: "1", extraSpec: ["volumes": Self.podUsing("data")["spec"]!["volumes"]!]))
    #expect(blocked.fitError?.reasonsByNode["n2"] == ["node(s) didn't find available persistent volumes to bind"])
  }

  @Test func provisionableClassesProvisionOnTheChosenNode() {
    var scheduler = Self.scheduler()
    scheduler.cache.addPersistentVolumeClaim(Self.claim("scratch", storageClass: "local-path"))
    let result = scheduler.schedule(pod: Self.podUsing("scratch"))
    #expect(result.volumes == VolumeDecision(provisions: ["default/scratch"]))

    scheduler.cache.updatePersistentVolumeClaim(
      Self.claim("scratch", storageClass: "local-path", annotations: [Scheduler.selectedNodeAnnotation: "n2"]))
    #expect(scheduler.schedule(pod: Self.podUsing("scratch")).nodeName == "n2")
  }

  @Test func boundVolumesPinThePod() {
    var scheduler = Self.scheduler()
    scheduler.cache.addPersistentVolume(Self.volume("pv-b", node: "n2", storageClass: "manual", phase: "Bound"))
    scheduler.cache.addPersistentVolumeClaim(Self.claim("bound", storageClass: "manual", volumeName: "pv-b"))
    #expect(scheduler.schedule(pod: Self.podUsing("bound")).nodeName == "n2")

    scheduler.cache.removePersistentVolume(Self.volume("pv-b", node: "n2", storageClass: "manual"))
    let missing = scheduler.schedule(pod: Self.podUsing("bound"))
    #expect(
      missing.fitError?.message
        == "0/2 nodes are available: 2 node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s). "
        + "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.")

    // A local PV pinned to another host narrows the candidates in PreFilter already.
    scheduler.cache.addPersistentVolume(Self.volume("pv-b", node: "n3", storageClass: "manual", phase: "Bound"))
    let elsewhere = scheduler.schedule(pod: Self.podUsing("bound"))
    #expect(
      elsewhere.fitError?.message
        == "0/2 nodes are available: 2 node(s) didn't satisfy plugin(s) [VolumeBinding]. "
        + "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.")

    // A PV whose affinity is not a single hostname term is checked per node in Filter.
    var zonal = Self.volume("pv-b", node: "n3", storageClass: "manual", phase: "Bound")
    zonal.setValue(
      [["matchExpressions": [["key": "topology.kubernetes.io/zone", "operator": "In", "values": ["z9"]]]]],
      atPath: ["spec", "nodeAffinity", "required", "nodeSelectorTerms"])
    scheduler.cache.updatePersistentVolume(zonal)
    let conflict = scheduler.schedule(pod: Self.podUsing("bound"))
    #expect(conflict.fitError?.reasonHistogram() == ["2 node(s) had volume node affinity conflict"])

    // Two local PVs on different hosts can never be used together.
    scheduler.cache.addPersistentVolume(Self.volume("pv-1", node: "n1", storageClass: "manual", phase: "Bound"))
    scheduler.cache.addPersistentVolume(Self.volume("pv-2", node: "n2", storageClass: "manual", phase: "Bound"))
    scheduler.cache.addPersistentVolumeClaim(Self.claim("one", storageClass: "manual", volumeName: "pv-1"))
    scheduler.cache.addPersistentVolumeClaim(Self.claim("two", storageClass: "manual", volumeName: "pv-2"))
    #expect(
      scheduler.schedule(pod: Self.podUsing("one", "two")).fitError?.message
        == "0/2 nodes are available: node(s) didn't satisfy plugin VolumeBinding. "
        + "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.")
  }

  @Test func unboundImmediateAndMissingClaimsStopInPreFilter() {
    var scheduler = Self.scheduler()
    scheduler.cache.addPersistentVolumeClaim(Self.claim("fast", storageClass: "fast"))
    #expect(
      scheduler.schedule(pod: Self.podUsing("fast")).fitError?.message
        == "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
        + "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.")
    #expect(
      scheduler.schedule(pod: Self.podUsing("nope")).fitError?.message
        == "0/2 nodes are available: persistentvolumeclaim \"nope\" not found. "
        + "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.")
  }
}
