import Foundation
import KubeAPI
import KubeClient
import SkiffTestSupport
import Synchronization
import Testing

/// Plays the scheduler and kubelet for controller tests, through the API only: binds pods to
/// the node they are pinned to (or a default node), reports them Running and Ready, and
/// finishes graceful deletions. It records what it saw so tests can check orderings and limits.
final class WorkloadTestKubelet: Sendable {
  struct Observations: Sendable {
    /// Pod names in the order their deletion was first seen.
    var deletions: [String] = []
    /// Most nodes (or expected pods) seen at once without a ready, non-terminating pod.
    var maxUnavailable = 0
    /// Most non-terminating pods seen at once.
    var maxPods = 0
  }

  let client: KubeClient
  let namespace: String
  /// Nodes for pods not pinned to one; nil leaves them unbound.
  let defaultNode: String?
  private let state = Mutex(Observations())
  /// Pod names (or prefixes ending in "*") the kubelet must not make ready.
  let holdBack = Mutex<Set<String>>([])

  init(client: KubeClient, namespace: String = "default", defaultNode: String? = nil) {
    self.client = client
    self.namespace = namespace
    self.defaultNode = defaultNode
  }

  var observations: Observations { state.withLock { $0 } }

  /// One pass over the namespace's pods. With `daemonNodes`, first records how many of those
  /// nodes lack an available daemon pod (before this pass repairs anything).
  /// With `expectedPods`, records how many of those names lack a ready, non-terminating pod.
  func step(daemonNodes: [String]? = nil, expectedPods: [String]? = nil, makeReady: Bool = true) async throws {
    let pods = try await client.list(.pods, namespace: namespace).items
    let live = pods.filter { !$0.metadata.isBeingDeleted }
    let healthy = live.filter { Self.isReady($0) }
    var unavailable = 0
    if let daemonNodes {
      let covered = Set(healthy.compactMap { Self.node(of: $0) })
      unavailable = daemonNodes.filter { !covered.contains($0) }.count
    }
    if let expectedPods {
      let covered = Set(healthy.compactMap(\.metadata.name))
      unavailable = expectedPods.filter { !covered.contains($0) }.count
    }
    state.withLock {
      $0.maxUnavailable = max($0.maxUnavailable, unavailable)
      $0.maxPods = max($0.maxPods, live.count)
    }
    for pod in pods {
      let name = pod.metadata.name ?? ""
      if pod.metadata.isBeingDeleted {
        state.withLock { if !$0.deletions.contains(name) { $0.deletions.append(name) } }
        _ = try? await client.delete(
          .pods, namespace: namespace, name: name, options: .init(gracePeriodSeconds: 0))
        continue
      }
      var current = pod
      if (pod["spec"]?["nodeName"]?.stringValue ?? "").isEmpty, let node = Self.node(of: pod) ?? defaultNode {
        try await bind(name, to: node)
        current = try await client.get(.pods, namespace: namespace, name: name)
      }
      if makeReady && !Self.isReady(current) && !isHeldBack(name) && (pod["status"]?["phase"]?.stringValue != "Failed")
      {
        try await markReady(name)
      }
    }
  }

  /// Runs `step` every 100 ms until cancelled.
  func run(daemonNodes: [String]? = nil) -> Task<Void, Never> {
    Task {
      while !Task.isCancelled {
        try? await step(daemonNodes: daemonNodes)
        try? await Task.sleep(for: .milliseconds(100))
      }
    }
  }

  func isHeldBack(_ name: String) -> Bool {
    holdBack.withLock { held in
      held.contains(name) || held.contains { $0.hasSuffix("*") && name.hasPrefix(String($0.dropLast())) }
    }
  }

  func bind(_ name: String, to node: String) async throws {
    try await client.create(
      .pods, namespace: namespace, name: name, subresource: "binding",
      [
        "apiVersion": "v1", "kind": "Binding", "metadata": ["name": .string(name)],
        "target": ["apiVersion": "v1", "kind": "Node", "name": .string(node)],
      ])
  }

