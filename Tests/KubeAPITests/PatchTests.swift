import Testing

@testable import KubeAPI

@Suite struct PatchTests {
  let doc: JSONValue = [
    "metadata": ["name": "web", "labels": ["a/b": "1", "m~n": "2"]],
    "spec": ["replicas": 1, "containers": [["name": "a"], ["name": "b"]]],
  ]

  private func patch(_ text: String) throws(KubeAPIError) -> JSONValue {
    try JSONPatch.apply(patchBytes: Array(text.utf8), to: doc)
  }

  private func patchError(_ text: String) -> String? {
    do {
      _ = try patch(text)
      return nil
    } catch {
      return error.message
    }
  }

  @Test func rfc6902Operations() throws {
    let result = try patch(
      #"""
      [{"op": "add", "path": "/spec/containers/-", "value": {"name": "c"}},
       {"op": "add", "path": "/spec/containers/0", "value": {"name": "z"}},
       {"op": "replace", "path": "/spec/replicas", "value": 3},
       {"op": "remove", "path": "/metadata/labels/a~1b"},
       {"op": "copy", "from": "/metadata/labels/m~0n", "path": "/metadata/labels/copied"},
       {"op": "move", "from": "/metadata/name", "path": "/metadata/generateName"},
       {"op": "test", "path": "/spec/replicas", "value": 3.0},
       {"op": "add", "path": "/spec/containers/-1", "value": {"name": "before-last"}}]
      """#)
    // Negative indexes count from the end (json-patch v4); for add that is the grown array, so -1 appends.
    let removedLast = try patch(#"[{"op": "remove", "path": "/spec/containers/-1"}]"#)
    #expect(removedLast["spec"]?["containers"] == [["name": "a"]])
    #expect(
      result == [
        "metadata": ["generateName": "web", "labels": ["m~n": "2", "copied": "2"]],
        "spec": [
          "replicas": 3,
          "containers": [["name": "z"], ["name": "a"], ["name": "b"], ["name": "c"], ["name": "before-last"]],
        ],
      ])
  }

  @Test func replaceCreatesAMissingObjectKeyLikeKubernetes() throws {
    #expect(try patch(#"[{"op":"replace","path":"/spec/paused","value":true}]"#)["spec"]?["paused"] == true)
  }

  @Test func errorsUseJSONPatchLibraryWording() {
    #expect(
      patchError(#"[{"op":"add","path":"/nope/x","value":1}]"#)
        == #"add operation does not apply: doc is missing path: "/nope/x": missing value"#)
    #expect(
      patchError(#"[{"op":"remove","path":"/metadata/nope"}]"#)
        == "error in remove for path: '/metadata/nope': Unable to remove nonexistent key: nope: missing value")
    #expect(
      patchError(#"[{"op":"remove","path":"/spec/containers/5"}]"#)
        == "error in remove for path: '/spec/containers/5': Unable to access invalid index: 5: invalid index referenced"
    )
    #expect(
      patchError(#"[{"op":"replace","path":"/spec/containers/9","value":1}]"#)
        == "replace operation does not apply: doc is missing key: /spec/containers/9: missing value")
    #expect(
      patchError(#"[{"op":"test","path":"/spec/replicas","value":2}]"#)
        == "testing value /spec/replicas failed: test failed")
    #expect(patchError(#"[{"op":"frobnicate","path":"/a"}]"#) == "Unexpected kind: frobnicate")
    #expect(patchError(#"[{"path":"/a"}]"#) == "Unexpected kind: unknown")
    #expect(patchError(#"[{"op":"add","value":1}]"#) == "add operation failed to decode path: missing value")
    #expect(
      patchError(#"[{"op":"add","path":"/spec/containers/x","value":1}]"#)
        == #"error in add for path: '/spec/containers/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax"#
    )
    #expect(
      patchError(#"{"op":"add"}"#) == "json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    #expect(
      patchError(#"[{"op":"move","from":"/nope/a","path":"/b"}]"#)
        == "move operation does not apply: doc is missing from path: /nope/a: missing value")
    #expect(
      patchError(#"[{"op":"add","path":"","value":1}]"#)
        == #"add operation does not apply: doc is missing path: "": missing value"#)
    #expect(patchError("[") == "unexpected end of JSON input")
  }

  @Test func failedPatchLeavesTheInputUntouched() throws {
    let original = doc
    #expect(throws: KubeAPIError.self) {
      try JSONPatch.apply(
        [["op": "replace", "path": "/spec/replicas", "value": 9], ["op": "test", "path": "/x", "value": 1]],
        to: original)
    }
    #expect(original == doc)
  }

  @Test func mergePatch() throws {
    let patched = JSONMergePatch.apply(
      [
        "metadata": ["labels": ["a/b": .null, "new": "x"]], "spec": ["replicas": .null, "paused": true],
        "status": ["conditions": [["type": "Ready", "reason": .null]], "nested": ["keep": 1, "drop": .null]],
      ],
      to: doc)
    #expect(
      patched == [
        "metadata": ["name": "web", "labels": ["m~n": "2", "new": "x"]],
        "spec": ["containers": [["name": "a"], ["name": "b"]], "paused": true],
        "status": ["conditions": [["type": "Ready"]], "nested": ["keep": 1]],
      ])
    // RFC 7386 examples.
    #expect(
      JSONMergePatch.apply(["a": "z", "c": ["f": .null]], to: ["a": "b", "c": ["d": "e", "f": "g"]]) == [
        "a": "z", "c": ["d": "e"],
      ])
    #expect(JSONMergePatch.apply(["a": ["b": "c"]], to: ["a": [["b": "c"]]]) == ["a": ["b": "c"]])
    #expect(JSONMergePatch.apply(["a": "b"], to: ["a": "c"]) == ["a": "b"])
    #expect(JSONMergePatch.apply(["e": .null], to: ["a": "b"]) == ["a": "b"])
    #expect(JSONMergePatch.apply(["a": ["bb": ["ccc": .null]]], to: [:]) == ["a": ["bb": [:]]])
    #expect(JSONMergePatch.apply([1, 2], to: ["a": 1]) == [1, 2])
    #expect(throws: KubeAPIError(.patch, "Invalid JSON Patch")) {
      try JSONMergePatch.apply(patchBytes: Array("null".utf8), to: doc)
    }
    #expect(throws: KubeAPIError(.patch, "Invalid JSON Patch")) {
      try JSONMergePatch.apply(patchBytes: Array("{".utf8), to: doc)
    }
  }

  @Test func createMergePatchRoundTrips() {
    var modified = doc
    modified.metadata.labels = ["m~n": "3", "extra": "1"]
    modified.setValue(2, atPath: ["spec", "replicas"])
    modified.setValue(nil, atPath: ["spec", "containers"])
    let patch = JSONMergePatch.create(from: doc, to: modified)
    #expect(
      patch == [
        "metadata": ["labels": ["a/b": .null, "m~n": "3", "extra": "1"]], "spec": ["replicas": 2, "containers": .null],
      ])
    #expect(JSONMergePatch.apply(patch, to: doc) == modified)
    #expect(JSONMergePatch.create(from: doc, to: doc) == [:])
    #expect(JSONMergePatch.create(from: ["a": 1], to: ["a": 1.0]) == [:])
  }
}
