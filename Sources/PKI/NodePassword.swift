import Crypto
import Foundation
import _CryptoExtras

/// The per-node secret that binds a node name to one machine, as K3s's node password: the agent keeps a random
/// password in `<data-dir>/agent/node-password`, the server keeps a salted scrypt hash of it in a Secret.
public enum NodePassword {
  /// `kube-system/<node>.node-password.skiff`, the Secret holding the hash.
  public static func secretName(node: String) -> String { "\(node).node-password.skiff" }
  /// The Secret's `type`.
  public static let secretType = "skiff.io/node-password"
  /// The key of the hash in the Secret's data.
  public static let hashKey = "hash"
  public static let namespace = "kube-system"

  /// 32 random hex characters (128 bits), as the agent writes on first start.
  public static func generate() -> String { JoinToken.randomSecret() }

  /// `$scrypt$N=16384,r=8,p=1$<salt b64>$<hash b64>`: scrypt because the Secret is readable by cluster admins and
  /// may be backed up; the password itself is random, so moderate parameters suffice.
  public static func hash(_ password: String) throws -> String {
    var generator = SystemRandomNumberGenerator()
    let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let derived = try derive(password, salt: salt, n: 16384, r: 8, p: 1)
    return "$scrypt$N=16384,r=8,p=1$\(Data(salt).base64EncodedString())$\(Data(derived).base64EncodedString())"
  }

  /// Whether `password` hashes to `encoded`; compares in constant time. A malformed hash never matches.
  public static func verify(_ password: String, hash encoded: String) -> Bool {
    let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
    guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt",
      let salt = Data(base64Encoded: String(parts[3])), let expected = Data(base64Encoded: String(parts[4]))
    else { return false }
    var parameters: [String: Int] = [:]
    for item in parts[2].split(separator: ",") {
      let pair = item.split(separator: "=")
      if pair.count == 2, let value = Int(pair[1]) { parameters[String(pair[0])] = value }
    }
    guard let n = parameters["N"], let r = parameters["r"], let p = parameters["p"], n > 1, n <= 1 << 20,
      n & (n - 1) == 0, (1...32).contains(r), (1...16).contains(p),
      let derived = try? derive(password, salt: Array(salt), n: n, r: r, p: p), derived.count == expected.count
    else { return false }
    var difference: UInt8 = 0
    for (a, b) in zip(derived, expected) { difference |= a ^ b }
    return difference == 0
  }

  private static func derive(_ password: String, salt: [UInt8], n: Int, r: Int, p: Int) throws -> [UInt8] {
    let key = try KDF.Scrypt.deriveKey(
      from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: n, blockSize: r, parallelism: p)
    return key.withUnsafeBytes { Array($0) }
  }
}
