import KubeAPI

/// Path items for served resources. kubectl 1.32 reads these: it finds a kind's PATCH operation by
/// `x-kubernetes-group-version-kind` and checks it lists the `fieldValidation` (and `dryRun`) query
/// parameters, and offers strategic merge only if the request body accepts that content type.
struct OpenAPIPaths {
  let schemas: OpenAPISchemas
  let registry: SchemaRegistry

  var flavor: OpenAPISchemas.Flavor { schemas.flavor }

  static let patchContentTypes = [
    "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json",
    "application/strategic-merge-patch+json",
  ]

  /// Path → path item for every resource (and known subresource) in `resources`.
  func paths(for resources: [ServedResource]) -> [String: JSONValue] {
    var paths: [String: JSONValue] = [:]
    for resource in resources {
      let base = "/" + resource.groupVersionPath
      let scope = resource.namespaced ? "/namespaces/{namespace}" : ""
      let collection = base + scope + "/" + resource.plural
      let item = collection + "/{name}"
      let verbs = Set(resource.verbs)
      let kind = resource.gvk
      let listKind = GVK(group: kind.group, version: kind.version, kind: kind.kind + "List")
      let strategic = registry.supportsStrategicMergePatch(kind)

      var collectionOps: [String: JSONValue] = [:]
      if verbs.contains("list") { collectionOps["get"] = operation("list", resource, kind, response: listKind) }
      if verbs.contains("create") {
        collectionOps["post"] = operation("create", resource, kind, body: kind, response: kind)
      }
      if verbs.contains("deletecollection") {
        collectionOps["delete"] = operation("deletecollection", resource, kind, response: Self.status)
      }
      if !collectionOps.isEmpty {
        paths[collection] = pathItem(collectionOps, namespaced: resource.namespaced, named: false)
      }
      if resource.namespaced && verbs.contains("list") {
        let all = base + "/" + resource.plural
        paths[all] = pathItem(
          ["get": operation("list", resource, kind, response: listKind, allNamespaces: true)], namespaced: false,
          named: false)
      }

      var itemOps: [String: JSONValue] = [:]
      if verbs.contains("get") { itemOps["get"] = operation("read", resource, kind, response: kind) }
      if verbs.contains("update") { itemOps["put"] = operation("replace", resource, kind, body: kind, response: kind) }
      if verbs.contains("patch") {
        itemOps["patch"] = operation("patch", resource, kind, response: kind, patch: strategic)
      }
      if verbs.contains("delete") { itemOps["delete"] = operation("delete", resource, kind, response: kind) }
      if !itemOps.isEmpty { paths[item] = pathItem(itemOps, namespaced: resource.namespaced, named: true) }

      for sub in resource.subresources {
        guard let ops = subresourceOperations(sub, resource, strategic: strategic) else { continue }
        paths[item + "/" + sub] = pathItem(ops, namespaced: resource.namespaced, named: true)
      }
    }
    return paths
  }

  static let status = GVK(group: "", version: "v1", kind: "Status")

  func subresourceOperations(_ name: String, _ resource: ServedResource, strategic: Bool) -> [String: JSONValue]? {
    let kind = resource.gvk
    func readWrite(_ gvk: GVK) -> [String: JSONValue] {
      [
        "get": operation("read", resource, gvk, response: gvk, subresource: name),
        "put": operation("replace", resource, gvk, body: gvk, response: gvk, subresource: name),
        "patch": operation("patch", resource, gvk, response: gvk, patch: strategic, subresource: name),
      ]
    }
    func create(_ gvk: GVK) -> [String: JSONValue] {
      ["post": operation("create", resource, gvk, body: gvk, response: gvk, subresource: name)]
    }
    switch name {
    case "status", "ephemeralcontainers", "approval", "resize": return readWrite(kind)
    case "scale": return readWrite(GVK(group: "autoscaling", version: "v1", kind: "Scale"))
    case "eviction": return create(GVK(group: "policy", version: "v1", kind: "Eviction"))
    case "binding": return create(GVK(group: "", version: "v1", kind: "Binding"))
    case "token": return create(GVK(group: "authentication.k8s.io", version: "v1", kind: "TokenRequest"))
    default: return nil
    }
  }

  func pathItem(_ operations: [String: JSONValue], namespaced: Bool, named: Bool) -> JSONValue {
    var parameters: [JSONValue] = []
    if named { parameters.append(parameter("name", in: "path", type: "string", required: true, "name of the object")) }
    if namespaced {
      parameters.append(
        parameter("namespace", in: "path", type: "string", required: true, "object name and auth scope"))
    }
    parameters.append(parameter("pretty", in: "query", type: "string", "If 'true', the output is pretty printed."))
    var item = operations
    item["parameters"] = .array(parameters)
    return .object(item)
  }

  func parameter(_ name: String, in location: String, type: String, required: Bool = false, _ description: String)
    -> JSONValue
  {
    var members: [String: JSONValue] = [
      "name": .string(name), "in": .string(location), "description": .string(description),
      "uniqueItems": .bool(true),
    ]
    if required { members["required"] = .bool(true) }
    if flavor == .v3 {
      members["uniqueItems"] = nil
      members["schema"] = obj(["type": .string(type), "uniqueItems": .bool(true)])
    } else {
      members["type"] = .string(type)
    }
    return .object(members)
  }