  func markReady(_ name: String) async throws {
    let now = KubeTime(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)).rfc3339
    try await client.patch(
      .pods, namespace: namespace, name: name,
      [
        "status": [
          "phase": "Running",
          "conditions": [
            ["type": "Ready", "status": "True", "lastTransitionTime": .string(now)],
            ["type": "ContainersReady", "status": "True", "lastTransitionTime": .string(now)],
          ],
        ]
      ], subresource: "status")
  }

  func markFailed(_ name: String) async throws {
    try await client.patch(
      .pods, namespace: namespace, name: name, ["status": ["phase": "Failed", "conditions": []]],
      subresource: "status")
  }

  static func isReady(_ pod: JSONValue) -> Bool {
    pod["status"]?["phase"]?.stringValue == "Running"
      && (pod["status"]?["conditions"]?.arrayValue ?? []).contains {
        $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
      }
  }

  /// The node a pod is bound to, or pinned to by a `metadata.name In [node]` node affinity.
  static func node(of pod: JSONValue) -> String? {
    if let name = pod["spec"]?["nodeName"]?.stringValue, !name.isEmpty { return name }
    let terms =
      pod[path: [
        "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms",
      ]]?
      .arrayValue ?? []
    for term in terms {
      for field in term["matchFields"]?.arrayValue ?? [] where field["key"]?.stringValue == "metadata.name" {
        return field["values"]?[0]?.stringValue
      }
    }
    return nil
  }
}

/// Objects and helpers the DaemonSet and StatefulSet tests share.
enum WorkloadFixtures {
  static func node(_ name: String, labels: [String: String] = [:], taints: [JSONValue] = []) -> JSONValue {
    var allLabels = labels
    allLabels["kubernetes.io/hostname"] = name
    var spec: [String: JSONValue] = [:]
    if !taints.isEmpty { spec["taints"] = .array(taints) }
    return [
      "apiVersion": "v1", "kind": "Node",
      "metadata": ["name": .string(name), "labels": .object(allLabels.mapValues { .string($0) })],
      "spec": .object(spec),
      "status": [
        "capacity": ["cpu": "4", "memory": "8Gi", "pods": "110"],
        "allocatable": ["cpu": "4", "memory": "8Gi", "pods": "110"],
        "conditions": [["type": "Ready", "status": "True", "reason": "KubeletReady"]],
      ],
    ]
  }

  static func createNode(
    _ client: KubeClient, _ name: String, labels: [String: String] = [:], taints: [JSONValue] = []
  ) async throws {
    let object = node(name, labels: labels, taints: taints)
    try await client.create(.nodes, object)
    // Status is reset on create; the kubelet reports it afterwards.
    try await client.patch(.nodes, name: name, ["status": object["status"] ?? .null], subresource: "status")
  }

  static func taint(_ key: String, _ value: String = "", effect: String) -> JSONValue {
    value.isEmpty
      ? ["key": .string(key), "effect": .string(effect)]
      : ["key": .string(key), "value": .string(value), "effect": .string(effect)]
  }

  static func container(image: String) -> JSONValue {
    [["name": "app", "image": .string(image)]]
  }

  /// Event messages recorded about an object of `kind` named `name`.
  static func events(_ client: KubeClient, kind: String, name: String) async throws -> [(String, String)] {
    try await client.list(.events, namespace: "default").items
      .filter {
        $0["involvedObject"]?["kind"]?.stringValue == kind && $0["involvedObject"]?["name"]?.stringValue == name
      }
      .map { ($0["reason"]?.stringValue ?? "", $0["message"]?.stringValue ?? "") }
  }
}

/// The store revision at which each object was created, from watches: later updates change an
/// object's resourceVersion, but its ADDED event keeps the creation revision.
final class CreationRevisions: Sendable {
  private let revisions = Mutex<[String: Int]>([:])

  /// Watches `type` in the namespace from `revision` until the task is cancelled; a watch that
  /// fails or ends before then is a test failure, not a silent gap.
  func record(_ client: KubeClient, _ type: ResourceType, from revision: String) -> Task<Void, Never> {
    Task {
      do {
        let events = try await client.watch(
          type, namespace: "default", resourceVersion: revision, timeoutSeconds: 120, bookmarks: false)
        for try await event in events where event.type == .added {
          let key = "\(type.resource)/\(event.object.metadata.name ?? "")"
          let created = Int(event.object.metadata.resourceVersion ?? "") ?? 0
          revisions.withLock { if $0[key] == nil { $0[key] = created } }
        }
        if !Task.isCancelled { Issue.record("the \(type.resource) watch from \(revision) ended early") }
      } catch let error where !Task.isCancelled {
        Issue.record(error, "watching \(type.resource) from \(revision)")
      } catch {}
    }
  }

  func revision(_ type: ResourceType, _ name: String) -> Int? {
    revisions.withLock { $0["\(type.resource)/\(name)"] }
  }
}
