import Testing

@testable import KubeAPI

@Suite struct YAMLTests {
  @Test func typesScalarsLikeSigsK8sYAML() throws {
    let value = try JSONValue.parseYAML(
      """
      str: hello
      quoted: "123"
      single: 'true'
      int: 42
      negative: -7
      octal: 010
      hex: 0x1F
      underscore: 1_000
      float: 1.5
      wholeFloat: 1.0
      exp: 1e3
      bigInt: 18446744073709551615
      yes: yes
      on: on
      y: y
      No: No
      tilde: ~
      empty:
      nullWord: null
      date: 2026-11-29
      stamp: 2026-11-29T22:38:41Z
      version: 1.20
      notNumber: 08
      tagged: !!str 123
      taggedFloat: !!float 2
      custom: !foo 12
      dotFloat: .5
      plainDash: -x
      list: [a, 1, true]
      multi: |
        line1
        line2
      after: 1
      """)
    let expected: JSONValue = [
      "str": "hello", "quoted": "123", "single": "true", "int": 42, "negative": -7, "octal": 8, "hex": 31,
      "underscore": 1000, "float": 1.5, "wholeFloat": 1, "exp": 1000, "bigInt": .double(Double(UInt64.max)),
      "true": true, "false": false, "tilde": .null, "empty": .null, "nullWord": .null,
      "date": "2026-11-29", "stamp": "2026-11-29T22:38:41Z", "version": 1.2, "notNumber": 8, "tagged": "123",
      "taggedFloat": 2, "custom": "12", "dotFloat": 0.5, "plainDash": "-x", "list": ["a", 1, true],
      "multi": "line1\nline2\n", "after": 1,
    ]
    #expect(value == expected)
  }

  @Test func mergeKeysAndAnchors() throws {
    let value = try JSONValue.parseYAML(
      """
      base: &base {a: 1, b: 2}
      other: &other {c: 3}
      derived:
        <<: [*base, *other]
        b: 20
      alias: *base
      """)
    #expect(value["derived"] == ["a": 1, "b": 20, "c": 3])
    #expect(value["alias"] == ["a": 1, "b": 2])
  }

  @Test func keysBecomeStrings() throws {
    let value = try JSONValue.parseYAML("1: a\n1.5: b\ntrue: c\n1e6: d\n")
    #expect(value == ["1": "a", "1.5": "b", "true": "c", "1e+06": "d"])
  }

  @Test func multiDocumentStreams() throws {
    let docs = try JSONValue.parseYAMLDocuments(
      """
      apiVersion: v1
      kind: Namespace
      metadata: {name: a}
      ---
      ---
      # only a comment
      ---
      apiVersion: v1
      kind: ConfigMap
      data: {k: v}
      """)
    #expect(docs.count == 2)
    #expect(docs[0].kind == "Namespace")
    #expect(docs[1]["data"] == ["k": "v"])
    #expect(try JSONValue.parseYAML("a: 1\n---\nb: 2\n") == ["a": 1])
    #expect(try JSONValue.parseYAML("") == .null)
  }

  @Test func duplicateKeysAreReported() throws {
    let (value, duplicates) = try JSONValue.parseYAMLReportingDuplicates("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    #expect(value == ["a": 3, "b": ["c": 2]])
    #expect(duplicates == [".b.c", ".a"])
  }

  @Test func errorsLookLikeGoYAML() {
    #expect(
      throws: KubeAPIError(
        .yaml, "error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context")
    ) {
      try JSONValue.parseYAML("a: b\nc: d: e\n")
    }
    #expect(throws: KubeAPIError(.yaml, "error converting YAML to JSON: json: unsupported value: NaN")) {
      try JSONValue.parseYAML("a: .nan\n")
    }
    #expect(throws: KubeAPIError.self) { try JSONValue.parseYAML("a: !!int abc\n") }
  }

  @Test func billionLaughsIsRefused() {
    var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for i in 1..<9 {
      yaml += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
    }
    #expect(throws: KubeAPIError(.yaml, "error converting YAML to JSON: yaml: document contains excessive aliasing")) {
      try JSONValue.parseYAML(yaml)
    }
  }

  @Test func emitsKubectlStyleYAML() throws {
    let value: JSONValue = [
      "apiVersion": "v1", "kind": "Pod",
      "metadata": ["name": "web", "labels": ["app": "web"], "annotations": ["rev": "1", "empty": "", "on": "yes"]],
      "spec": [
        "containers": [["name": "a", "command": ["sh", "-c", "echo hi: there"], "ports": [["containerPort": 80]]]],
        "tolerations": [], "ratio": 0.5, "big": 1e21, "none": .null, "nodeSelector": [:],
        "script": "line1\nline2\n", "item10": 1, "item2": 2,
      ],
    ]
    let expected = """
      apiVersion: v1
      kind: Pod
      metadata:
        annotations:
          empty: ""
          "on": "yes"
          rev: "1"
        labels:
          app: web
        name: web
      spec:
        big: 1e+21
        containers:
        - command:
          - sh
          - -c
          - 'echo hi: there'
          name: a
          ports:
          - containerPort: 80
        item2: 2
        item10: 1
        nodeSelector: {}
        none: null
        ratio: 0.5
        script: |
          line1
          line2
        tolerations: []

      """
    #expect(try value.yamlString() == expected)
    #expect(try JSONValue.parseYAML(try value.yamlString()) == value)
  }
}

@Suite struct YAMLBytesTests {
  @Test func parsesRequestBodyBytes() throws {
    #expect(
      try JSONValue.parseYAML(Array("kind: Pod\nspec: {replicas: 2}\n".utf8)) == [
        "kind": "Pod", "spec": ["replicas": 2],
      ])
    // JSON is YAML too, so a JSON body sent as application/yaml still decodes.
    #expect(try JSONValue.parseYAML(Array(#"{"a": [1, 2.5, "x"]}"#.utf8)) == ["a": [1, 2.5, "x"]])
  }
}
