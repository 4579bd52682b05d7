import Testing

@testable import KubeAPI

@Suite struct JSONParserTests {
  @Test func parsesScalarsAndContainers() throws {
    #expect(try JSONValue.parse("null") == .null)
    #expect(try JSONValue.parse(" true ") == .bool(true))
    #expect(try JSONValue.parse("false") == .bool(false))
    #expect(try JSONValue.parse("\"hi\"") == .string("hi"))
    #expect(try JSONValue.parse("[]") == .array([]))
    #expect(try JSONValue.parse("{}") == .object([:]))
    let doc = try JSONValue.parse(#"{"a": [1, 2.5, "x", null, {"b": false}], "c": {}}"#)
    #expect(doc == ["a": [1, 2.5, "x", .null, ["b": false]], "c": [:]])
  }

  @Test func numbersAreTypedLikeKubernetesUnstructured() throws {
    #expect(try JSONValue.parse("0") == .int(0))
    #expect(try JSONValue.parse("-0") == .int(0))
    #expect(try JSONValue.parse("42") == .int(42))
    #expect(try JSONValue.parse("-17") == .int(-17))
    #expect(try JSONValue.parse("9223372036854775807") == .int(Int64.max))
    #expect(try JSONValue.parse("-9223372036854775808") == .int(Int64.min))
    #expect(try JSONValue.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
    #expect(try JSONValue.parse("1.0") == .double(1.0))
    #expect(try JSONValue.parse("1e2") == .double(100))
    #expect(try JSONValue.parse("-1.5E-3") == .double(-0.0015))
    #expect(try JSONValue.parse("0.1") == .double(0.1))
    #expect(try JSONValue.parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
  }

  @Test func stringEscapes() throws {
    #expect(try JSONValue.parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
    #expect(try JSONValue.parse(#""\u00e9\u4e2d""#) == .string("é中"))
    #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
    // Lone surrogates decode to U+FFFD, as Go does.
    #expect(try JSONValue.parse(#""\ud83dx""#) == .string("\u{FFFD}x"))
    #expect(try JSONValue.parse(#""\ude00""#) == .string("\u{FFFD}"))
    #expect(try JSONValue.parse(#""\ud83d\u0041""#) == .string("\u{FFFD}A"))
    // Invalid UTF-8 bytes become U+FFFD.
    #expect(try JSONValue.parse([0x22, 0x61, 0xFF, 0x62, 0x22]) == .string("a\u{FFFD}b"))
    #expect(try JSONValue.parse("\"ünïcödé\"") == .string("ünïcödé"))
  }

  /// Each input with the exact message Go's encoding/json gives for it.
  @Test(arguments: [
    ("", "unexpected end of JSON input"),
    ("   ", "unexpected end of JSON input"),
    ("x", "invalid character 'x' looking for beginning of value"),
    ("{", "unexpected end of JSON input"),
    ("{\"a\"", "unexpected end of JSON input"),
    ("{\"a\" 1}", "invalid character '1' after object key"),
    ("{\"a\":1 \"b\":2}", "invalid character '\"' after object key:value pair"),
    ("{\"a\":1}}", "invalid character '}' after top-level value"),
    ("{\"a\":1,}", "invalid character '}' looking for beginning of object key string"),
    ("{1:2}", "invalid character '1' looking for beginning of object key string"),
    ("[1,]", "invalid character ']' looking for beginning of value"),
    ("[1 2]", "invalid character '2' after array element"),
    ("[01]", "invalid character '1' after array element"),
    ("01", "invalid character '1' after top-level value"),
    ("-", "unexpected end of JSON input"),
    ("-a", "invalid character 'a' in numeric literal"),
    ("1.", "unexpected end of JSON input"),
    ("1.e3", "invalid character 'e' after decimal point in numeric literal"),
    ("1e", "unexpected end of JSON input"),
    ("1ex", "invalid character 'x' in exponent of numeric literal"),
    ("tru", "unexpected end of JSON input"),
    ("trUe", "invalid character 'U' in literal true (expecting 'u')"),
    ("nul1", "invalid character '1' in literal null (expecting 'l')"),
    ("fals", "unexpected end of JSON input"),
    ("faLse", "invalid character 'L' in literal false (expecting 'l')"),
    ("\"abc", "unexpected end of JSON input"),
    ("\"a\nb\"", "invalid character '\\n' in string literal"),
    ("\"a\u{1}b\"", "invalid character '\\x01' in string literal"),
    ("\"\\x\"", "invalid character 'x' in string escape code"),
    ("\"\\u12g4\"", "invalid character 'g' in \\u hexadecimal character escape"),
    ("'a'", "invalid character '\\'' looking for beginning of value"),
    ("[\"a\"] x", "invalid character 'x' after top-level value"),
    ("\u{a0}", "invalid character 'Â' looking for beginning of value"),
    ("1e400", "json: cannot unmarshal number 1e400 into Go value of type float64"),
  ])
  func goErrorMessages(input: String, message: String) {
    do {
      _ = try JSONValue.parse(input)
      Issue.record("expected an error for \(input)")
    } catch {
      #expect(error.kind == .json)
      #expect(error.message == message)
    }
  }

  @Test func errorsCarryTheOffset() {
    do {
      _ = try JSONValue.parse("[1, 2, x]")
      Issue.record("expected an error")
    } catch {
      #expect(error.offset == 7)
    }
  }

  @Test func nestingDepthLimitMatchesGo() throws {
    let ok = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    var value = try JSONValue.parse(ok)
    var depth = 0
    while case .array(let items) = value, let first = items.first {
      value = first
      depth += 1
    }
    #expect(depth == 9_999)
    let tooDeep = String(repeating: "[", count: 10_001) + String(repeating: "]", count: 10_001)
    #expect(throws: KubeAPIError.self) { try JSONValue.parse(tooDeep) }
    do {
      _ = try JSONValue.parse(tooDeep)
    } catch {
      #expect(error.message == "invalid character '[' exceeded max depth")
    }
    let deepObjects = String(repeating: "{\"a\":", count: 10_001) + "1" + String(repeating: "}", count: 10_001)
    #expect(throws: KubeAPIError.self) { try JSONValue.parse(deepObjects) }
  }

  @Test func deepDocumentsSurviveASmallThreadStack() async throws {
    // At the 10,000-container limit, parse, serialize, compare and free on a cooperative-pool thread
    // (smaller stack): all but freeing are iterative.
    let text = String(repeating: "{\"k\":[", count: 5_000) + "0" + String(repeating: "]}", count: 5_000)
    let (bytes, equal) = try await Task.detached {
      let value = try JSONValue.parse(text)
      let again = try JSONValue.parse(text)
      return (try value.serialized(), value == again)
    }.value
    #expect(String(decoding: bytes, as: UTF8.self) == text)
    #expect(equal)
  }

  @Test func duplicateKeysKeepTheLastValueAndAreReported() throws {
    let text = #"""
      {"metadata": {"name": "a", "labels": {"app": "x", "app": "y"}, "name": "b"},
       "spec": {"containers": [{"name": "c"}, {"name": "d", "image": "i", "name": "e"}]}}
      """#
    let (value, duplicates) = try JSONValue.parseReportingDuplicates(Array(text.utf8))
    #expect(value["metadata"]?["labels"]?["app"] == "y")
    #expect(value["metadata"]?["name"] == "b")
    #expect(value["spec"]?["containers"]?[1]?["name"] == "e")
    #expect(duplicates == [".metadata.labels.app", ".metadata.name", ".spec.containers[1].name"])
    #expect(try JSONValue.parseReportingDuplicates(Array("[{\"a\":1},{\"a\":2}]".utf8)).duplicates.isEmpty)
  }

  @Test func parsesFromRawBuffers() throws {
    let bytes: [UInt8] = Array(#"{"kind":"Pod"}"#.utf8)
    let value = try bytes.withUnsafeBytes { try JSONValue.parse($0) }
    #expect(value["kind"] == "Pod")
  }
}
