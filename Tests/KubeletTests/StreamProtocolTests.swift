import CRuntime
import KubeAPI
import Testing

@testable import Kubelet

/// The channel protocol kubectl exec speaks, and the SPDY pieces of kubectl's port-forward tunnel.
struct StreamProtocolTests {
  @Test func channelMessagesDecode() {
    #expect(RemoteCommandProtocol.decode([0, 104, 105]) == .stdin([104, 105]))
    #expect(
      RemoteCommandProtocol.decode([4] + Array(#"{"Width":120,"Height":40}"#.utf8)) == .resize(columns: 120, rows: 40))
    #expect(RemoteCommandProtocol.decode([255, 0]) == .closeStdin)
    #expect(RemoteCommandProtocol.decode([255, 1]) == .ignored)
    #expect(RemoteCommandProtocol.decode([4, 1, 2]) == .ignored)
    #expect(RemoteCommandProtocol.frame(1, [7, 8]) == [1, 7, 8])
    #expect(RemoteCommandProtocol.negotiate(["v5.channel.k8s.io", "v4.channel.k8s.io"]) == .v5)
    #expect(RemoteCommandProtocol.negotiate(["base64.channel.k8s.io", "v4.channel.k8s.io"]) == .v4)
    #expect(RemoteCommandProtocol.negotiate(["SPDY/3.1"]) == nil)
  }

  /// kubectl reads status, reason NonZeroExitCode and the ExitCode cause's message as its exit code.
  @Test func exitStatusIsWhatKubectlDecodes() throws {
    let success = try JSONValue.parse(RemoteCommandProtocol.exitStatus(0))
    #expect(success["status"]?.stringValue == "Success")
    let failure = try JSONValue.parse(RemoteCommandProtocol.exitStatus(3, command: ["sh", "-c", "exit 3"]))
    #expect(failure["status"]?.stringValue == "Failure")
    #expect(failure["reason"]?.stringValue == "NonZeroExitCode")
    let cause = try #require(failure["details"]?["causes"]?[0])
    #expect(cause["reason"]?.stringValue == "ExitCode")
    #expect(cause["message"]?.stringValue == "3")
    #expect(
      failure["message"]?.stringValue
        == "command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3")
  }

  @Test func streamOptionsReadBothParameterStyles() {
    let kubelet = StreamOptions(query: ["input": ["1"], "output": ["1"], "error": ["1"]])
    #expect(kubelet.stdin && kubelet.stdout && kubelet.stderr && !kubelet.tty)
    let api = StreamOptions(query: ["stdin": ["true"], "stdout": ["true"], "stderr": ["true"], "tty": ["true"]])
    #expect(api.stdin && api.stdout && !api.stderr && api.tty)
  }

  @Test func shimAttachFramesSplitAcrossReads() {
    var decoder = ShimFrameDecoder()
    let frame: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 3, 97, 98, 99, 2, 0, 0, 0, 0, 0, 0, 1, 122]
    #expect(decoder.feed(Array(frame.prefix(5))).isEmpty)
    let frames = decoder.feed(Array(frame.dropFirst(5)))
    #expect(frames.map(\.0) == [1, 2])
    #expect(frames.map(\.1) == [[97, 98, 99], [122]])
  }

  @Test func spdyDictionaryIsTheProtocolOne() {
    let sum = SPDYHeaderBlock.dictionary.withUnsafeBytes {
      adler32(adler32(0, nil, 0), $0.baseAddress!.assumingMemoryBound(to: Bytef.self), UInt32($0.count))
    }
    #expect(SPDYHeaderBlock.dictionary.count == 1423)
    #expect(sum == 0xe3c6_a7c2)
  }

