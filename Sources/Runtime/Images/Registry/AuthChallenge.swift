/// One challenge of a `WWW-Authenticate` header (RFC 7235): a scheme and its parameters,
/// e.g. `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="…"`.
struct AuthChallenge: Sendable, Equatable {
  enum Scheme: Sendable, Equatable {
    case basic, bearer
    case other(String)
  }

  var scheme: Scheme
  /// Parameter names lowercased; values unquoted.
  var parameters: [String: String]

  var realm: String? { parameters["realm"] }
  var service: String? { parameters["service"] }
  var scope: String? { parameters["scope"] }

  /// Parses every challenge in the header values; a header may hold several, separated by commas.
  static func parse(_ headers: [String]) -> [AuthChallenge] {
    headers.flatMap { parse($0) }
  }

  static func parse(_ header: String) -> [AuthChallenge] {
    var scanner = Scanner(Array(header.utf8))
    var result: [AuthChallenge] = []
    while true {
      scanner.skip { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: ",") }
      guard let name = scanner.token() else { break }
      var challenge = AuthChallenge(scheme: scheme(name), parameters: [:])
      // Parameters follow until a token that is not followed by `=` starts the next challenge.
      while true {
        scanner.skip { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: ",") }
        let mark = scanner.position
        guard let key = scanner.token() else { break }
        scanner.skip { $0 == UInt8(ascii: " ") }
        guard scanner.consume(UInt8(ascii: "=")) else {
          scanner.position = mark
          break
        }
        scanner.skip { $0 == UInt8(ascii: " ") }
        let value = scanner.quoted() ?? scanner.token() ?? ""
        challenge.parameters[key.lowercased()] = value
      }
      result.append(challenge)
    }
    return result
  }

  private static func scheme(_ name: String) -> Scheme {
    switch name.lowercased() {
    case "basic": .basic
    case "bearer": .bearer
    default: .other(name)
    }
  }

  private struct Scanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func skip(while predicate: (UInt8) -> Bool) {
      while position < bytes.count && predicate(bytes[position]) { position += 1 }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
      guard position < bytes.count, bytes[position] == byte else { return false }
      position += 1
      return true
    }

    /// An RFC 7230 token (also accepting `/` and `:` which token68 values and sloppy servers use).
    mutating func token() -> String? {
      let start = position
      skip { byte in
        byte > 32 && byte < 127 && byte != UInt8(ascii: ",") && byte != UInt8(ascii: "=")
          && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: " ")
      }
      return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
    }

    mutating func quoted() -> String? {
      guard consume(UInt8(ascii: "\"")) else { return nil }
      var value: [UInt8] = []
      while position < bytes.count {
        let byte = bytes[position]
        position += 1
        if byte == UInt8(ascii: "\\"), position < bytes.count {
          value.append(bytes[position])
          position += 1
        } else if byte == UInt8(ascii: "\"") {
          break
        } else {
          value.append(byte)
        }
      }
      return String(decoding: value, as: UTF8.self)
    }
  }
}
