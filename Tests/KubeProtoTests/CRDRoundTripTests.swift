import Testing

@testable import KubeProto

/// CustomResourceDefinitions: recursive schemas, the schema unions and raw JSON defaults.
@Suite struct CRDRoundTripTests {
  @Test func customResourceDefinition() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
       "metadata": {"name": "widgets.example.com"},
       "spec": {"group": "example.com", "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
           "listKind": "WidgetList", "shortNames": ["wd"], "categories": ["all"]},
         "scope": "Namespaced",
         "versions": [{"name": "v1", "served": true, "storage": true,
           "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size",
             "priority": 1}],
           "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
             "statusReplicasPath": ".status.replicas"}},
           "schema": {"openAPIV3Schema": {"type": "object", "required": ["spec"],
             "x-kubernetes-preserve-unknown-fields": false,
             "properties": {
               "spec": {"type": "object", "description": "desired state",
                 "properties": {
                   "size": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 10.5, "default": 3},
                   "mode": {"type": "string", "enum": ["fast", "slow", null], "nullable": true,
                     "pattern": "^[a-z]+$", "maxLength": 16},
                   "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
                   "pairs": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]},
                   "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                   "free": {"type": "object", "additionalProperties": false, "x-kubernetes-embedded-resource": true,
                     "x-kubernetes-preserve-unknown-fields": true},
                   "port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
                   "config": {"type": "object", "default": {"a": [1, "b", {"c": null}]},
                     "dependencies": {"a": ["b", "c"], "d": {"required": ["e"]}},
                     "x-kubernetes-validations": [{"rule": "self.a != ''", "message": "a is required",
                       "reason": "FieldValueRequired", "fieldPath": ".a", "optionalOldSelf": true}]}}},
               "status": {"type": "object", "x-kubernetes-map-type": "granular",
                 "properties": {"replicas": {"type": "integer"}}}}}}}],
         "conversion": {"strategy": "Webhook", "webhook": {"conversionReviewVersions": ["v1"],
           "clientConfig": {"service": {"namespace": "default", "name": "conv", "path": "/convert", "port": 443},
             "caBundle": "AAEC"}}}},
       "status": {"conditions": [{"type": "Established", "status": "True",
           "lastTransitionTime": "2026-11-29T22:38:41Z", "reason": "InitialNamesAccepted", "message": "ok"}],
         "acceptedNames": {"plural": "widgets", "kind": "Widget"}, "storedVersions": ["v1"]}}
      """)
  }

  @Test func deepSchemasStopAtTheNestingBound() throws {
    func nested(_ depth: Int) -> String {
      String(repeating: #"{"not": "#, count: depth) + #"{"type": "string"}"# + String(repeating: "}", count: depth)
    }
    func crd(_ depth: Int) -> String {
      """
      {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "d"},
       "spec": {"group": "g", "names": {"plural": "d", "kind": "D"}, "scope": "Cluster",
         "versions": [{"name": "v1", "served": true, "storage": true,
           "schema": {"openAPIV3Schema": \(nested(depth))}}]}}
      """
    }
    try RoundTrip.check(crd(40))
    let deep = try KubeProtobuf.encode(try TestSupport.parse(crd(ProtoDecoder.maximumNesting + 10)))
    #expect(throws: KubeProtoError.self) { try KubeProtobuf.decode(deep) }
  }
}
