import KubeAPI

/// The `kubectl logs` options the kubelet's `/containerLogs` endpoint accepts (upstream's
/// PodLogOptions minus `container`, which is in the path).
public struct LogOptions: Sendable, Equatable {
  public var follow = false
  public var previous = false
  public var timestamps = false
  public var tailLines: Int?
  public var limitBytes: Int?
  /// Only records at or after this time (from `sinceSeconds` or `sinceTime`).
  public var since: KubeTime?

  public init() {}

  /// Reads the query; `now` turns `sinceSeconds` into a time. Invalid numbers are a bad request,
  /// worded as the API server words them.
  public init(query: [String: [String]], now: KubeTime) throws(KubeletError) {
    func value(_ name: String) -> String? { query[name]?.first }
    func flag(_ name: String) -> Bool { ["1", "t", "T", "true", "TRUE", "True"].contains(value(name) ?? "") }
    func number(_ name: String, minimum: Int) throws(KubeletError) -> Int? {
      guard let text = value(name), !text.isEmpty else { return nil }
      guard let number = Int(text) else {
        throw KubeletError(.invalidArgument, "invalid \(name) \"\(text)\": must be an integer")
      }
      guard number >= minimum else {
        throw KubeletError(.invalidArgument, "\(name): Invalid value: \(number): must be greater than \(minimum - 1)")
      }
      return number
    }
    follow = flag("follow")
    previous = flag("previous")
    timestamps = flag("timestamps")
    tailLines = try number("tailLines", minimum: 0)
    limitBytes = try number("limitBytes", minimum: 1)
    if let seconds = try number("sinceSeconds", minimum: 1) {
      since = now.adding(seconds: -Int64(seconds))
    }
    if let text = value("sinceTime"), !text.isEmpty {
      guard since == nil else {
        throw KubeletError(.invalidArgument, "at most one of sinceTime or sinceSeconds may be specified")
      }
      do { since = try KubeTime(parsing: text) } catch {
        throw KubeletError(.invalidArgument, "invalid sinceTime \"\(text)\": \(error)")
      }
    }
  }
}
