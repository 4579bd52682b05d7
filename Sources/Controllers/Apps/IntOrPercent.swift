import KubeAPI

/// An IntOrString such as `maxUnavailable: 1` or `"25%"`, scaled against a total as upstream's
/// intstr.GetScaledValueFromIntOrPercent.
enum IntOrPercent {
  /// nil when the value is neither an integer nor a percentage.
  static func scaled(_ value: JSONValue?, total: Int, roundUp: Bool) -> Int? {
    switch value {
    case .int(let number)?: return Int(number)
    case .string(let text)? where text.hasSuffix("%"):
      guard let percent = Int(text.dropLast()) else { return nil }
      let product = percent * total
      return roundUp ? (product + 99) / 100 : product / 100
    case let other?: return other.intValue.map { Int($0) }
    case nil: return nil
    }
  }
}
