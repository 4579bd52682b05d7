import KubeAPI
import KubeClient

extension JobController {
  /// The pods this Job manages: those it controls that still match its selector, plus
  /// matching orphans it adopts (owner reference and tracking finalizer added). Controlled
  /// pods that no longer match are released.
  func podsForJob(_ job: JSONValue, _ spec: JobSpec) async throws -> [JSONValue] {
    let (owned, orphans) = podCache.controlledOrOrphaned(by: job)
    let selector = spec.selector
    var pods: [JSONValue] = []
    for pod in owned {
      if selector.matches(pod) || pod.metadata.isBeingDeleted {
        pods.append(pod)
      } else {
        try await release(pod, from: job)
      }
    }
    let candidates = orphans.filter { selector.matches($0) && !$0.metadata.isBeingDeleted }
    guard !candidates.isEmpty, !job.metadata.isBeingDeleted else { return pods }
    // Adoption needs a fresh read: a Job being deleted must not take new pods.
    let fresh = try await context.client.get(.jobs, namespace: spec.namespace, name: spec.name)
    guard fresh.metadata.uid == spec.uid, !fresh.metadata.isBeingDeleted else { return pods }
    for pod in candidates {
      if let adopted = try await adopt(pod, by: job) { pods.append(adopted) }
    }
    return pods
  }

  /// Adds the controller reference and tracking finalizer; answers the pod as now stored.
  private func adopt(_ pod: JSONValue, by job: JSONValue) async throws -> JSONValue? {
    var references = pod.metadata.raw["ownerReferences"]?.arrayValue ?? []
    references.append(OwnerReferences.controller(of: job))
    var finalizers = pod.metadata.finalizers ?? []
    if !finalizers.contains(JobPod.trackingFinalizer) { finalizers.append(JobPod.trackingFinalizer) }
    let patch: JSONValue = [
      "metadata": [
        "ownerReferences": .array(references), "finalizers": .array(finalizers.map { .string($0) }),
        "resourceVersion": .string(pod.metadata.resourceVersion ?? ""),
      ]
    ]
    do {
      return try await context.client.patch(
        .pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "", patch)
    } catch  where error.isNotFound || error.isConflict {
      return nil
    }
  }

  private func release(_ pod: JSONValue, from job: JSONValue) async throws {
    let references = (pod.metadata.raw["ownerReferences"]?.arrayValue ?? []).filter {
      $0["uid"]?.stringValue != job.metadata.uid
    }
    let patch: JSONValue = [
      "metadata": [
        "ownerReferences": references.isEmpty ? .null : .array(references),
        "resourceVersion": .string(pod.metadata.resourceVersion ?? ""),
      ]
    ]
    do {
      try await context.client.patch(.pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "", patch)
    } catch  where error.isNotFound || error.isConflict {}
  }
}
