import Foundation
import KubeAPI
import KubeClient
import Runtime

/// A failed pull, with the waiting reason the container shows (ErrImagePull, ErrImageNeverPull).
struct ImagePullFailure: Error, CustomStringConvertible {
  var reason: String
  var message: String
  var description: String { message }
}

/// Makes a container's image present as its `imagePullPolicy` asks, pulling with the pod's
/// `imagePullSecrets` (tried in order, then anonymous access), as upstream's image manager does.
struct ImagePuller: Sendable {
  let client: KubeClient
  let images: ImageStore
  let events: EventRecorder

  /// upstream's default: Always for `:latest` or no tag, IfNotPresent otherwise (digests never change).
  static func policy(_ container: JSONValue) -> String {
    if let policy = container["imagePullPolicy"]?.stringValue, !policy.isEmpty { return policy }
    let image = container["image"]?.stringValue ?? ""
    if image.contains("@") { return "IfNotPresent" }
    let lastComponent = image.split(separator: "/").last ?? ""
    guard let colon = lastComponent.lastIndex(of: ":") else { return "Always" }
    return lastComponent[lastComponent.index(after: colon)...] == "latest" ? "Always" : "IfNotPresent"
  }

  func ensure(_ container: JSONValue, pod: JSONValue) async throws -> ResolvedImage {
    let image = container["image"]?.stringValue ?? ""
    let present = try? images.resolve(image)
    switch Self.policy(container) {
    case "Never":
      guard let present else {
        throw ImagePullFailure(
          reason: "ErrImageNeverPull",
          message: "Container image \"\(image)\" is not present with pull policy of Never")
      }
      return present
    case "IfNotPresent":
      if let present {
        events.record(pod, reason: "Pulled", message: "Container image \"\(image)\" already present on machine")
        return present
      }
    default: break
    }
    events.record(pod, reason: "Pulling", message: "Pulling image \"\(image)\"")
    let started = ContinuousClock.now
    do {
      try await images.pull(image, credentials: try await credentials(for: image, pod: pod))
      let resolved = try images.resolve(image)
      let elapsed = ContinuousClock.now - started
      events.record(
        pod, reason: "Pulled",
        message:
          "Successfully pulled image \"\(image)\" in \(String(format: "%.3f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))s. Image size: \(resolved.record.size) bytes."
      )
      return resolved
    } catch {
      let message = "Failed to pull image \"\(image)\": \((error as? RuntimeError)?.message ?? "\(error)")"
      events.record(pod, .warning, reason: "Failed", message: message)
      throw ImagePullFailure(reason: "ErrImagePull", message: message)
    }
  }

  /// Credentials from the pod's `kubernetes.io/dockerconfigjson` (or legacy dockercfg) secrets.
  private func credentials(for image: String, pod: JSONValue) async throws -> [RegistryCredentials] {
    guard let reference = try? ImageReference(parsing: image) else { return [] }
    var config = DockerConfig()
    for secret in pod["spec"]?["imagePullSecrets"]?.arrayValue ?? [] {
      guard let name = secret["name"]?.stringValue,
        let object = try? await client.get(.secrets, namespace: pod.metadata.namespace, name: name)
      else { continue }
      for key in [".dockerconfigjson", ".dockercfg"] {
        guard let encoded = object["data"]?[key]?.stringValue, let bytes = Data(base64Encoded: encoded),
          let parsed = try? DockerConfig(json: Array(bytes))
        else { continue }
        config.merge(parsed)
      }
    }
    return config.credentials(for: reference)
  }
}
