import Foundation
import KubeAPI
import NIOHTTP1
import SkiffCore

/// Legacy discovery (`/api`, `/apis`, `/apis/g`, `/apis/g/v`) and aggregated discovery
/// (`apidiscovery.k8s.io/v2`), both computed from the registry so CRDs appear at once.
struct Discovery: Sendable {
  let registry: ResourceRegistry
  let serverAddress: String

  static let aggregatedType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

  static let version = JSONValue.object([
    "major": .string("1"), "minor": .string("32"), "gitVersion": .string("v1.32.0+skiff-\(SkiffVersion.skiff)"),
    "gitCommit": .string(""), "gitTreeState": .string(""), "buildDate": .string(SkiffBuild.date),
    "goVersion": .string("swift6"), "compiler": .string("swift"), "platform": .string(SkiffBuild.platform),
  ])

  static func isDiscoveryPath(_ path: String) -> Bool {
    path == "/api" || path == "/apis" || path.hasPrefix("/api/") || path.hasPrefix("/apis/")
      || path.hasPrefix("/openapi")
  }

  static func json(_ value: JSONValue, contentType: String = "application/json") -> HTTPResponse {
    var headers = HTTPHeaders()
    headers.add(name: "content-type", value: contentType)
    headers.add(name: "cache-control", value: "no-cache, private")
    return .full(status: .ok, headers: headers, body: value.encoded())
  }

  static func text(_ text: String) -> HTTPResponse {
    var headers = HTTPHeaders()
    headers.add(name: "content-type", value: "text/plain; charset=utf-8")
    return .full(status: .ok, headers: headers, body: Array(text.utf8))
  }

  func response(path: String, accept: String) -> HTTPResponse? {
    let aggregated =
      accept.contains("as=APIGroupDiscoveryList") && accept.contains("v=v2;")
      || accept.hasSuffix("v=v2;as=APIGroupDiscoveryList")
    let parts = path.split(separator: "/").map(String.init)
    switch parts.count {
    case 1 where parts[0] == "api":
      if aggregated { return Discovery.json(aggregatedList(core: true), contentType: Discovery.aggregatedType) }
      return Discovery.json(
        .object([
          "kind": .string("APIVersions"), "versions": .array([.string("v1")]),
          "serverAddressByClientCIDRs": serverAddresses,
        ]))
    case 1 where parts[0] == "apis":
      if aggregated { return Discovery.json(aggregatedList(core: false), contentType: Discovery.aggregatedType) }
      return Discovery.json(
        .object([
          "kind": .string("APIGroupList"), "apiVersion": .string("v1"),
          "groups": .array(registry.groups.filter { !$0.name.isEmpty }.map(group)),
        ]))
    case 2 where parts[0] == "api":
      return resourceList(group: "", version: parts[1])
    case 2 where parts[0] == "apis":
      guard let found = registry.groups.first(where: { $0.name == parts[1] }) else { return nil }
      var value = group(found)
      value["kind"] = .string("APIGroup")
      value["apiVersion"] = .string("v1")
      return Discovery.json(value)
    case 3 where parts[0] == "apis":
      return resourceList(group: parts[1], version: parts[2])
    default:
      return nil
    }
  }

  private var serverAddresses: JSONValue {
    .array([.object(["clientCIDR": .string("0.0.0.0/0"), "serverAddress": .string(serverAddress)])])
  }

  private func group(_ group: (name: String, versions: [String])) -> JSONValue {
    let versions = group.versions.map { version -> JSONValue in
      .object(["groupVersion": .string("\(group.name)/\(version)"), "version": .string(version)])
    }
    return .object([
      "name": .string(group.name), "versions": .array(versions), "preferredVersion": versions[0],
    ])
  }