  func queryParameters(for action: String) -> [JSONValue] {
    let write = [
      parameter("dryRun", in: "query", type: "string", "When present, the request is validated but not persisted."),
      parameter("fieldManager", in: "query", type: "string", "Name of the actor making the change."),
      parameter(
        "fieldValidation", in: "query", type: "string",
        "How unknown or duplicate fields are handled: Ignore, Warn or Strict."),
    ]
    switch action {
    case "create", "replace": return write
    case "patch":
      return write + [parameter("force", in: "query", type: "boolean", "Force an apply request to take ownership.")]
    case "list", "deletecollection":
      return ["labelSelector", "fieldSelector", "resourceVersion", "continue"].map {
        parameter($0, in: "query", type: "string", "List option \($0).")
      } + [
        parameter("limit", in: "query", type: "integer", "Maximum number of items to return."),
        parameter("watch", in: "query", type: "boolean", "Watch for changes instead of listing."),
      ]
    default: return []
    }
  }

  func operation(
    _ action: String, _ resource: ServedResource, _ gvk: GVK, body: GVK? = nil, response: GVK,
    patch strategic: Bool? = nil, subresource: String? = nil, allNamespaces: Bool = false
  ) -> JSONValue {
    let tag = Self.tag(group: resource.group, version: resource.version)
    var op: [String: JSONValue] = [
      "operationId": .string(operationID(action, resource, subresource: subresource, allNamespaces: allNamespaces)),
      "tags": .array([.string(tag)]),
      "description": .string("\(action) \(subresource.map { "\($0) of " } ?? "")\(resource.kind)"),
      "x-kubernetes-action": .string(action == "read" ? "get" : action == "replace" ? "put" : action),
      "x-kubernetes-group-version-kind": obj([
        "group": .string(gvk.group), "version": .string(gvk.version), "kind": .string(gvk.kind),
      ]),
    ]
    let responseRef = obj(["$ref": .string(schemas.reference(definitionName(response)))])
    var parameters = queryParameters(for: action)
    let bodyTypes: [String]? =
      if let strategic {
        strategic ? Self.patchContentTypes : Self.patchContentTypes.filter { !$0.contains("strategic") }
      } else if body != nil { ["application/json", "application/yaml"] } else { nil }
    let bodyRef =
      strategic != nil
      ? obj(["$ref": .string(schemas.reference("io.k8s.apimachinery.pkg.apis.meta.v1.Patch"))])
      : body.map { obj(["$ref": .string(schemas.reference(definitionName($0)))]) }
    switch flavor {
    case .v3:
      if let bodyTypes, let bodyRef {
        op["requestBody"] = obj([
          "required": .bool(true),
          "content": .object(Dictionary(uniqueKeysWithValues: bodyTypes.map { ($0, obj(["schema": bodyRef])) })),
        ])
      }
      let content = JSONValue.object(
        Dictionary(
          uniqueKeysWithValues: ["application/json", "application/yaml"].map { ($0, obj(["schema": responseRef])) }))
      op["responses"] = obj([
        "200": obj(["description": .string("OK"), "content": content]),
        "401": obj(["description": .string("Unauthorized")]),
      ])
    case .v2:
      if let bodyTypes, let bodyRef {
        op["consumes"] = .array(bodyTypes.map(JSONValue.string))
        parameters.insert(
          obj(["name": .string("body"), "in": .string("body"), "required": .bool(true), "schema": bodyRef]), at: 0)
      } else {
        op["consumes"] = .array([.string("*/*")])
      }
      op["produces"] = .array([.string("application/json"), .string("application/yaml")])
      op["schemes"] = .array([.string("https")])
      op["responses"] = obj([
        "200": obj(["description": .string("OK"), "schema": responseRef]),
        "401": obj(["description": .string("Unauthorized")]),
      ])
    }
    if !parameters.isEmpty { op["parameters"] = .array(parameters) }
    return .object(op)
  }

  func definitionName(_ gvk: GVK) -> String {
    registry.kinds[gvk] ?? SchemaRegistry.definitionName(for: gvk)
  }

  /// `core_v1`, `apps_v1`, `networking_v1` as upstream tags operations.
  static func tag(group: String, version: String) -> String {
    "\(groupWord(group, separator: "_", capitalized: false))_\(version)"
  }

  static func groupWord(_ group: String, separator: String, capitalized: Bool) -> String {
    if group.isEmpty { return capitalized ? "Core" : "core" }
    var trimmed = group
    if trimmed.hasSuffix(".k8s.io") { trimmed.removeLast(".k8s.io".count) }
    let parts = trimmed.split(whereSeparator: { $0 == "." || $0 == "-" }).map(String.init)
    if capitalized { return parts.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() }
    return parts.joined(separator: separator)
  }

  /// `readCoreV1NamespacedPod`, `patchAppsV1NamespacedDeploymentScale`, `listCoreV1PodForAllNamespaces`.
  func operationID(_ action: String, _ resource: ServedResource, subresource: String?, allNamespaces: Bool) -> String {
    let group = Self.groupWord(resource.group, separator: "", capitalized: true)
    let version = resource.version.prefix(1).uppercased() + resource.version.dropFirst()
    let scope = resource.namespaced && !allNamespaces ? "Namespaced" : ""
    let verb = action == "deletecollection" ? "deleteCollection" : action
    let sub = subresource.map { $0.prefix(1).uppercased() + $0.dropFirst() } ?? ""
    return verb + group + version + scope + resource.kind + sub + (allNamespaces ? "ForAllNamespaces" : "")
  }
}
