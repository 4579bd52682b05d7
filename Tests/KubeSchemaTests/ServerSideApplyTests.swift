import KubeAPI
import Testing

@testable import KubeSchema

@Suite struct ServerSideApplyTests {
  let registry = SchemaRegistry.builtIn
  let deployment = GVK(group: "apps", version: "v1", kind: "Deployment")
  let now = "2026-01-01T00:00:00Z"

  func manifest(replicas: Int, labels: String, containers: String) throws -> JSONValue {
    try json(
      """
      {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{\(labels)}},
       "spec":{"replicas":\(replicas),"selector":{"matchLabels":{"app":"web"}},
        "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[\(containers)]}}}}
      """)
  }

  func fields(_ object: JSONValue, _ manager: String) -> Set<ManagedFieldPath> {
    ManagedFieldsEntry.entries(of: object).first { $0.manager == manager }?.fields ?? []
  }

  @Test func createRecordsApplyOwnership() throws {
    let applied = try manifest(replicas: 1, labels: #""a":"1""#, containers: #"{"name":"app","image":"nginx"}"#)
    let created = try registry.serverSideApply(applied, to: nil, kind: deployment, manager: "kubectl", now: now)
    let entry = try #require(created[path: ["metadata", "managedFields"]]?.arrayValue?.first)
    #expect(entry["operation"] == .string("Apply"))
    #expect(entry["fieldsType"] == .string("FieldsV1"))
    let container = entry[path: [
      "fieldsV1", "f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"app"}"#,
    ]]
    #expect(container == .object([".": .object([:]), "f:image": .object([:]), "f:name": .object([:])]))
    #expect(entry[path: ["fieldsV1", "f:metadata", "f:name"]] == nil)
    #expect(entry[path: ["fieldsV1", "f:spec", "f:replicas"]] == .object([:]))
  }

  @Test func reapplyRemovesFieldsNoLongerApplied() throws {
    let first = try manifest(
      replicas: 1, labels: #""a":"1","b":"2""#,
      containers: #"{"name":"app","image":"nginx"},{"name":"sidecar","image":"busybox"}"#)
    let live = try registry.serverSideApply(first, to: nil, kind: deployment, manager: "kubectl", now: now)
    let second = try manifest(replicas: 1, labels: #""a":"1""#, containers: #"{"name":"app","image":"nginx:2"}"#)
    let result = try registry.serverSideApply(second, to: live, kind: deployment, manager: "kubectl", now: now)
    #expect(result[path: ["metadata", "labels"]] == .object(["a": .string("1")]))
    let names = result[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.compactMap {
      $0["name"]?.stringValue
    }
    #expect(names == ["app"])
    #expect(
      result[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["image"] == .string("nginx:2"))
  }

  @Test func conflictingApplyIsRefusedUnlessForced() throws {
    let live = try registry.serverSideApply(
      manifest(replicas: 1, labels: #""a":"1""#, containers: #"{"name":"app","image":"nginx"}"#), to: nil,
      kind: deployment, manager: "kubectl", now: now)
    let other = try json(
      #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":3}}"#)
    #expect(
      throws: SchemaError.conflict(
        #"Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas"#,
        [ApplyConflict(field: ".spec.replicas", message: #"conflict with "kubectl""#)])
    ) {
      try registry.serverSideApply(other, to: live, kind: deployment, manager: "scaler", now: now)
    }
    let forced = try registry.serverSideApply(
      other, to: live, kind: deployment, manager: "scaler", force: true, now: now)
    #expect(forced[path: ["spec", "replicas"]] == .int(3))
    #expect(fields(forced, "scaler") == [ManagedFieldPath([.field("spec"), .field("replicas")])])
    #expect(!fields(forced, "kubectl").contains(ManagedFieldPath([.field("spec"), .field("replicas")])))
    // The same value is shared, not a conflict.
    let same = try json(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"a":"1"}}}"#)
    let shared = try registry.serverSideApply(same, to: live, kind: deployment, manager: "labeler", now: now)
    #expect(fields(shared, "labeler") == [ManagedFieldPath([.field("metadata"), .field("labels"), .field("a")])])
  }

  @Test func sharedFieldSurvivesWhenOneManagerDropsIt() throws {
    var live = try registry.serverSideApply(
      manifest(replicas: 1, labels: #""a":"1""#, containers: #"{"name":"app","image":"nginx"}"#), to: nil,
      kind: deployment, manager: "kubectl", now: now)
    live = try registry.serverSideApply(
      json(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"a":"1"}}}"#), to: live,
      kind: deployment, manager: "labeler", now: now)
    let result = try registry.serverSideApply(
      manifest(replicas: 1, labels: "", containers: #"{"name":"app","image":"nginx"}"#), to: live, kind: deployment,
      manager: "kubectl", now: now)
    #expect(result[path: ["metadata", "labels", "a"]] == .string("1"))
  }

  @Test func updatesTransferOwnershipAndShowInConflicts() throws {
    let live = try registry.serverSideApply(
      manifest(replicas: 1, labels: #""a":"1""#, containers: #"{"name":"app","image":"nginx"}"#), to: nil,
      kind: deployment, manager: "kubectl", now: now)
    var scaled = live
    scaled["spec"]?["replicas"] = .int(5)
    let updated = registry.recordUpdate(
      from: live, to: scaled, kind: deployment, manager: "kube-controller-manager", now: "2026-01-02T00:00:00Z")
    #expect(fields(updated, "kube-controller-manager") == [ManagedFieldPath([.field("spec"), .field("replicas")])])
    #expect(!fields(updated, "kubectl").contains(ManagedFieldPath([.field("spec"), .field("replicas")])))
    let entries = updated[path: ["metadata", "managedFields"]]?.arrayValue?.compactMap { $0["operation"]?.stringValue }
    #expect(entries == ["Apply", "Update"])
    let other = try json(
      #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}}"#)
    #expect(
      throws: SchemaError.conflict(
        #"Apply failed with 1 conflict: conflict with "kube-controller-manager" using apps/v1 at 2026-01-02T00:00:00Z: .spec.replicas"#,
        [
          ApplyConflict(
            field: ".spec.replicas",
            message: #"conflict with "kube-controller-manager" using apps/v1 at 2026-01-02T00:00:00Z"#)
        ])
    ) {
      try registry.serverSideApply(other, to: updated, kind: deployment, manager: "me", now: now)
    }
  }

  @Test func multipleConflictsAreGroupedByManager() throws {
    let live = try registry.serverSideApply(
      manifest(replicas: 1, labels: #""a":"1""#, containers: #"{"name":"app","image":"nginx"}"#), to: nil,
      kind: deployment, manager: "kubectl", now: now)
    let other = try manifest(replicas: 2, labels: #""a":"2""#, containers: #"{"name":"app","image":"nginx"}"#)
    do {
      _ = try registry.serverSideApply(other, to: live, kind: deployment, manager: "me", now: now)
      Issue.record("expected a conflict")
    } catch SchemaError.conflict(let message, let causes) {
      #expect(
        message == "Apply failed with 2 conflicts: conflicts with \"kubectl\":\n- .metadata.labels.a\n- .spec.replicas")
      #expect(causes.count == 2)
    }
  }

  @Test func fieldsV1RoundTrips() throws {
    let paths: Set<ManagedFieldPath> = [
      ManagedFieldPath([.field("metadata"), .field("finalizers"), .value(.string("x"))]),
      ManagedFieldPath([
        .field("spec"), .field("ports"), .key(.object(["port": .int(80), "protocol": .string("TCP")])),
      ]),
      ManagedFieldPath([
        .field("spec"), .field("ports"), .key(.object(["port": .int(80), "protocol": .string("TCP")])), .field("port"),
      ]),
    ]
    let encoded = FieldsV1.encode(paths)
    #expect(encoded[path: ["f:metadata", "f:finalizers", #"v:"x""#]] == .object([:]))
    #expect(encoded[path: ["f:spec", "f:ports", #"k:{"port":80,"protocol":"TCP"}"#, "."]] == .object([:]))
    #expect(FieldsV1.decode(encoded) == paths)
    #expect(paths.sorted().last?.description == #".spec.ports[port=80,protocol="TCP"].port"#)
    // Membership read off the encoding agrees with the decoded set.
    for path in paths { #expect(FieldsV1.contains(encoded, path), "\(path)") }
    #expect(!FieldsV1.contains(encoded, ManagedFieldPath(fields: "spec", "ports")))
    #expect(!FieldsV1.contains(encoded, ManagedFieldPath(fields: "spec", "replicas")))
  }

  /// Entries an update does not touch keep their FieldsV1 as stored; a client's own spelling of
  /// the entries it sends is rewritten canonically.
  @Test func untouchedEntriesStayAsStored() throws {
    let gvk = GVK(group: "", version: "v1", kind: "ConfigMap")
    let base = try json(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{}}"#)
    var next = base
    next["data"]?["a"] = "1"
    let first = registry.recordUpdate(from: base, to: next, kind: gvk, manager: "a", now: now)
    next = first
    next["data"]?["b"] = "2"
    let second = registry.recordUpdate(from: first, to: next, kind: gvk, manager: "b", now: "2026-01-01T00:00:01Z")
    let entries = try #require(second[path: ["metadata", "managedFields"]]?.arrayValue)
    #expect(entries.first { $0["manager"] == "a" } == first[path: ["metadata", "managedFields"]]?[0])
    #expect(fields(second, "b") == [ManagedFieldPath(fields: "data", "b")])
    // b takes a over: a's entry loses it and, empty, is dropped.
    next = second
    next["data"]?["a"] = "3"
    let third = registry.recordUpdate(from: second, to: next, kind: gvk, manager: "b", now: "2026-01-01T00:00:02Z")
    #expect(fields(third, "a").isEmpty)
    #expect(fields(third, "b") == [ManagedFieldPath(fields: "data", "a"), ManagedFieldPath(fields: "data", "b")])

    var sent = third
    sent["metadata"]?["managedFields"] = [
      [
        "manager": "c", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
        "fieldsV1": ["f:data": ["f:a": [:], "f:b": [:]], "f:metadata": ["f:labels": ["f:x": [:]]]],
      ]
    ]
    let replaced = registry.recordUpdate(from: third, to: sent, kind: gvk, manager: "c", now: now)
    #expect(fields(replaced, "c").contains(ManagedFieldPath(fields: "metadata", "labels", "x")))
  }

  @Test func servicePortKeysUseProtocolDefault() throws {
    let service = try json(
      #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":80,"targetPort":8080}]}}"#)
    let created = try registry.serverSideApply(
      service, to: nil, kind: GVK(group: "", version: "v1", kind: "Service"), manager: "kubectl", now: now)
    let ports = created[path: ["metadata", "managedFields"]]?.arrayValue?.first?[path: [
      "fieldsV1", "f:spec", "f:ports",
    ]]
    #expect(ports?[#"k:{"port":80,"protocol":"TCP"}"#] != nil)
  }
}

@Suite struct ServerSideApplyIgnoringTests {
  @Test func ignoredSubtreesAreNeitherAppliedNorOwned() throws {
    let registry = SchemaRegistry.builtIn
    let applied = try json(
      #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1},"status":{"replicas":9}}"#
    )
    let result = try registry.serverSideApply(
      applied, to: nil, kind: GVK(group: "apps", version: "v1", kind: "Deployment"), manager: "kubectl",
      ignoring: [ManagedFieldPath(fields: "status")], now: "t")
    #expect(result["status"] == nil)
    let owned = ManagedFieldsEntry.entries(of: result).first?.fields
    #expect(owned == [ManagedFieldPath(fields: "spec", "replicas")])
  }
}

@Suite struct UpdateManagerCapTests {
  @Test func olderUpdateManagersFoldIntoAncientChanges() throws {
    let registry = SchemaRegistry.builtIn
    let gvk = GVK(group: "", version: "v1", kind: "ConfigMap")
    var object = try json(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{}}"#)
    for index in 0..<12 {
      var next = object
      next["data"]?["k\(index)"] = .string("v")
      object = registry.recordUpdate(
        from: object, to: next, kind: gvk, manager: "writer-\(index)", now: "2026-01-01T00:00:\(10 + index)Z")
    }
    let entries = ManagedFieldsEntry.entries(of: object)
    #expect(entries.count == 10)
    let ancient = try #require(entries.first { $0.manager == "ancient-changes" })
    #expect(ancient.fields.contains(ManagedFieldPath(fields: "data", "k0")))
    #expect(ancient.fields.contains(ManagedFieldPath(fields: "data", "k2")))
    #expect(entries.contains { $0.manager == "writer-11" })
    #expect(!entries.contains { $0.manager == "writer-2" })
  }
}
