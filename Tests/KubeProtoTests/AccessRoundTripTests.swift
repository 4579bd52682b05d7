import Testing

/// Round trips for rbac, authentication, authorization, certificates, events and meta kinds.
@Suite struct AccessRoundTripTests {
  @Test func rbac() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "reader",
         "namespace": "default"},
       "rules": [{"verbs": ["get", "list"], "apiGroups": ["", "apps"], "resources": ["pods", "deployments"],
         "resourceNames": ["a"]}]}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "logs"},
       "rules": [{"verbs": ["get"], "nonResourceURLs": ["/logs/*"]}],
       "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"rbac.example.com/aggregate": "true"}}]}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "read",
         "namespace": "default"},
       "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "bob"},
         {"kind": "ServiceAccount", "name": "robot", "namespace": "default"}],
       "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "logs"},
       "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "devs"}],
       "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "logs"}}
      """)
  }

  @Test func authentication() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "metadata": {},
       "spec": {"token": "eyJhbGciOi", "audiences": ["https://kubernetes.default.svc"]},
       "status": {"authenticated": true, "user": {"username": "system:serviceaccount:default:robot",
         "uid": "u1", "groups": ["system:serviceaccounts"], "extra": {"authentication.kubernetes.io/pod-name":
         ["web-0"], "scopes": ["a", "b"]}}, "audiences": ["https://kubernetes.default.svc"]}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "metadata": {"name": "robot",
         "namespace": "default"},
       "spec": {"audiences": ["api"], "expirationSeconds": 3600, "boundObjectRef": {"kind": "Pod",
         "apiVersion": "v1", "name": "web-0", "uid": "u1"}},
       "status": {"token": "eyJ", "expirationTimestamp": "2026-11-29T23:38:41Z"}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview", "metadata": {},
       "status": {"userInfo": {"username": "admin", "groups": ["system:masters", "system:authenticated"]}}}
      """)
  }

  @Test func authorization() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "metadata": {},
       "spec": {"resourceAttributes": {"namespace": "default", "verb": "list", "group": "apps",
         "resource": "deployments", "subresource": "scale", "name": "web",
         "fieldSelector": {"rawSelector": "spec.nodeName=edge-1"},
         "labelSelector": {"requirements": [{"key": "app", "operator": "In", "values": ["web"]}]}}},
       "status": {"allowed": true, "reason": "RBAC: allowed by ClusterRoleBinding"}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "metadata": {},
       "spec": {"nonResourceAttributes": {"path": "/healthz", "verb": "get"}, "user": "bob",
         "groups": ["devs"], "extra": {"k": ["v1", "v2"]}, "uid": "u1"},
       "status": {"allowed": false, "denied": true, "evaluationError": "none"}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview", "metadata": {
         "namespace": "default"},
       "spec": {"resourceAttributes": {"namespace": "default", "verb": "get", "resource": "pods"}, "user": "bob"},
       "status": {"allowed": false}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "metadata": {},
       "spec": {"namespace": "default"},
       "status": {"resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
         "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/api"]}], "incomplete": false}}
      """)
  }

  @Test func certificates() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
       "metadata": {"name": "node-csr-1", "generateName": "node-csr-"},
       "spec": {"request": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K", "signerName":
         "kubernetes.io/kube-apiserver-client-kubelet", "expirationSeconds": 86400,
         "usages": ["digital signature", "client auth"], "username": "system:node:edge-1",
         "groups": ["system:nodes"], "extra": {"x": ["y"]}},
       "status": {"conditions": [{"type": "Approved", "status": "True", "reason": "AutoApproved",
         "message": "ok", "lastUpdateTime": "2026-11-29T22:38:41Z", "lastTransitionTime": "2026-11-29T22:38:41Z"}],
         "certificate": "AAEC"}}
      """)
  }

  @Test func eventsV1() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e", "namespace": "default"},
       "eventTime": "2026-11-29T22:38:41.000123Z",
       "series": {"count": 2, "lastObservedTime": "2026-11-29T22:39:41.500000Z"},
       "reportingController": "skiff.io/kubelet", "reportingInstance": "edge-1", "action": "Pulling",
       "reason": "Pulling", "regarding": {"kind": "Pod", "name": "web-0", "namespace": "default"},
       "related": {"kind": "Node", "name": "edge-1"}, "note": "Pulling image", "type": "Normal",
       "deprecatedSource": {"component": "kubelet"}, "deprecatedFirstTimestamp": "2026-11-29T22:38:41Z",
       "deprecatedCount": 2}
      """)
  }

  @Test func metaKinds() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "Status", "metadata": {"resourceVersion": "12"}, "status": "Failure",
       "message": "pods \\"web-0\\" is forbidden", "reason": "Forbidden", "code": 403,
       "details": {"name": "web-0", "kind": "pods", "uid": "u1", "retryAfterSeconds": 2,
         "causes": [{"reason": "FieldValueInvalid", "message": "bad", "field": "spec.containers[0].image"}]}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "apps/v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0,
       "preconditions": {"uid": "u1"}, "orphanDependents": false, "propagationPolicy": "Orphan",
       "dryRun": ["All"]}
      """)
  }

  @Test func lists() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "99", "continue": "abc",
         "remainingItemCount": 0},
       "items": [{"metadata": {"name": "a", "namespace": "default"}, "spec": {"containers": [{"name": "c",
         "image": "i", "resources": {}}]}, "status": {"phase": "Pending"}},
         {"metadata": {"name": "b", "namespace": "default"}, "spec": \(RoundTrip.podSpec), "status": {}}]}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "apps/v1", "kind": "DeploymentList", "metadata": {"resourceVersion": "5"},
       "items": [{"metadata": {"name": "x"}, "spec": {"template": {"metadata": {}, "spec": {}}}}]}
      """)
  }
}
