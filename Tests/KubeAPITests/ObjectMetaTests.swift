import Testing

@testable import KubeAPI

@Suite struct ObjectMetaTests {
  @Test func readsMetadataOfAStoredPod() {
    let pod = Fixtures.pod(7)
    #expect(pod.apiVersion == "v1")
    #expect(pod.kind == "Pod")
    let meta = pod.metadata
    #expect(meta.name == "web-7d4b9c8f6d-7")
    #expect(meta.namespace == "default")
    #expect(meta.generateName == "web-7d4b9c8f6d-")
    #expect(meta.resourceVersion == "100007")
    #expect(meta.labels?["app"] == "web")
    #expect(meta.annotations?["note"] == "<b>html & \"quotes\"</b>")
    #expect(meta.creationTimestamp == "2026-11-29T22:38:41Z")
    #expect(meta.creationTime == KubeTime(seconds: 1_795_991_921))
    #expect(meta.ownerReferences?.first?.kind == "ReplicaSet")
    #expect(meta.controllerReference?.name == "web-7d4b9c8f6d")
    #expect(meta.managedFields?.count == 1)
    #expect(meta.key == "default/web-7d4b9c8f6d-7")
    #expect(meta.generation == nil)
    #expect(!meta.isBeingDeleted)
    #expect(pod.groupVersionKind == GroupVersionKind(group: "", version: "v1", kind: "Pod"))
  }

  @Test func settersWriteBackAndKeepUnmodelledFields() {
    var pod = Fixtures.pod(1)
    pod.metadata.name = "renamed"
    pod.metadata.labels?["tier"] = nil
    pod.metadata.labels?["extra"] = "yes"
    pod.metadata.generation = 3
    pod.metadata.finalizers = ["example.com/cleanup"]
    pod.metadata.deletionTimestamp = "2026-11-30T00:00:00Z"
    pod.metadata.deletionGracePeriodSeconds = 30
    pod.metadata.uid = "u-1"
    pod.metadata.raw["selfLink"] = "/api/v1/x"
    #expect(pod["metadata"]?["name"] == "renamed")
    #expect(pod["metadata"]?["labels"] == ["app": "web", "pod-template-hash": "7d4b9c8f6d", "extra": "yes"])
    #expect(pod["metadata"]?["generation"] == 3)
    #expect(pod["metadata"]?["finalizers"] == ["example.com/cleanup"])
    #expect(pod["metadata"]?["deletionGracePeriodSeconds"] == 30)
    #expect(pod["metadata"]?["selfLink"] == "/api/v1/x")
    #expect(pod["metadata"]?["managedFields"] != nil)
    #expect(pod.metadata.isBeingDeleted)
    #expect(pod.metadata.hasFinalizer("example.com/cleanup"))
    // Empty values remove the field, as upstream's unstructured setters do.
    pod.metadata.finalizers = []
    pod.metadata.generateName = ""
    pod.metadata.labels = nil
    #expect(pod["metadata"]?["finalizers"] == nil)
    #expect(pod["metadata"]?["generateName"] == nil)
    #expect(pod["metadata"]?["labels"] == nil)
    #expect(pod["spec"] != nil)
  }

  @Test func metadataOnAnEmptyValueCreatesTheObject() {
    var object: JSONValue = .null
    object.apiVersion = "apps/v1"
    object.kind = "Deployment"
    object.metadata.name = "web"
    object.metadata.namespace = "prod"
    object.metadata.ownerReferences = [
      OwnerReference(apiVersion: "v1", kind: "Namespace", name: "prod", uid: "u", controller: true)
    ]
    #expect(
      object == [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": [
          "name": "web", "namespace": "prod",
          "ownerReferences": [
            ["apiVersion": "v1", "kind": "Namespace", "name": "prod", "uid": "u", "controller": true]
          ],
        ],
      ])
    #expect(object.groupVersionKind?.groupVersion == GroupVersion(group: "apps", version: "v1"))
  }

  @Test func pathAccess() {
    var value: JSONValue = ["spec": ["template": ["metadata": ["labels": ["a": "b"]]]]]
    #expect(value.value(atPath: "spec.template.metadata.labels.a") == "b")
    value.setValue("c", atPath: ["spec", "template", "metadata", "labels", "a"])
    value.setValue(3, atPath: ["spec", "replicas"])
    value.setValue("x", atPath: ["status", "phase"])
    #expect(value.value(atPath: "spec.template.metadata.labels.a") == "c")
    #expect(value["spec"]?["replicas"] == 3)
    #expect(value["status"]?["phase"] == "x")
    value.setValue(nil, atPath: ["spec", "replicas"])
    value.setValue(nil, atPath: ["missing", "deeper"])
    #expect(value["spec"]?["replicas"] == nil)
    #expect(value["missing"] == nil)
  }

  @Test func groupVersionParsing() throws {
    #expect(try GroupVersion(parsing: "v1") == GroupVersion(group: "", version: "v1"))
    #expect(try GroupVersion(parsing: "apps/v1") == GroupVersion(group: "apps", version: "v1"))
    #expect(try GroupVersion(parsing: "").isEmpty)
    #expect(try GroupVersion(parsing: "/").isEmpty)
    #expect(throws: KubeAPIError(.identifier, "unexpected GroupVersion string: a/b/c")) {
      try GroupVersion(parsing: "a/b/c")
    }
    #expect(GroupVersion(group: "", version: "v1").description == "v1")
    #expect(GroupVersion(group: "apps", version: "v1").apiVersion == "apps/v1")
    let gvk = try GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")
    #expect(gvk.description == "apps/v1, Kind=Deployment")
    #expect(gvk.groupKind.description == "Deployment.apps")
    #expect(GroupVersionKind(group: "", version: "v1", kind: "Pod").description == "/v1, Kind=Pod")
    let gvr = GroupVersion(group: "apps", version: "v1").withResource("deployments")
    #expect(gvr.description == "apps/v1, Resource=deployments")
    #expect(gvr.groupResource.description == "deployments.apps")
    #expect(GroupResource(parsing: "deployments.apps") == GroupResource(group: "apps", resource: "deployments"))
    #expect(GroupResource(parsing: "pods") == GroupResource(group: "", resource: "pods"))
    #expect(GroupResource(parsing: "ingresses.networking.k8s.io").group == "networking.k8s.io")
  }
}

@Suite struct JSONValueSubscriptTests {
  @Test func memberMutationKeepsTheOriginalSemantics() {
    var value: JSONValue = ["a": ["b": 1]]
    value["a"]?["b"] = 2
    value["a"]?["c"] = "x"
    value["new"] = true
    value["gone"] = nil
    #expect(value == ["a": ["b": 2, "c": "x"], "new": true])
    value["a"] = nil
    #expect(value == ["new": true])
    var scalar: JSONValue = 5
    scalar["k"] = nil
    #expect(scalar == 5)
    scalar["k"] = "v"
    #expect(scalar == ["k": "v"])
    var missing: JSONValue = [:]
    missing["x"]?["y"] = 1
    #expect(missing == [:])
    let copy = value
    value["new"] = false
    #expect(copy == ["new": true])
    #expect(value[0] == nil && JSONValue.array([1, 2])[1] == 2)
  }
}
