import KubeAPI

extension KubeClient {
  /// A kubelet's heartbeat: renews the node's Lease in `kube-node-lease` (40 s duration, owned
  /// by the Node so it goes with it), creating the Lease on first use.
  public func renewNodeLease(_ node: String, renewTime: String) async throws {
    do {
      try await patch(
        .leases, namespace: "kube-node-lease", name: node,
        ["spec": ["renewTime": .string(renewTime), "holderIdentity": .string(node)]])
    } catch  where error.isNotFound {
      let object = try await get(.nodes, name: node)
      try await create(
        .leases, namespace: "kube-node-lease",
        [
          "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
          "metadata": [
            "name": .string(node), "namespace": "kube-node-lease",
            "ownerReferences": [
              ["apiVersion": "v1", "kind": "Node", "name": .string(node), "uid": .string(object.metadata.uid ?? "")]
            ],
          ],
          "spec": ["holderIdentity": .string(node), "leaseDurationSeconds": 40, "renewTime": .string(renewTime)],
        ])
    }
  }
}
