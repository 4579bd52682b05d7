import Foundation
import Testing

@testable import KubeAPI

@Suite struct JSONSerializerTests {
  private func text(_ value: JSONValue) throws -> String { try value.jsonString() }

  @Test func sortsKeysBytewiseAndWritesCompactly() throws {
    let value: JSONValue = ["b": 1, "a": ["z": true, "Z": false, "é": .null, "e": "x"], "_": []]
    #expect(try text(value) == #"{"_":[],"a":{"Z":false,"e":"x","z":true,"é":null},"b":1}"#)
  }

  @Test func escapesStringsLikeGo() throws {
    #expect(try text("<a href=\"x\">&</a>") == #""\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e""#)
    #expect(try JSONValue.string("<&>").jsonString(escapeHTML: false) == #""<&>""#)
    #expect(try text("tab\there\nnl\r\u{8}\u{c}\u{1}\u{1f}\u{7f}") == #""tab\there\nnl\r\b\f\u0001\u001f\#u{7f}""#)
    #expect(try text("q\"b\\s/") == #""q\"b\\s/""#)
    #expect(try text("line\u{2028}para\u{2029}end") == #""line\u2028para\u2029end""#)
    #expect(try text("日本語 😀") == "\"日本語 😀\"")
  }

  @Test func integersAreExact() throws {
    #expect(try text(.int(Int64.max)) == "9223372036854775807")
    #expect(try text(.int(Int64.min)) == "-9223372036854775808")
    #expect(try text(.int(0)) == "0")
    #expect(try text(.int(-42)) == "-42")
  }

  /// Expected strings are what Go's json.Marshal(float64) prints.
  @Test(arguments: [
    (1.0, "1"), (1.5, "1.5"), (0.1, "0.1"), (-2.5, "-2.5"), (3.14159, "3.14159"),
    (1e20, "100000000000000000000"), (1e21, "1e+21"), (1.5e21, "1.5e+21"),
    (1e-6, "0.000001"), (1e-7, "1e-7"), (1.5e-10, "1.5e-10"), (1.2345e-7, "1.2345e-7"),
    (123456789.123, "123456789.123"), (Double.leastNonzeroMagnitude, "5e-324"),
    (1.7976931348623157e308, "1.7976931348623157e+308"), (1e100, "1e+100"),
    (12345678901234567890.0, "12345678901234567000"), (0.000123, "0.000123"),
    (-0.0, "-0"), (100.0, "100"), (2.5e-5, "0.000025"), (9.999999999999999e20, "999999999999999900000"),
  ])
  func doublesFormatLikeGo(value: Double, expected: String) throws {
    #expect(try text(.double(value)) == expected)
  }

  @Test func refusesNonFiniteDoubles() {
    #expect(throws: KubeAPIError(.encoding, "json: unsupported value: NaN")) {
      _ = try JSONValue.double(.nan).serialized()
    }
    #expect(throws: KubeAPIError(.encoding, "json: unsupported value: +Inf")) {
      _ = try JSONValue.array([.double(.infinity)]).serialized()
    }
  }

  @Test func prettyPrintsLikeMarshalIndent() throws {
    let value: JSONValue = ["kind": "Pod", "spec": ["containers": [["name": "a"]], "empty": [:], "none": []]]
    let expected = """
      {
        "kind": "Pod",
        "spec": {
          "containers": [
            {
              "name": "a"
            }
          ],
          "empty": {},
          "none": []
        }
      }
      """
    #expect(String(decoding: try value.prettySerialized(), as: UTF8.self) == expected)
  }

  @Test func roundTripsAPodListAndAgreesWithFoundation() throws {
    let list = Fixtures.podList(50)
    let bytes = try list.serialized()
    #expect(try JSONValue.parse(bytes) == list)
    // Foundation reads the same document back to the same structure.
    let foundation = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
    #expect((foundation?["items"] as? [Any])?.count == 50)
    let reserialized = try JSONSerialization.data(withJSONObject: foundation!, options: [.sortedKeys])
    #expect(try JSONValue.parse(Array(reserialized)) == list)
  }

  @Test func appendsIntoAnExistingBuffer() throws {
    var buffer = Array("[".utf8)
    try JSONValue.int(1).serialize(into: &buffer)
    buffer.append(UInt8(ascii: "]"))
    #expect(String(decoding: buffer, as: UTF8.self) == "[1]")
  }

  @Test func parseSerializeIsStableForDoubles() throws {
    for text in ["1.5", "0.1", "1e+21", "1e-7", "123.456", "-0.000001"] {
      #expect(try JSONValue.parse(text).jsonString() == text)
    }
  }
}