  private func resourceList(group: String, version: String) -> HTTPResponse? {
    let definitions = registry.all.filter { $0.group == group && $0.version == version }
    guard !definitions.isEmpty else { return nil }
    var resources: [JSONValue] = []
    for definition in definitions {
      var resource: [String: JSONValue] = [
        "name": .string(definition.plural), "singularName": .string(definition.singular),
        "namespaced": .bool(definition.namespaced), "kind": .string(definition.kind),
        "verbs": .array(definition.verbs.map(JSONValue.string)),
      ]
      if !definition.shortNames.isEmpty { resource["shortNames"] = .array(definition.shortNames.map(JSONValue.string)) }
      if !definition.categories.isEmpty { resource["categories"] = .array(definition.categories.map(JSONValue.string)) }
      resources.append(.object(resource))
      for sub in definition.subresources.sorted(by: { $0.rawValue < $1.rawValue }) {
        let (kind, verbs, subGroup, subVersion) = Discovery.subresource(sub, definition)
        var entry: [String: JSONValue] = [
          "name": .string("\(definition.plural)/\(sub.rawValue)"), "singularName": .string(""),
          "namespaced": .bool(definition.namespaced), "kind": .string(kind),
          "verbs": .array(verbs.map(JSONValue.string)),
        ]
        if let subGroup { entry["group"] = .string(subGroup) }
        if let subVersion { entry["version"] = .string(subVersion) }
        resources.append(.object(entry))
      }
    }
    return Discovery.json(
      .object([
        "kind": .string("APIResourceList"), "apiVersion": .string("v1"),
        "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"), "resources": .array(resources),
      ]))
  }

  /// The kind and verbs a subresource answers with.
  static func subresource(_ sub: ResourceDefinition.Subresource, _ definition: ResourceDefinition)
    -> (String, [String], String?, String?)
  {
    switch sub {
    case .status: (definition.kind, ["get", "patch", "update"], nil, nil)
    case .finalize: (definition.kind, ["update"], nil, nil)
    case .approval: (definition.kind, ["get", "patch", "update"], nil, nil)
    case .scale: ("Scale", ["get", "patch", "update"], "autoscaling", "v1")
    case .binding: ("Binding", ["create"], nil, nil)
    case .eviction: ("Eviction", ["create"], "policy", "v1")
    case .token: ("TokenRequest", ["create"], "authentication.k8s.io", "v1")
    case .log: ("Pod", ["get"], nil, nil)
    case .exec, .attach, .portforward: ("PodExecOptions", ["create", "get"], nil, nil)
    case .proxy: ("\(definition.kind)ProxyOptions", ["create", "delete", "get", "patch", "update"], nil, nil)
    }
  }

  /// apidiscovery.k8s.io/v2: every group, version and resource in one document.
  private func aggregatedList(core: Bool) -> JSONValue {
    let definitions = registry.all
    var items: [JSONValue] = []
    for group in registry.groups where group.name.isEmpty == core {
      let versions = group.versions.map { version -> JSONValue in
        let resources = definitions.filter { $0.group == group.name && $0.version == version }.map {
          definition -> JSONValue in
          var resource: [String: JSONValue] = [
            "resource": .string(definition.plural), "singularResource": .string(definition.singular),
            "scope": .string(definition.namespaced ? "Namespaced" : "Cluster"),
            "responseKind": .object([
              "group": .string(definition.group), "version": .string(definition.version),
              "kind": .string(definition.kind),
            ]),
            "verbs": .array(definition.verbs.map(JSONValue.string)),
          ]
          if !definition.shortNames.isEmpty {
            resource["shortNames"] = .array(definition.shortNames.map(JSONValue.string))
          }
          if !definition.categories.isEmpty {
            resource["categories"] = .array(definition.categories.map(JSONValue.string))
          }
          let subs = definition.subresources.sorted(by: { $0.rawValue < $1.rawValue }).map { sub -> JSONValue in
            let (kind, verbs, subGroup, subVersion) = Discovery.subresource(sub, definition)
            return .object([
              "subresource": .string(sub.rawValue),
              "responseKind": .object([
                "group": .string(subGroup ?? definition.group), "version": .string(subVersion ?? definition.version),
                "kind": .string(kind),
              ]),
              "verbs": .array(verbs.map(JSONValue.string)),
            ])
          }
          if !subs.isEmpty { resource["subresources"] = .array(subs) }
          return .object(resource)
        }
        return .object(["version": .string(version), "resources": .array(resources), "freshness": .string("Current")])
      }
      items.append(.object(["metadata": .object(["name": .string(group.name)]), "versions": .array(versions)]))
    }
    return .object([
      "kind": .string("APIGroupDiscoveryList"), "apiVersion": .string("apidiscovery.k8s.io/v2"),
      "metadata": .object([:]), "items": .array(items),
    ])
  }
}

/// Build facts shown by /version: the date is the binary's modification time, the only
/// build timestamp a Swift binary carries without a build script.
enum SkiffBuild {
  static let date: String = {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: "/proc/self/exe"),
      let modified = attributes[.modificationDate] as? Date
    else { return "" }
    return Timestamp.format(modified)
  }()
  #if arch(x86_64)
    static let platform = "linux/amd64"
  #else
    static let platform = "linux/arm64"
  #endif
}
