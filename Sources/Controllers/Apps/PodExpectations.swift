/// Creations and deletions a sync asked for at once, kept as two entries of `Expectations` so
/// neither overwrites the other; satisfied when both have been observed (or expired).
struct PodExpectations: Sendable {
  let inner = Expectations()

  func expect(_ key: String, creations: Int, deletions: [String]) {
    inner.expectCreations("create:\(key)", creations)
    inner.expectDeletions("delete:\(key)", deletions)
  }

  func creationObserved(_ key: String) { inner.creationObserved("create:\(key)") }

  func deletionObserved(_ key: String, pod: String) { inner.deletionObserved("delete:\(key)", object: pod) }

  func satisfied(_ key: String) -> Bool {
    let created = inner.satisfied("create:\(key)")
    let deleted = inner.satisfied("delete:\(key)")
    return created && deleted
  }

  func forget(_ key: String) {
    inner.forget("create:\(key)")
    inner.forget("delete:\(key)")
  }
}
