import KubeAPI
import KubeClient

/// persistentVolumeClaimRetentionPolicy through owner references, as upstream: the garbage
/// collector deletes a claim whose controller (the set for whenDeleted=Delete, the pod of a
/// scaled-down ordinal for whenScaled=Delete) is gone. Claims controlled by something else, or
/// by an earlier object of the same name, are left alone.
extension StatefulSetController {
  struct RetentionPolicy: Equatable {
    var deleteWhenDeleted: Bool
    var deleteWhenScaled: Bool

    init(_ set: JSONValue) {
      let policy = set["spec"]?["persistentVolumeClaimRetentionPolicy"]
      deleteWhenDeleted = policy?["whenDeleted"]?.stringValue == "Delete"
      deleteWhenScaled = policy?["whenScaled"]?.stringValue == "Delete"
    }

    var retainsAll: Bool { !deleteWhenDeleted && !deleteWhenScaled }
  }

  /// A claim still owned by an earlier pod of this name: the new pod waits for it to be deleted.
  func claimIsStale(_ set: JSONValue, pod: JSONValue) -> Bool {
    guard RetentionPolicy(set).deleteWhenScaled else { return false }
    let cache = context.informers.cache(.persistentVolumeClaims)
    return Self.claims(set, ordinal: Self.ordinal(pod)).contains { _, claim in
      guard let existing = cache.get(namespace: claim.metadata.namespace, name: claim.metadata.name ?? "") else {
        return false
      }
      return Self.hasStaleReference(existing, to: pod, apiVersion: "v1", kind: "Pod")
    }
  }

  func claimsMatchRetentionPolicy(_ set: JSONValue, pod: JSONValue) -> Bool {
    let cache = context.informers.cache(.persistentVolumeClaims)
    return Self.claims(set, ordinal: Self.ordinal(pod)).allSatisfy { _, claim in
      guard let existing = cache.get(namespace: claim.metadata.namespace, name: claim.metadata.name ?? "") else {
        return true
      }
      return Self.ownersUpToDate(existing, set: set, pod: pod)
    }
  }

  /// Rewrites the owner references of the pod's existing claims that do not match the policy.
  func updateClaimsForRetention(_ set: JSONValue, pod: JSONValue) async throws {
    let cache = context.informers.cache(.persistentVolumeClaims)
    for (_, claim) in Self.claims(set, ordinal: Self.ordinal(pod)) {
      guard var existing = cache.get(namespace: claim.metadata.namespace, name: claim.metadata.name ?? ""),
        !Self.ownersUpToDate(existing, set: set, pod: pod)
      else { continue }
      let references = Self.ownerReferences(existing, set: set, pod: pod)
      existing["metadata"]?["ownerReferences"] = references.arrayValue?.isEmpty == false ? references : nil
      try await context.client.update(.persistentVolumeClaims, existing)
    }
  }

  /// upstream isClaimOwnerUpToDate.
  static func ownersUpToDate(_ claim: JSONValue, set: JSONValue, pod: JSONValue) -> Bool {
    if hasStaleReference(claim, to: set, apiVersion: "apps/v1", kind: "StatefulSet")
      || hasStaleReference(claim, to: pod, apiVersion: "v1", kind: "Pod")
    {
      return true
    }
    let onSet = hasReference(claim, to: set)
    let onPod = hasReference(claim, to: pod)
    if hasUnexpectedController(claim, set: set, pod: pod) { return !onSet && !onPod }
    let uids = [set.metadata.uid, pod.metadata.uid].compactMap { $0 }
    if references(claim).contains(where: {
      uids.contains($0["uid"]?.stringValue ?? "") && $0["controller"]?.boolValue != true
    }) {
      return false
    }
    let policy = RetentionPolicy(set)
    let scaledDown = !inOrdinalRange(pod, set)
    switch (policy.deleteWhenScaled, policy.deleteWhenDeleted) {
    case (false, false): return !onSet && !onPod
    case (false, true): return onSet && !onPod
    case (true, false): return !onSet && scaledDown == onPod
    case (true, true): return scaledDown != onSet && scaledDown == onPod
    }
  }

  /// upstream updateClaimOwnerRefForSetAndPod: our references scrubbed, then the set and/or pod
  /// added as controller as the policy asks.
  static func ownerReferences(_ claim: JSONValue, set: JSONValue, pod: JSONValue) -> JSONValue {
    let unexpected = hasUnexpectedController(claim, set: set, pod: pod)
    var refs = references(claim).filter {
      !matches($0, set, apiVersion: "apps/v1", kind: "StatefulSet") && !matches($0, pod, apiVersion: "v1", kind: "Pod")
    }
    guard !unexpected else { return .array(refs) }
    let policy = RetentionPolicy(set)
    let scaledDown = !inOrdinalRange(pod, set)
    if policy.deleteWhenScaled && scaledDown {
      refs.append(ControllerRefs.reference(to: pod, type: .pods))
    } else if policy.deleteWhenDeleted {
      refs.append(ControllerRefs.reference(to: set, type: .statefulSets))
    }
    return .array(refs)
  }

  static func references(_ object: JSONValue) -> [JSONValue] {
    object["metadata"]?["ownerReferences"]?.arrayValue ?? []
  }

  static func matches(_ ref: JSONValue, _ object: JSONValue, apiVersion: String, kind: String) -> Bool {
    ref["apiVersion"]?.stringValue == apiVersion && ref["kind"]?.stringValue == kind
      && ref["name"]?.stringValue == object.metadata.name
  }

  static func hasReference(_ claim: JSONValue, to owner: JSONValue) -> Bool {
    guard let uid = owner.metadata.uid else { return false }
    return references(claim).contains { $0["uid"]?.stringValue == uid }
  }

  /// A reference to an object of this kind and name but another uid (an earlier incarnation).
  static func hasStaleReference(_ claim: JSONValue, to object: JSONValue, apiVersion: String, kind: String) -> Bool {
    guard let ref = references(claim).first(where: { matches($0, object, apiVersion: apiVersion, kind: kind) }) else {
      return false
    }
    return ref["uid"]?.stringValue != (object.metadata.uid ?? "")
  }

  /// With a deleting policy, a controller other than this set or pod (or a stale one) means the
  /// claim is not ours to manage.
  static func hasUnexpectedController(_ claim: JSONValue, set: JSONValue, pod: JSONValue) -> Bool {
    guard !RetentionPolicy(set).retainsAll else { return false }
    for ref in references(claim) {
      if matches(ref, set, apiVersion: "apps/v1", kind: "StatefulSet") {
        if ref["uid"]?.stringValue != set.metadata.uid { return true }
        continue
      }
      if matches(ref, pod, apiVersion: "v1", kind: "Pod") {
        if ref["uid"]?.stringValue != (pod.metadata.uid ?? "") { return true }
        continue
      }
      if ref["controller"]?.boolValue == true { return true }
    }
    return false
  }
}
