import KubeAPI

/// Encodes the v2 document (as built by `openAPIV2Document`) in gnostic's `openapi.v2.Document` protobuf,
/// which client-go's `OpenAPISchema()` requests (kubectl uses it for `explain --output plaintext-openapiv2`
/// and as a fallback for patch computation and validation). Vendor extensions, defaults and enum values
/// travel as YAML text; JSON is valid YAML.
enum OpenAPIV2Protobuf {
  static func encode(_ document: JSONValue) -> [UInt8] {
    var w = ProtobufWriter()
    w.string(1, document["swagger"]?.stringValue)
    if let info = document["info"] {
      w.message(2) { m in
        m.string(1, info["title"]?.stringValue)
        m.string(2, info["version"]?.stringValue)
      }
    }
    let paths = document["paths"]?.objectValue ?? [:]
    w.message(8) { m in
      for name in paths.keys.sorted() {
        m.message(2) { named in
          named.string(1, name)
          named.message(2) { pathItem(&$0, paths[name]!) }
        }
      }
    }
    let definitions = document["definitions"]?.objectValue ?? [:]
    w.message(9) { m in
      for name in definitions.keys.sorted() { namedSchema(&m, 1, name, definitions[name]!) }
    }
    for requirement in document["security"]?.arrayValue ?? [] {
      w.message(12) { m in
        for (name, scopes) in requirement.objectValue ?? [:] {
          m.message(1) { named in
            named.string(1, name)
            named.message(2) { $0.strings(1, scopes.arrayValue?.compactMap(\.stringValue) ?? []) }
          }
        }
      }
    }
    let security = document["securityDefinitions"]?.objectValue ?? [:]
    w.message(13) { m in
      for name in security.keys.sorted() {
        let item = security[name]!
        m.message(1) { named in
          named.string(1, name)
          named.message(2) { oneof in
            oneof.message(2) { key in
              key.string(1, item["type"]?.stringValue)
              key.string(2, item["name"]?.stringValue)
              key.string(3, item["in"]?.stringValue)
              key.string(4, item["description"]?.stringValue)
            }
          }
        }
      }
    }
    return w.bytes
  }

  static func pathItem(_ w: inout ProtobufWriter, _ item: JSONValue) {
    for (method, field) in [("get", 2), ("put", 3), ("post", 4), ("delete", 5), ("patch", 8)] {
      if let op = item[method] { w.message(field) { operation(&$0, op) } }
    }
    for parameter in item["parameters"]?.arrayValue ?? [] { w.message(9) { parametersItem(&$0, parameter) } }
  }

  static func operation(_ w: inout ProtobufWriter, _ op: JSONValue) {
    w.strings(1, op["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    w.string(3, op["description"]?.stringValue)
    w.string(5, op["operationId"]?.stringValue)
    w.strings(6, op["produces"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    w.strings(7, op["consumes"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    for parameter in op["parameters"]?.arrayValue ?? [] { w.message(8) { parametersItem(&$0, parameter) } }
    let responses = op["responses"]?.objectValue ?? [:]
    w.message(9) { m in
      for code in responses.keys.sorted() {
        let response = responses[code]!
        m.message(1) { named in
          named.string(1, code)
          named.message(2) { value in
            value.message(1) { r in
              r.string(1, response["description"]?.stringValue)
              if let schema = response["schema"] { r.message(2) { $0.message(1) { Self.schema(&$0, schema) } } }
            }
          }
        }
      }
    }
    w.strings(10, op["schemes"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    vendorExtensions(&w, 13, op)
  }

  static func parametersItem(_ w: inout ProtobufWriter, _ parameter: JSONValue) {
    w.message(1) { p in
      if parameter["in"]?.stringValue == "body" {
        p.message(1) { body in
          body.string(1, parameter["description"]?.stringValue)
          body.string(2, parameter["name"]?.stringValue)
          body.string(3, "body")
          body.bool(4, parameter["required"]?.boolValue ?? false)
          if let schema = parameter["schema"] { body.message(5) { Self.schema(&$0, schema) } }
        }
      } else {
        let isPath = parameter["in"]?.stringValue == "path"
        p.message(2) { nonBody in
          nonBody.message(isPath ? 4 : 3) { sub in
            sub.bool(1, parameter["required"]?.boolValue ?? false)
            sub.string(2, parameter["in"]?.stringValue)
            sub.string(3, parameter["description"]?.stringValue)
            sub.string(4, parameter["name"]?.stringValue)
            sub.string(isPath ? 5 : 6, parameter["type"]?.stringValue)
            sub.bool(isPath ? 19 : 20, parameter["uniqueItems"]?.boolValue ?? false)
          }
        }
      }
    }
  }

  static func namedSchema(_ w: inout ProtobufWriter, _ field: Int, _ name: String, _ value: JSONValue) {
    w.message(field) { named in
      named.string(1, name)
      named.message(2) { schema(&$0, value) }
    }
  }

  static func schema(_ w: inout ProtobufWriter, _ value: JSONValue) {
    w.string(1, value["$ref"]?.stringValue)
    w.string(2, value["format"]?.stringValue)
    w.string(4, value["description"]?.stringValue)
    if let defaultValue = value["default"] { w.message(5) { $0.string(2, defaultValue.canonicalText) } }
    w.strings(19, value["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    for member in value["enum"]?.arrayValue ?? [] { w.message(20) { $0.string(2, member.canonicalText) } }
    if let additional = value["additionalProperties"] {
      w.message(21) { item in
        if let flag = additional.boolValue {
          item.tag(2, wireType: 0)
          item.varint(flag ? 1 : 0)
        } else {
          item.message(1) { schema(&$0, additional) }
        }
      }
    }
    if let type = value["type"]?.stringValue { w.message(22) { $0.strings(1, [type]) } }
    if let items = value["items"] { w.message(23) { $0.message(1) { schema(&$0, items) } } }
    for member in value["allOf"]?.arrayValue ?? [] { w.message(24) { schema(&$0, member) } }
    if let properties = value["properties"]?.objectValue {
      w.message(25) { m in
        for name in properties.keys.sorted() { namedSchema(&m, 1, name, properties[name]!) }
      }
    }
    vendorExtensions(&w, 31, value)
  }

  static func vendorExtensions(_ w: inout ProtobufWriter, _ field: Int, _ value: JSONValue) {
    let members = value.objectValue ?? [:]
    for key in members.keys.sorted() where key.hasPrefix("x-") {
      w.message(field) { named in
        named.string(1, key)
        named.message(2) { $0.string(2, members[key]!.canonicalText) }
      }
    }
  }
}

extension SchemaRegistry {
  /// `/openapi/v2` as protobuf (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`).
  public func openAPIV2Protobuf(resources: [ServedResource]) -> [UInt8] {
    OpenAPIV2Protobuf.encode(openAPIV2Document(resources: resources))
  }
}
