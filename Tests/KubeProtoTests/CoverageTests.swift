import Testing

@testable import KubeProto

/// Every kind the API server serves has a protobuf description, and so does its list.
@Suite struct CoverageTests {
  static let served: [(String, [String])] = [
    (
      "v1",
      [
        "Namespace", "Pod", "Service", "Endpoints", "ConfigMap", "Secret", "ServiceAccount", "Node", "Event",
        "PersistentVolume", "PersistentVolumeClaim", "LimitRange", "ResourceQuota", "PodTemplate",
        "ReplicationController",
      ]
    ),
    ("apps/v1", ["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "ControllerRevision"]),
    ("batch/v1", ["Job", "CronJob"]),
    ("networking.k8s.io/v1", ["Ingress", "IngressClass", "NetworkPolicy"]),
    ("discovery.k8s.io/v1", ["EndpointSlice"]),
    ("coordination.k8s.io/v1", ["Lease"]),
    ("storage.k8s.io/v1", ["StorageClass", "CSIDriver", "CSINode", "VolumeAttachment"]),
    ("rbac.authorization.k8s.io/v1", ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]),
    ("events.k8s.io/v1", ["Event"]),
    ("policy/v1", ["PodDisruptionBudget"]),
    ("scheduling.k8s.io/v1", ["PriorityClass"]),
    ("node.k8s.io/v1", ["RuntimeClass"]),
    ("autoscaling/v1", ["HorizontalPodAutoscaler"]),
    ("autoscaling/v2", ["HorizontalPodAutoscaler"]),
    ("certificates.k8s.io/v1", ["CertificateSigningRequest"]),
    ("admissionregistration.k8s.io/v1", ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]),
    ("flowcontrol.apiserver.k8s.io/v1", ["FlowSchema", "PriorityLevelConfiguration"]),
    ("apiextensions.k8s.io/v1", ["CustomResourceDefinition"]),
  ]
  static let withoutLists: [(String, [String])] = [
    ("v1", ["Binding"]), ("policy/v1", ["Eviction"]), ("autoscaling/v1", ["Scale"]),
    ("authentication.k8s.io/v1", ["TokenReview", "TokenRequest", "SelfSubjectReview"]),
    (
      "authorization.k8s.io/v1",
      ["SelfSubjectAccessReview", "SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectRulesReview"]
    ),
    ("v1", ["Status", "DeleteOptions", "WatchEvent"]), ("apps/v1", ["DeleteOptions", "Status"]),
  ]

  @Test func everyServedKindAndItsListIsDescribed() {
    for (apiVersion, kinds) in Self.served {
      for kind in kinds {
        #expect(KubeProtobuf.canEncode(apiVersion: apiVersion, kind: kind), "\(apiVersion) \(kind)")
        #expect(KubeProtobuf.canEncode(apiVersion: apiVersion, kind: kind + "List"), "\(apiVersion) \(kind)List")
      }
    }
    for (apiVersion, kinds) in Self.withoutLists {
      for kind in kinds { #expect(KubeProtobuf.canEncode(apiVersion: apiVersion, kind: kind), "\(apiVersion) \(kind)") }
    }
  }

  @Test func tableResolvesEveryReference() {
    let table = ProtoTable.shared
    #expect(table.messages.count > 500)
    for message in table.messages {
      for field in message.fields {
        if case .message(let index) = field.type { #expect(index < table.messages.count) }
      }
    }
    #expect(table.index["core/v1.PodSpec"] != nil)
  }

  /// The decoder recurses once per nested message. Only CRD schemas (JSONSchemaProps) contain
  /// themselves; the decoder bounds that nesting, and every other message graph is finite.
  @Test func onlyCRDSchemasAreRecursive() {
    let table = ProtoTable.shared
    var state = [UInt8](repeating: 0, count: table.messages.count)  // 0 new, 1 on path, 2 done
    var cycles: Set<String> = []
    func visit(_ index: Int) {
      if state[index] == 2 { return }
      if state[index] == 1 {
        cycles.insert(table.messages[index].name)
        return
      }
      state[index] = 1
      for field in table.messages[index].fields {
        if case .message(let next) = field.type { visit(next) }
      }
      state[index] = 2
    }
    for index in table.messages.indices { visit(index) }
    #expect(cycles == ["apiextensions/v1.JSONSchemaProps"])
  }
}
