import KubeAPI

/// The OpenAPI documents the API server serves, derived from the registry and the served resources.
/// The lead's HTTP layer serves them as JSON; callers should cache them until the resource set changes.
extension SchemaRegistry {
  static let metaDefinitions = [
    "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
    "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent", "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
    "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList",
  ]

  /// `/openapi/v3`: `{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=…"}, …}}`.
  public func openAPIV3Index(resources: [ServedResource]) -> JSONValue {
    var paths: [String: JSONValue] = [:]
    for path in Set(resources.map(\.groupVersionPath)) {
      guard let document = openAPIV3Document(groupVersion: path, resources: resources) else { continue }
      paths[path] = obj(["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(Self.openAPIHash(document))")])
    }
    return obj(["paths": .object(paths)])
  }

  /// `/openapi/v3/<path>` for `path` `api/v1` or `apis/<group>/<version>`; nil when nothing is served there.
  public func openAPIV3Document(groupVersion path: String, resources: [ServedResource]) -> JSONValue? {
    let served = resources.filter { $0.groupVersionPath == path }
    if served.isEmpty { return nil }
    let schemas = OpenAPISchemas(registry: self, flavor: .v3)
    let builder = OpenAPIPaths(schemas: schemas, registry: self)
    var components = schemas.closure(of: rootDefinitions(for: served))
    for (name, schema) in OpenAPISchemas.scalarDefinitions where components[name] == nil { components[name] = schema }
    return obj([
      "openapi": .string("3.0.0"),
      "info": obj(["title": .string("Kubernetes"), "version": .string("v1.32.0")]),
      "paths": .object(builder.paths(for: served)),
      "components": obj([
        "schemas": .object(components),
        "securitySchemes": obj([
          "BearerToken": obj([
            "type": .string("apiKey"), "name": .string("authorization"), "in": .string("header"),
            "description": .string("Bearer Token authentication"),
          ])
        ]),
      ]),
    ])
  }

  /// `/openapi/v2` (JSON form): every served resource's paths and all definitions they reach.
  public func openAPIV2Document(resources: [ServedResource]) -> JSONValue {
    let schemas = OpenAPISchemas(registry: self, flavor: .v2)
    let builder = OpenAPIPaths(schemas: schemas, registry: self)
    var definitions = schemas.closure(of: rootDefinitions(for: resources))
    for (name, schema) in OpenAPISchemas.scalarDefinitions where definitions[name] == nil { definitions[name] = schema }
    return obj([
      "swagger": .string("2.0"),
      "info": obj(["title": .string("Kubernetes"), "version": .string("v1.32.0")]),
      "paths": .object(builder.paths(for: resources)),
      "definitions": .object(definitions),
      "securityDefinitions": obj([
        "BearerToken": obj([
          "type": .string("apiKey"), "name": .string("authorization"), "in": .string("header"),
          "description": .string("Bearer Token authentication"),
        ])
      ]),
      "security": .array([obj(["BearerToken": .array([])])]),
    ])
  }

  /// Kinds, their lists, subresource kinds and the meta types every group-version document carries.
  func rootDefinitions(for resources: [ServedResource]) -> [String] {
    var roots = Self.metaDefinitions
    for resource in resources {
      let gvk = resource.gvk
      for kind in [gvk, GVK(group: gvk.group, version: gvk.version, kind: gvk.kind + "List")] {
        if let name = kinds[kind] { roots.append(name) }
      }
      if resource.subresources.contains("scale") { roots.append("io.k8s.api.autoscaling.v1.Scale") }
      if resource.subresources.contains("eviction") { roots.append("io.k8s.api.policy.v1.Eviction") }
      if resource.subresources.contains("binding") { roots.append("io.k8s.api.core.v1.Binding") }
      if resource.subresources.contains("token") { roots.append("io.k8s.api.authentication.v1.TokenRequest") }
    }
    return roots
  }

  /// A stable content hash (FNV-1a, two lanes, upper-case hex) of a document, for `?hash=` URLs and ETags.
  public static func openAPIHash(_ document: JSONValue) -> String {
    var text = ""
    document.writeCanonical(to: &text)
    var first: UInt64 = 0xcbf2_9ce4_8422_2325
    var second: UInt64 = 0x84222325_cbf29ce4
    for byte in text.utf8 {
      first = (first ^ UInt64(byte)) &* 0x100_0000_01b3
      second = (second &* 0x100_0000_01b3) ^ UInt64(byte)
    }
    let hex = String(first, radix: 16, uppercase: true) + String(second, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 32 - hex.count)) + hex
  }
}

extension JSONValue {
  /// Compact JSON with sorted keys: the same document always gives the same text.
  func writeCanonical(to out: inout String) {
    switch self {
    case .null: out += "null"
    case .bool(let value): out += value ? "true" : "false"
    case .int(let value): out += String(value)
    case .double(let value): out += String(value)
    case .string(let value): Self.writeString(value, to: &out)
    case .array(let items):
      out += "["
      for (index, item) in items.enumerated() {
        if index > 0 { out += "," }
        item.writeCanonical(to: &out)
      }
      out += "]"
    case .object(let members):
      out += "{"
      for (index, key) in members.keys.sorted().enumerated() {
        if index > 0 { out += "," }
        Self.writeString(key, to: &out)
        out += ":"
        members[key]!.writeCanonical(to: &out)
      }
      out += "}"
    }
  }

  static func writeString(_ value: String, to out: inout String) {
    out += "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        out +=
          "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
          + String(scalar.value, radix: 16)
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }
}
