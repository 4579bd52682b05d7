import Foundation
import Logging

/// A swift-log handler that writes one logfmt line per entry (`time=… level=… logger=… msg=… k=v`),
/// so logs stay structured for journald and grep alike.
public struct LogfmtHandler: LogHandler {
  public var metadata: Logger.Metadata = [:]
  public var logLevel: Logger.Level
  private let label: String

  public init(label: String, level: Logger.Level) {
    self.label = label
    self.logLevel = level
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    var line =
      "time=\(Self.timestamp()) level=\(event.level) logger=\(label) msg=\(Self.quote(event.message.description))"
    var merged = event.metadata.map { metadata.merging($0) { $1 } } ?? metadata
    if let error = event.error { merged["error"] = "\(error)" }
    for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
      line += " \(key)=\(Self.quote(value.description))"
    }
    line += "\n"
    FileHandle.standardError.write(Data(line.utf8))
  }

  /// Quotes a value when it holds spaces, quotes or `=`, as logfmt readers expect.
  static func quote(_ value: String) -> String {
    guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\n" })
    else { return value }
    let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
      .replacingOccurrences(of: "\"", with: "\\\"")
      .replacingOccurrences(of: "\n", with: "\\n")
    return "\"\(escaped)\""
  }

  private static func timestamp() -> String {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    var seconds = now.tv_sec
    var parts = tm()
    gmtime_r(&seconds, &parts)
    return String(
      format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1,
      parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, now.tv_nsec / 1_000_000)
  }
}

extension LogfmtHandler {
  /// Installs the handler process-wide; `debug` lowers the level from info to debug.
  public static func bootstrap(debug: Bool) {
    LoggingSystem.bootstrap { LogfmtHandler(label: $0, level: debug ? .debug : .info) }
  }
}
