import Testing

@testable import KubeAPI

@Suite struct SelectorTests {
  let labels = ["app": "web", "tier": "frontend", "version": "3", "env": ""]

  @Test func parsesAndMatchesTheFullSyntax() throws {
    let selector = try LabelSelector(parsing: "app=web,tier!=backend,env in (,prod),version notin (1,2),app,!missing")
    #expect(selector.matches(labels))
    #expect(selector.requirements.map(\.key) == ["app", "app", "env", "missing", "tier", "version"])
    #expect(!(try LabelSelector(parsing: "app==api")).matches(labels))
    #expect(try LabelSelector(parsing: "version>2").matches(labels))
    #expect(!(try LabelSelector(parsing: "version<3")).matches(labels))
    #expect(!(try LabelSelector(parsing: "app>2")).matches(labels))
    #expect(try LabelSelector(parsing: "").matches(labels))
    #expect(try LabelSelector(parsing: "  app = web  ").matches(labels))
    #expect(try LabelSelector(parsing: "x in (in)").requirements.first?.values == ["in"])
    #expect(try LabelSelector(parsing: "notin notin (a)").matches(["notin": "b"]))
    #expect(!(try LabelSelector(parsing: "missing in (a)")).matches(labels))
    #expect(try LabelSelector(parsing: "missing notin (a)").matches(labels))
  }

  @Test func stringFormMatchesUpstream() throws {
    let selector = try LabelSelector(parsing: "b in (z,x),!c,a=1,d,e>5")
    #expect(selector.description == "a=1,b in (x,z),!c,d,e>5")
    #expect(LabelSelector(matching: ["b": "2", "a": "1"]).description == "a=1,b=2")
    #expect(try LabelSelector(parsing: "a==b").description == "a==b")
  }

  /// Selector text and the error message upstream's labels.Parse gives.
  @Test(arguments: [
    ("a=b,", "found '', expected: identifier after ','"),
    ("a=b c", "found 'c', expected: ',' or 'end of string'"),
    ("=a", "found '=', expected: !, identifier, or 'end of string'"),
    ("a in b", "unable to parse requirement: found 'b' expected: '('"),
    ("a in (b", "unable to parse requirement: found '', expected: ',' or ')'"),
    ("a in ()", ""),
    ("a notin", "unable to parse requirement: found '' expected: '('"),
    ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
    ("!", "unable to parse requirement: found '', expected: identifier"),
    ("a=(", "unable to parse requirement: found '(', expected: identifier"),
    (
      "a>b",
      "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer"
    ),
    (
      "a=b@",
      "unable to parse requirement: values[0][a]: Invalid value: \"b@\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    ),
    (
      "-a",
      "unable to parse requirement: <nil>: Invalid value: \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    ),
  ])
  func parseErrors(text: String, message: String) {
    do {
      _ = try LabelSelector(parsing: text)
      #expect(message.isEmpty, "expected \(message)")
    } catch {
      #expect(error.kind == .selector)
      #expect(error.message == message)
    }
  }

  @Test func fromLabelSelectorObject() throws {
    let object: JSONValue = [
      "matchLabels": ["app": "web"],
      "matchExpressions": [
        ["key": "tier", "operator": "In", "values": ["frontend", "edge"]],
        ["key": "canary", "operator": "DoesNotExist"],
        ["key": "version", "operator": "Exists"],
        ["key": "env", "operator": "NotIn", "values": ["prod"]],
      ],
    ]
    let selector = try LabelSelector(object: object)
    #expect(selector.matches(labels))
    #expect(!selector.matches(["app": "web", "tier": "frontend", "canary": "1", "version": "1"]))
    #expect(try LabelSelector(object: [:]).matches([:]))
    #expect(!(try LabelSelector(object: nil)).matches([:]))
    #expect(!(try LabelSelector(object: .null)).matches(labels))
    #expect(throws: KubeAPIError(.selector, #""Gt" is not a valid label selector operator"#)) {
      try LabelSelector(object: ["matchExpressions": [["key": "a", "operator": "Gt", "values": ["1"]]]])
    }
    #expect(throws: KubeAPIError.self) {
      try LabelSelector(object: ["matchExpressions": [["key": "a", "operator": "In", "values": []]]])
    }
    var pod = Fixtures.pod(0)
    #expect(try LabelSelector(object: LabelSelector.object(matchLabels: ["app": "web"])).matches(pod))
    pod.metadata.labels = nil
    #expect(!(try LabelSelector(parsing: "app")).matches(pod))
    #expect(try LabelSelector(parsing: "app=web,tier in (a)").requiredExactValue(for: "tier") == "a")
  }

  @Test func fieldSelectors() throws {
    let fields = ["metadata.name": "web", "metadata.namespace": "default", "spec.nodeName": "node-1"]
    let lookup: (String) -> String? = { fields[$0] }
    #expect(try FieldSelector(parsing: "metadata.name=web,spec.nodeName!=node-2").matches(lookup))
    #expect(try FieldSelector(parsing: "metadata.name==web").matches(lookup))
    #expect(!(try FieldSelector(parsing: "spec.nodeName=")).matches(lookup))
    #expect(try FieldSelector(parsing: "status.phase!=Running").matches(lookup))
    #expect(try FieldSelector(parsing: "").isEmpty)
    #expect(try FieldSelector(parsing: "metadata.name=a\\,b\\=c\\\\").terms.first?.value == "a,b=c\\")
    #expect(try FieldSelector(parsing: "spec.nodeName=node-1").requiredExactValue(for: "spec.nodeName") == "node-1")
    #expect(throws: KubeAPIError(.selector, "invalid selector: 'a=b,c'; can't understand 'c'")) {
      try FieldSelector(parsing: "a=b,c")
    }
    #expect(throws: KubeAPIError(.selector, "invalid field selector: invalid escape sequence: \\x")) {
      try FieldSelector(parsing: "a=\\x")
    }
    #expect(throws: KubeAPIError(.selector, "invalid field selector: unescaped character in value: 61")) {
      try FieldSelector(parsing: "a=b=c")
    }
    #expect(FieldSelector([.init(field: "a", value: "x,y")]).description == "a=x\\,y")
  }
}

@Suite struct FieldSelectorObjectTests {
  @Test func matchesAnObjectsOwnFields() throws {
    let pod = Fixtures.pod(1)
    #expect(try FieldSelector(parsing: "metadata.name=web-7d4b9c8f6d-1,spec.nodeName=node-1").matches(pod))
    #expect(try FieldSelector(parsing: "status.phase!=Pending,spec.priority=0").matches(pod))
    #expect(!(try FieldSelector(parsing: "spec.enableServiceLinks=false")).matches(pod))
    #expect(pod.fieldSelectorValue(atPath: "spec.containers") == nil)
  }

  @Test func successStatusShape() {
    #expect(
      StatusError.successStatus(details: .init(name: "web", kind: "pods", uid: "u1"))
        == [
          "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
          "details": ["name": "web", "kind": "pods", "uid": "u1"],
        ])
  }
}
