import Foundation
import SwiftASN1
import X509

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The DNS names and IP addresses a certificate is valid for; IPs are kept in canonical text form.
public struct SubjectAltNames: Sendable, Equatable, Hashable {
  public var dnsNames: [String]
  public var ipAddresses: [String]

  /// Names as given; IP strings are canonicalised (so "::0001" and "::1" compare equal) and duplicates dropped.
  public init(dnsNames: [String] = [], ipAddresses: [String] = []) throws {
    self.dnsNames = []
    self.ipAddresses = []
    for name in dnsNames where !self.dnsNames.contains(name) {
      guard Self.isDNSName(name) else { throw PKIError.invalidName(name) }
      self.dnsNames.append(name)
    }
    for address in ipAddresses {
      guard let bytes = Self.ipBytes(address) else { throw PKIError.invalidName(address) }
      let canonical = Self.ipText(bytes)
      if !self.ipAddresses.contains(canonical) { self.ipAddresses.append(canonical) }
    }
  }

  /// Sorts each value into IP or DNS, as `--tls-san` accepts either.
  public init(mixed names: [String]) throws {
    try self.init(
      dnsNames: names.filter { Self.ipBytes($0) == nil }, ipAddresses: names.filter { Self.ipBytes($0) != nil })
  }

  /// The names a certificate carries; names of other kinds (email, URI) are ignored.
  public init(_ certificateNames: SubjectAlternativeNames?) {
    dnsNames = []
    ipAddresses = []
    for name in certificateNames ?? SubjectAlternativeNames() {
      switch name {
      case .dnsName(let dns): dnsNames.append(dns)
      case .ipAddress(let octets): ipAddresses.append(Self.ipText(Array(octets.bytes)))
      default: continue
      }
    }
  }

  public var isEmpty: Bool { dnsNames.isEmpty && ipAddresses.isEmpty }

  /// Adds the names of `other` that are missing here, keeping order.
  public func union(_ other: SubjectAltNames) -> SubjectAltNames {
    var result = self
    for name in other.dnsNames where !result.dnsNames.contains(name) { result.dnsNames.append(name) }
    for address in other.ipAddresses where !result.ipAddresses.contains(address) { result.ipAddresses.append(address) }
    return result
  }

  /// Whether every name here also appears in `other`.
  public func isSubset(of other: SubjectAltNames) -> Bool {
    Set(dnsNames).isSubset(of: Set(other.dnsNames)) && Set(ipAddresses).isSubset(of: Set(other.ipAddresses))
  }

  var generalNames: [GeneralName] {
    dnsNames.map { .dnsName($0) }
      + ipAddresses.compactMap { Self.ipBytes($0).map { .ipAddress(ASN1OctetString(contentBytes: $0[...])) } }
  }

  /// The 4 or 16 address bytes of an IPv4/IPv6 literal, or nil when `text` is not one.
  static func ipBytes(_ text: String) -> [UInt8]? {
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 {
      return withUnsafeBytes(of: &v4) { Array($0) }
    }
    var v6 = in6_addr()
    if inet_pton(AF_INET6, text, &v6) == 1 {
      return withUnsafeBytes(of: &v6) { Array($0) }
    }
    return nil
  }

  static func ipText(_ bytes: [UInt8]) -> String {
    let family = bytes.count == 4 ? AF_INET : AF_INET6
    guard bytes.count == 4 || bytes.count == 16 else { return bytes.map { String($0) }.joined(separator: ".") }
    var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    let ok = bytes.withUnsafeBytes { raw in
      inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
    }
    return ok ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
  }

  /// Host names as RFC 1123 allows them, plus a leading "*." wildcard label.
  static func isDNSName(_ name: String) -> Bool {
    guard !name.isEmpty, name.utf8.count <= 253 else { return false }
    let labels = name.split(separator: ".", omittingEmptySubsequences: false)
    for (index, label) in labels.enumerated() {
      if index == 0 && label == "*" && labels.count > 1 { continue }
      guard !label.isEmpty, label.utf8.count <= 63, label.first != "-", label.last != "-",
        label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
      else { return false }
    }
    return true
  }
}
