import Foundation
import SkiffCore
import Testing

@testable import KubeAPI

/// Property checks over generated documents with a fixed seed (reproducible, no timing).
@Suite struct JSONRoundTripTests {
  static let alphabet: [Character] = Array("aZ09 _-./:\"\\<>&\n\t\u{1}é中😀\u{2028}")

  static func randomString(_ rng: inout SplitMix64) -> String {
    String((0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
  }

  static func randomValue(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
    switch Int.random(in: 0..<(depth > 4 ? 6 : 8), using: &rng) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &rng))
    case 3:
      let d = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng))
      return d.isFinite && d.rounded() != d ? .double(d) : .double(Double.random(in: -1e6...1e6, using: &rng) + 0.5)
    case 4, 5: return .string(randomString(&rng))
    case 6:
      return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
    default:
      var members: [String: JSONValue] = [:]
      for _ in 0..<Int.random(in: 0...4, using: &rng) {
        members[randomString(&rng)] = randomValue(&rng, depth: depth + 1)
      }
      return .object(members)
    }
  }

  @Test func serializeThenParseIsIdentity() throws {
    var rng = SplitMix64(seed: 20_261_129)
    for _ in 0..<500 {
      let value = Self.randomValue(&rng, depth: 0)
      #expect(try JSONValue.parse(value.serialized()) == value)
      #expect(try JSONValue.parse(value.prettySerialized()) == value)
      #expect(try JSONValue.parse(value.serialized(escapeHTML: false)) == value)
      // Foundation reads our output as valid JSON too.
      let data = Data(try value.serialized())
      #expect((try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil)
    }
  }

  @Test func mutatedInputNeverCrashes() throws {
    var rng = SplitMix64(seed: 7)
    let seed = Array(try Fixtures.pod(0).serialized())
    let specials: [UInt8] = Array("{}[]\",:\\0123456789.eE+-tfnu \n".utf8) + [0x00, 0xFF, 0xC3]
    var accepted = 0
    for _ in 0..<2_000 {
      var bytes = seed
      for _ in 0..<Int.random(in: 1...4, using: &rng) {
        let at = Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: bytes[at] = specials.randomElement(using: &rng)!
        case 1: bytes.remove(at: at)
        default: bytes.insert(specials.randomElement(using: &rng)!, at: at)
        }
      }
      if let value = try? JSONValue.parse(bytes) {
        accepted += 1
        // Integral floats (`8e0`) come back as integers, as they do through Go; compare by value.
        #expect(try JSONValue.parse(value.serialized()).semanticallyEquals(value))
      }
    }
    // Most mutations break the document; a few (inside strings) keep it valid.
    #expect(accepted > 0 && accepted < 2_000)
  }
}
