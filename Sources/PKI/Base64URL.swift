import Foundation

/// Unpadded base64url (RFC 4648 §5), the encoding JWTs and JWKs use.
enum Base64URL {
  static func encode<D: DataProtocol>(_ bytes: D) -> String {
    Data(bytes).base64EncodedString()
      .replacingOccurrences(of: "+", with: "-")
      .replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }

  static func decode<S: StringProtocol>(_ text: S) -> Data? {
    guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
      return nil
    }
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    switch base64.count % 4 {
    case 2: base64 += "=="
    case 3: base64 += "="
    case 1: return nil
    default: break
    }
    return Data(base64Encoded: base64)
  }
}