  @Test func spdyFramesRoundTripThroughTheParserInPieces() throws {
    let frames: [SPDYFrame] = [
      .synStream(streamID: 1, flags: 0, headerBlock: [1, 2, 3]), .synReply(streamID: 1, flags: 0, headerBlock: [9]),
      .data(streamID: 3, flags: SPDYFrame.flagFin, payload: Array("hello".utf8)), .ping(id: 7),
      .rstStream(streamID: 5, status: SPDYFrame.cancel), .windowUpdate(streamID: 1, delta: 100),
      .goAway(lastStreamID: 9),
    ]
    let wire = frames.flatMap(\.bytes)
    var parser = SPDYFrameParser()
    var parsed: [SPDYFrame] = []
    var offset = 0
    for size in [3, 11, 1, 40, 1000] where offset < wire.count {
      parsed += try parser.feed(Array(wire[offset..<min(offset + size, wire.count)]))
      offset += size
    }
    #expect(parsed == frames)
  }

  /// Header blocks compressed by real zlib with the dictionary (as kubectl's framer does) decode,
  /// and ours inflate with real zlib.
  @Test func spdyHeaderBlocksInteroperateWithZlib() throws {
    var deflater = z_stream()
    #expect(deflateInit_(&deflater, Z_BEST_COMPRESSION, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
    defer { deflateEnd(&deflater) }
    _ = SPDYHeaderBlock.dictionary.withUnsafeBytes {
      deflateSetDictionary(&deflater, $0.baseAddress!.assumingMemoryBound(to: Bytef.self), UInt32($0.count))
    }
    func compress(_ block: [UInt8]) -> [UInt8] {
      var input = block
      var output = [UInt8](repeating: 0, count: 4096)
      return input.withUnsafeMutableBytes { inBytes in
        output.withUnsafeMutableBytes { outBytes in
          deflater.next_in = inBytes.baseAddress!.assumingMemoryBound(to: Bytef.self)
          deflater.avail_in = UInt32(inBytes.count)
          deflater.next_out = outBytes.baseAddress!.assumingMemoryBound(to: Bytef.self)
          deflater.avail_out = UInt32(outBytes.count)
          _ = deflate(&deflater, Z_SYNC_FLUSH)
          return Array(outBytes.prefix(outBytes.count - Int(deflater.avail_out)))
        }
      }
    }
    let decompressor = try SPDYHeaderDecompressor()
    for request in ["0", "1"] {
      let headers = [("streamType", "error"), ("port", "8080"), ("requestID", request)]
      let plain = try decompressor.decompress(compress(SPDYHeaderBlock.encode(headers)))
      #expect(SPDYHeaderBlock.decode(plain) == ["streamtype": "error", "port": "8080", "requestid": request])
    }

    var compressor = SPDYHeaderCompressor()
    var inflater = z_stream()
    #expect(inflateInit_(&inflater, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
    defer { inflateEnd(&inflater) }
    for headers in [[], [("a", "b")]] as [[(String, String)]] {
      var compressed = compressor.compress(SPDYHeaderBlock.encode(headers))
      var output = [UInt8](repeating: 0, count: 256)
      let produced = compressed.withUnsafeMutableBytes { inBytes in
        output.withUnsafeMutableBytes { outBytes in
          inflater.next_in = inBytes.baseAddress!.assumingMemoryBound(to: Bytef.self)
          inflater.avail_in = UInt32(inBytes.count)
          inflater.next_out = outBytes.baseAddress!.assumingMemoryBound(to: Bytef.self)
          inflater.avail_out = UInt32(outBytes.count)
          #expect(inflate(&inflater, Z_SYNC_FLUSH) == Z_OK)
          return outBytes.count - Int(inflater.avail_out)
        }
      }
      #expect(Array(output.prefix(produced)) == SPDYHeaderBlock.encode(headers))
    }
  }

  @Test func portForwardPortsParse() throws {
    #expect(try PortForwardSession.ports(query: ["ports": ["8080,9090"]]) == [8080, 9090])
    #expect(try PortForwardSession.ports(query: ["ports": ["80", "81"]]) == [80, 81])
    #expect(throws: KubeletError.self) { try PortForwardSession.ports(query: [:]) }
    #expect(throws: KubeletError.self) { try PortForwardSession.ports(query: ["ports": ["0"]]) }
  }
}
