import KubeAPI
import KubeClient

/// Runs Jobs as kube-controller-manager's job controller does: creates pods from the template
/// up to `parallelism` until `completions` succeed (NonIndexed or Indexed), counts every
/// finished pod exactly once through the `batch.kubernetes.io/job-tracking` finalizer, backs
/// off after failures, applies backoffLimit, activeDeadlineSeconds, podFailurePolicy,
/// successPolicy and suspend, and reports it all in `status` and Events.
public struct JobController: Controller {
  public let name = "job"
  static let managerName = "kubernetes.io/job-controller"
  /// Pod events are batched so a burst of pod updates makes one status write.
  static let syncBatchPeriod = Duration.seconds(1)
  static let maxPodChangesPerSync = 500
  static let maxUncountedPods = 500

  let context: ControllerContext
  let queue = WorkQueue(baseDelay: .milliseconds(100), maxDelay: .seconds(60))
  /// Pods whose tracking finalizer must go although no live Job will count them.
  let orphanQueue = WorkQueue(baseDelay: .milliseconds(100), maxDelay: .seconds(60))
  let expectations = Expectations()
  let finalizerExpectations = FinalizerExpectations()
  let backoff = JobBackoffStore()

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    let jobs = context.informers.informer(.jobs)
    let pods = context.informers.informer(.pods)
    pods.cache.addIndex(OwnerReferences.controllerIndex, OwnerReferences.byController)
    jobs.onEvent { event in jobChanged(event) }
    pods.onEvent { event in podChanged(event) }
    await context.informers.waitForSync()
    await withDiscardingTaskGroup { group in
      group.addTask { await queue.run(workers: context.settings.workers) { key in try await sync(key: key) } }
      group.addTask { await orphanQueue.run(workers: 1) { key in try await syncOrphanPod(key: key) } }
    }
  }

  var jobCache: ObjectCache { context.informers.cache(.jobs) }
  var podCache: ObjectCache { context.informers.cache(.pods) }
  var now: KubeTime { context.now }

  func enqueueBatched(_ key: String) { queue.add(key, after: Self.syncBatchPeriod) }

  // MARK: - Informer events

  private func jobChanged(_ event: InformerEvent) {
    let key = event.object.metadata.key
    switch event {
    case .added:
      queue.add(key)
    case .updated(let old, let new):
      if old.metadata.generation == new.metadata.generation { enqueueBatched(key) } else { queue.add(key) }
      if JobStatus.isFinished(new) { cleanupPodFinalizers(new) }
      if let started = new["status"]?["startTime"]?.stringValue.flatMap({ try? KubeTime(parsing: $0) }),
        let deadline = JobSpec(new).activeDeadlineSeconds, JobSpec(old).activeDeadlineSeconds != deadline
      {
        let left = started.milliseconds + deadline * 1000 - context.clock.nowMilliseconds()
        queue.add(key, after: .milliseconds(max(left, 0)))
      }
    case .deleted(let job):
      queue.add(key)
      cleanupPodFinalizers(job)
    }
  }

  private func podChanged(_ event: InformerEvent) {
    switch event {
    case .added(let pod):
      if pod.metadata.isBeingDeleted { return podDeleted(pod, final: false) }
      if let ref = pod.metadata.controllerReference {
        guard let job = resolve(namespace: pod.metadata.namespace, ref) else { return }
        expectations.creationObserved(job.metadata.key)
        enqueueBatched(job.metadata.key)
        return
      }
      if JobPod.hasTrackingFinalizer(pod) { orphanQueue.add(pod.metadata.key) }
      for job in jobsSelecting(pod) { enqueueBatched(job.metadata.key) }
    case .updated(let old, let new):
      if old.metadata.resourceVersion == new.metadata.resourceVersion { return }
      if new.metadata.isBeingDeleted { return podDeleted(new, final: false) }
      let finalizerRemoved = !JobPod.hasTrackingFinalizer(new)
      let current = new.metadata.controllerReference
      let previous = old.metadata.controllerReference
      if current != previous, let previous, let job = resolve(namespace: old.metadata.namespace, previous) {
        if finalizerRemoved { finalizerExpectations.removalObserved(job.metadata.key, JobPod.uid(new)) }
        enqueueBatched(job.metadata.key)
      }
      if let current {
        guard let job = resolve(namespace: new.metadata.namespace, current) else { return }
        if finalizerRemoved { finalizerExpectations.removalObserved(job.metadata.key, JobPod.uid(new)) }
        enqueueBatched(job.metadata.key)
        return
      }
      if JobPod.hasTrackingFinalizer(new) { orphanQueue.add(new.metadata.key) }
      if old.metadata.labels != new.metadata.labels || current != previous {
        for job in jobsSelecting(new) { enqueueBatched(job.metadata.key) }
      }
    case .deleted(let pod):
      podDeleted(pod, final: true)
    }
  }

  /// A pod marked for deletion or gone: the deletion is observed and its Job resynced.
  private func podDeleted(_ pod: JSONValue, final: Bool) {
    let tracked = JobPod.hasTrackingFinalizer(pod)
    guard let ref = pod.metadata.controllerReference else {
      if tracked { orphanQueue.add(pod.metadata.key) }
      return
    }
    guard let job = resolve(namespace: pod.metadata.namespace, ref), !JobStatus.isFinished(job) else {
      if tracked { orphanQueue.add(pod.metadata.key) }
      return
    }
    let key = job.metadata.key
    expectations.deletionObserved(key, object: pod.metadata.key)
    if final || !tracked { finalizerExpectations.removalObserved(key, JobPod.uid(pod)) }
    enqueueBatched(key)
  }

  /// The Job a controller reference names, if it is still the same object.
  func resolve(namespace: String?, _ ref: OwnerReference) -> JSONValue? {
    guard ref.kind == "Job", let job = jobCache.get(namespace: namespace, name: ref.name),
      job.metadata.uid == ref.uid
    else { return nil }
    return job
  }

  /// Jobs in the pod's namespace whose selector matches it (candidates to adopt an orphan).
  private func jobsSelecting(_ pod: JSONValue) -> [JSONValue] {
    jobCache.list(namespace: pod.metadata.namespace ?? "").filter { JobSpec($0).selector.matches(pod) }
  }

  /// Queues the Job's pods that still carry the tracking finalizer for its removal.
  private func cleanupPodFinalizers(_ job: JSONValue) {
    for pod in podCache.byIndex(OwnerReferences.controllerIndex, job.metadata.uid ?? "")
    where JobPod.hasTrackingFinalizer(pod) {
      orphanQueue.add(pod.metadata.key)
    }
  }

  /// Removes the tracking finalizer from a pod no running Job will count.
  func syncOrphanPod(key: String) async throws {
    guard let pod = podCache.get(key), JobPod.hasTrackingFinalizer(pod) else { return }
    if let ref = pod.metadata.controllerReference {
      guard ref.kind == "Job", ref.apiVersion == "batch/v1" else { return }
      if let job = resolve(namespace: pod.metadata.namespace, ref) {
        if JobSpec(job).isManagedExternally || !JobStatus.isFinished(job) { return }
      }
    }
    do {
      try await removeTrackingFinalizer(pod)
    } catch  where error.isNotFound {}
  }

  /// Strategic merge patch that drops only the tracking finalizer.
  func removeTrackingFinalizer(_ pod: JSONValue) async throws {
    let patch: JSONValue = [
      "metadata": ["$deleteFromPrimitiveList/finalizers": [.string(JobPod.trackingFinalizer)]]
    ]
    try await context.client.patch(
      .pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "", patch, as: .strategic)
  }
}
