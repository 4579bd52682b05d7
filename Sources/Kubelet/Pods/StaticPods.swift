import Crypto
import Foundation
import KubeAPI
import KubeClient
import Logging

/// Static pods: manifests in `<agent>/pod-manifests` (YAML or JSON, one pod per file) become
/// mirror pods bound to this node, named `<name>-<node>` as upstream names them. The file is
/// the source of truth: a changed file replaces the pod, a removed file deletes it, and a
/// mirror pod deleted through the API comes back. The pod workers then run them like any pod.
struct StaticPods: Sendable {
  static let mirrorAnnotation = "kubernetes.io/config.mirror"
  static let hashAnnotation = "kubernetes.io/config.hash"

  let client: KubeClient
  let configuration: KubeletConfiguration
  let logger: Logger

  func run() async {
    while !Task.isCancelled {
      await sync()
      try? await Task.sleep(for: .seconds(5))
    }
  }

  /// Reads every manifest; a file that does not parse is logged and skipped, never half-applied.
  func manifests() -> [String: JSONValue] {
    var pods: [String: JSONValue] = [:]
    let directory = configuration.manifestsDirectory
    for file in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    where file.hasSuffix(".yaml") || file.hasSuffix(".yml") || file.hasSuffix(".json") {
      do {
        let text = try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8)
        let manifest = try JSONValue.parseYAML(text)
        guard manifest.kind == "Pod", let name = manifest.metadata.name, !name.isEmpty else {
          throw KubeletError(.invalidArgument, "not a Pod with metadata.name")
        }
        pods[
          ObjectCache.key(
            namespace: manifest.metadata.namespace ?? "default", name: "\(name)-\(configuration.nodeName)")] =
          Self.mirror(of: manifest, nodeName: configuration.nodeName)
      } catch {
        logger.warning("ignoring static pod manifest", metadata: ["file": "\(file)", "error": "\(error)"])
      }
    }
    return pods
  }

  /// The mirror pod for a manifest: bound here, owned by the Node, stamped with the manifest's hash.
  static func mirror(of manifest: JSONValue, nodeName: String) -> JSONValue {
    var pod = manifest
    let hash = SHA256.hash(data: (try? manifest.serialized()) ?? []).prefix(16).map { String(format: "%02x", $0) }
      .joined()
    pod["metadata"]?["name"] = .string("\(manifest.metadata.name ?? "")-\(nodeName)")
    pod["metadata"]?["namespace"] = .string(manifest.metadata.namespace ?? "default")
    var annotations = pod["metadata"]?["annotations"]?.objectValue ?? [:]
    annotations[Self.hashAnnotation] = .string(hash)
    annotations[Self.mirrorAnnotation] = .string(hash)
    annotations["kubernetes.io/config.source"] = "file"
    pod["metadata"]?["annotations"] = .object(annotations)
    pod["spec"]?["nodeName"] = .string(nodeName)
    pod["status"] = nil
    return pod
  }

  func sync() async {
    let wanted = manifests()
    let existing: [JSONValue]
    do {
      existing = try await client.list(.pods, fieldSelector: "spec.nodeName=\(configuration.nodeName)").items
        .filter { $0.metadata.annotations?[Self.mirrorAnnotation] != nil }
    } catch {
      logger.debug("cannot list mirror pods", metadata: ["error": "\(error)"])
      return
    }
    var seen = Set<String>()
    for pod in existing {
      let key = ObjectCache.key(pod)
      seen.insert(key)
      let want = wanted[key]
      if want?.metadata.annotations?[Self.hashAnnotation] == pod.metadata.annotations?[Self.hashAnnotation] { continue }
      if pod.metadata.isBeingDeleted { continue }
      // Removed or changed manifest: the old pod goes (gracefully); a changed one returns on the next pass.
      _ = try? await client.delete(.pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "")
    }
    for (key, pod) in wanted where !seen.contains(key) {
      var pod = pod
      if let node = try? await client.get(.nodes, name: configuration.nodeName), let uid = node.metadata.uid {
        pod["metadata"]?["ownerReferences"] = [
          [
            "apiVersion": "v1", "kind": "Node", "name": .string(configuration.nodeName), "uid": .string(uid),
            "controller": true,
          ]
        ]
      }
      do {
        try await client.create(.pods, pod)
        logger.info("created mirror pod", metadata: ["pod": "\(key)"])
      } catch  where error.isAlreadyExists {
      } catch {
        logger.warning("cannot create mirror pod", metadata: ["pod": "\(key)", "error": "\(error)"])
      }
    }
  }
}
