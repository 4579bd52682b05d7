import KubeAPI

/// A served resource and the verbs it answers, from discovery.
public struct DiscoveredResource: Sendable {
  public var type: ResourceType
  public var verbs: Set<String>

  public func supports(_ verbs: String...) -> Bool { verbs.allSatisfy(self.verbs.contains) }
}

extension KubeClient {
  /// Every top-level resource (no subresources) in each group's preferred version, as the
  /// namespace controller and garbage collector need to visit "everything".
  public func discoverResources() async throws -> [DiscoveredResource] {
    var groupVersions = ["v1"]
    let groups = try await call(KubeRequest(method: "GET", path: "/apis"))
    for group in groups["groups"]?.arrayValue ?? [] {
      if let version = group["preferredVersion"]?["groupVersion"]?.stringValue { groupVersions.append(version) }
    }
    var found: [DiscoveredResource] = []
    for groupVersion in groupVersions {
      let path = groupVersion == "v1" ? "/api/v1" : "/apis/\(groupVersion)"
      guard let list = try? await call(KubeRequest(method: "GET", path: path)) else { continue }
      let parts = groupVersion.split(separator: "/").map(String.init)
      let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts[0])
      for resource in list["resources"]?.arrayValue ?? [] {
        guard let name = resource["name"]?.stringValue, !name.contains("/"), let kind = resource["kind"]?.stringValue
        else { continue }
        found.append(
          DiscoveredResource(
            type: ResourceType(
              group: group, version: version, resource: name, kind: kind,
              namespaced: resource["namespaced"]?.boolValue ?? false),
            verbs: Set((resource["verbs"]?.arrayValue ?? []).compactMap(\.stringValue))))
      }
    }
    return found
  }
}
