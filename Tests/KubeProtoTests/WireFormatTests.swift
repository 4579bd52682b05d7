import KubeAPI
import Testing

@testable import KubeProto

/// The envelope, watch framing, error reporting and the Go text forms KubeProto reproduces.
@Suite struct WireFormatTests {
  @Test func envelopeMatchesKubectlByteForByte() throws {
    // kubectl's DeleteOptions body for --grace-period=7: every byte is envelope or that one field.
    let captured = try TestSupport.fixtureBytes("deleteoptions")
    let ours = try KubeProtobuf.encode(
      try TestSupport.parse(#"{"apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": 7}"#))
    #expect(ours == captured)
  }

  @Test func watchEventFrames() throws {
    let pod = try TestSupport.parse(
      #"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "default", "resourceVersion": "7"}}"#
    )
    let frame = try KubeProtobuf.encodeWatchEvent(type: "ADDED", object: pod)
    let length = frame[0..<4].reduce(0) { $0 << 8 | Int($1) }
    #expect(length == frame.count - 4)
    // The frame body is a bare WatchEvent (no magic); its object is a full envelope.
    #expect(Array(frame[4..<6]) == [0x0a, 0x05])
    let event = try KubeProtobuf.decodeWatchEvent(frame)
    #expect(event.type == "ADDED")
    #expect(event.object == pod)
    let body = try KubeProtobuf.encode(pod)
    #expect(frame.count > body.count && frame.suffix(body.count).elementsEqual(body))
  }

  @Test func bookmarkAndErrorEvents() throws {
    let bookmark = try TestSupport.parse(
      #"{"apiVersion": "v1", "kind": "Pod", "metadata": {"resourceVersion": "12","#
        + #""annotations": {"k8s.io/initial-events-end": "true"}}}"#)
    #expect(
      try KubeProtobuf.decodeWatchEvent(try KubeProtobuf.encodeWatchEvent(type: "BOOKMARK", object: bookmark)).object
        == bookmark)
    let status = try TestSupport.parse(
      #"{"apiVersion": "v1", "kind": "Status", "status": "Failure", "reason": "Expired", "code": 410,"#
        + #""message": "too old resource version", "metadata": {}}"#)
    let event = try KubeProtobuf.decodeWatchEvent(try KubeProtobuf.encodeWatchEvent(type: "ERROR", object: status))
    #expect(event.object == status)
  }

  @Test func statusDefaultsItsType() throws {
    let bytes = try KubeProtobuf.encodeStatus(try TestSupport.parse(#"{"status": "Success", "code": 200}"#))
    let decoded = try KubeProtobuf.decode(bytes)
    #expect(decoded.apiVersion == "v1" && decoded.kind == "Status")
    #expect(decoded.object["code"] == .int(200))
  }

  @Test func encodeListMatchesEncodeOfWholeList() throws {
    let items = try (0..<3).map { index in
      try TestSupport.parse(#"{"metadata": {"name": "cm-\#(index)"}, "data": {"k": "v"}}"#)
    }
    let metadata = try TestSupport.parse(#"{"resourceVersion": "42"}"#)
    let listed = try KubeProtobuf.encodeList(apiVersion: "v1", kind: "ConfigMapList", items: items, metadata: metadata)
    let whole = try KubeProtobuf.encode(
      .object([
        "apiVersion": .string("v1"), "kind": .string("ConfigMapList"), "metadata": metadata, "items": .array(items),
      ]))
    #expect(listed == whole)
    #expect(try KubeProtobuf.decode(listed).object["items"]?.arrayValue?.count == 3)
  }

  @Test func unknownKindsAreNamed() throws {
    #expect(throws: KubeProtoError.unknownKind(apiVersion: "apps/v1", kind: "Foo")) {
      try KubeProtobuf.encode(.object(["apiVersion": .string("apps/v1"), "kind": .string("Foo")]))
    }
    var writer = ProtoWriter()
    try KubeProtobuf.encodeEnvelope(apiVersion: "example.com/v1", kind: "Widget", into: &writer) { _ in }
    #expect(throws: KubeProtoError.unknownKind(apiVersion: "example.com/v1", kind: "Widget")) {
      try KubeProtobuf.decode(writer.bytes)
    }
    #expect(
      KubeProtoError.unknownKind(apiVersion: "apps/v1", kind: "Foo").description.hasPrefix(
        "no protobuf description for apps/v1 Foo"))
    #expect(KubeProtobuf.canEncode(apiVersion: "v1", kind: "Pod"))
    #expect(!KubeProtobuf.canEncode(apiVersion: "example.com/v1", kind: "Widget"))
  }

  @Test func corruptBodiesThrowInsteadOfTrapping() throws {
    let good = try TestSupport.fixtureBytes("deployment")
    #expect(throws: KubeProtoError.self) { try KubeProtobuf.decode(Array("{\"kind\":\"Pod\"}".utf8)) }
    // Every truncation either decodes (cut at a field boundary) or throws; none may crash.
    var thrown = 0
    for length in 0..<good.count {
      do { _ = try KubeProtobuf.decode(Array(good[0..<length])) } catch { thrown += 1 }
    }
    #expect(thrown > good.count / 2)
    var flipped = good
    flipped[good.count / 2] ^= 0xff
    _ = try? KubeProtobuf.decode(flipped)
  }

  @Test func wrongJSONTypesNameTheirPath() throws {
    let deployment = try TestSupport.parse(
      #"{"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": "three"}}"#)
    #expect(
      throws: KubeProtoError.invalidValue(path: "spec.replicas", reason: "expected an integer, got string \"three\"")
    ) {
      try KubeProtobuf.encode(deployment)
    }
    let secret = try TestSupport.parse(#"{"apiVersion": "v1", "kind": "Secret", "data": {"k": "not base64!"}}"#)
    #expect(throws: KubeProtoError.invalidValue(path: "data[\"k\"]", reason: "not valid base64")) {
      try KubeProtobuf.encode(secret)
    }
  }

  @Test func goTimeForms() throws {
    #expect(GoTime.format(seconds: 1_795_991_921) == "2026-11-29T22:38:41Z")
    #expect(GoTime.format(seconds: 0, micros: 5) == "1970-01-01T00:00:00.000005Z")
    #expect(GoTime.format(seconds: -1) == "1969-12-31T23:59:59Z")
    #expect(GoTime.parse("2026-11-29T22:38:41Z")! == (1_795_991_921, 0))
    #expect(GoTime.parse("2026-11-29T23:38:41.5+01:00")! == (1_795_991_921, 500_000_000))
    #expect(GoTime.parse("2024-02-29T00:00:00Z")!.seconds == 1_709_164_800)
    #expect(GoTime.parse("2026-11-29 22:38:41") == nil)
    #expect(GoTime.parse("2026-13-01T00:00:00Z") == nil)
  }

  @Test func goDurationForms() throws {
    let cases: [(Int64, String)] = [
      (0, "0s"), (1, "1ns"), (1_500, "1.5\u{00B5}s"), (2_000_000, "2ms"), (1_500_000_000, "1.5s"),
      (60_000_000_000, "1m0s"), (3_600_000_000_000, "1h0m0s"), (5_430_000_000_000, "1h30m30s"),
      (-90_000_000_000, "-1m30s"), (100_000_000, "100ms"), (1_000_000_001, "1.000000001s"),
    ]
    for (nanoseconds, text) in cases {
      #expect(GoDuration.format(nanoseconds) == text)
      #expect(GoDuration.parse(text) == nanoseconds)
    }
    #expect(GoDuration.parse("1h30m") == 5_400_000_000_000)
    #expect(GoDuration.parse("500us") == 500_000)
    #expect(GoDuration.parse("0") == 0)
    #expect(GoDuration.parse("1") == nil)
    #expect(GoDuration.parse("1d") == nil)
    #expect(GoDuration.parse("") == nil)
  }

  @Test func base64Forms() throws {
    for count in 0..<40 {
      let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 37 + 250) }
      let text = Base64.encode(bytes)
      #expect(text.utf8.count == (count + 2) / 3 * 4)
      #expect(Base64.decode(text) == bytes)
    }
    #expect(Base64.encode(Array("admin".utf8)) == "YWRtaW4=")
    #expect(Base64.decode("YWRtaW4") == Array("admin".utf8))
    #expect(Base64.decode("YW*taW4=") == nil)
  }

  @Test func durationFieldsUseGoText() throws {
    // No kind in the served groups has a metav1.Duration field, so use the message directly.
    let table = ProtoTable.shared
    let duration = try #require(table.index["meta/v1.Duration"])
    var writer = ProtoWriter()
    try ProtoEncoder(table: table).message(duration, .string("1m30s"), into: &writer)
    #expect(writer.bytes == [0x08, 0x80, 0x88, 0xac, 0xa3, 0xcf, 0x02])
    let decoded = try writer.bytes.withUnsafeBufferPointer {
      try ProtoDecoder(table: table).message(duration, ProtoReader($0))
    }
    #expect(decoded == .string("1m30s"))
  }
}

extension WireFormatTests {
  /// Objects nested in RawExtensions (ControllerRevision.data) stop at a fixed depth instead of
  /// recursing as deep as a hostile body asks.
  @Test func embeddedEnvelopesAreBounded() throws {
    func revision(wrapping inner: [UInt8]) -> [UInt8] {
      var writer = ProtoWriter()
      try? KubeProtobuf.encodeEnvelope(apiVersion: "apps/v1", kind: "ControllerRevision", into: &writer) {
        $0.writeMessage(2) { $0.writeBytes(1, inner) }
      }
      return writer.bytes
    }
    var body = try KubeProtobuf.encode(try TestSupport.parse(#"{"apiVersion": "v1", "kind": "ConfigMap"}"#))
    for _ in 0..<3 { body = revision(wrapping: body) }
    let shallow = try KubeProtobuf.decode(body).object
    #expect(shallow[path: ["data", "data", "data", "kind"]] == .string("ConfigMap"))
    for _ in 0..<20 { body = revision(wrapping: body) }
    #expect(throws: KubeProtoError.self) { try KubeProtobuf.decode(body) }
  }
}

extension WireFormatTests {
  /// Random byte changes to every kubectl body: each one decodes or throws, none traps.
  @Test func mutatedBodiesNeverTrap() throws {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int(truncatingIfNeeded: state >> 33)
    }
    var rejected = 0
    let names = KubectlFixtureTests.printedByKubectl + KubectlFixtureTests.writtenByHand
    for name in names {
      let original = try TestSupport.fixtureBytes(name)
      for _ in 0..<200 {
        var mutated = original
        for _ in 0...(next() % 3) {
          let position = 4 + next() % (mutated.count - 4)
          mutated[position] = UInt8(truncatingIfNeeded: next())
        }
        do { _ = try KubeProtobuf.decode(mutated) } catch { rejected += 1 }
        _ = try? KubeProtobuf.decodeWatchEvent(mutated)
      }
      #expect(try KubeProtobuf.decode(original).kind.isEmpty == false)
    }
    #expect(rejected > 0)
  }
}
