import KubeAPI
import KubeClient
import Testing

@testable import Controllers

@Suite struct WrittenVersionsTests {
  static func replicaSet(_ version: Int) -> JSONValue {
    ["metadata": ["name": "web-1", "namespace": "default", "resourceVersion": .string(String(version))]]
  }

  @Test func aCacheBehindTheLastWriteIsNotCurrentUntilItCatchesUp() {
    let writes = WrittenVersions()
    #expect(writes.includesLastWrite(.replicaSets, Self.replicaSet(10)))
    writes.record(.replicaSets, Self.replicaSet(12))
    #expect(!writes.includesLastWrite(.replicaSets, Self.replicaSet(11)))
    // Another resource with the same name is tracked apart.
    #expect(writes.includesLastWrite(.deployments, Self.replicaSet(11)))
    #expect(writes.includesLastWrite(.replicaSets, Self.replicaSet(12)))
    // Caught up: forgotten, so an older copy read later is not held back by it.
    #expect(writes.includesLastWrite(.replicaSets, Self.replicaSet(11)))
    // An older write result never moves the mark back.
    writes.record(.replicaSets, Self.replicaSet(20))
    writes.record(.replicaSets, Self.replicaSet(15))
    #expect(!writes.includesLastWrite(.replicaSets, Self.replicaSet(19)))
  }
}
