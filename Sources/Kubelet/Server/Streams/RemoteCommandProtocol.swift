import KubeAPI

/// The WebSocket channel protocols of exec and attach (`v5.channel.k8s.io` and older): every
/// binary message starts with a channel byte. v5 adds channel 255, by which the client
/// half-closes one of its channels (`[255, 0]`: stdin ended).
enum RemoteCommandProtocol: String, Sendable, CaseIterable {
  case v5 = "v5.channel.k8s.io"
  case v4 = "v4.channel.k8s.io"
  case v1 = "channel.k8s.io"

  static let stdin: UInt8 = 0
  static let stdout: UInt8 = 1
  static let stderr: UInt8 = 2
  static let error: UInt8 = 3
  static let resize: UInt8 = 4
  static let close: UInt8 = 255

  /// The first protocol of ours in the client's list (clients list theirs by preference).
  static func negotiate(_ offered: [String]) -> RemoteCommandProtocol? {
    offered.lazy.compactMap(RemoteCommandProtocol.init(rawValue:)).first
  }

  /// A message on `channel`.
  static func frame(_ channel: UInt8, _ data: some Collection<UInt8>) -> [UInt8] {
    var bytes: [UInt8] = [channel]
    bytes.reserveCapacity(data.count + 1)
    bytes += data
    return bytes
  }

  /// What a client message means to the session.
  enum Message: Equatable {
    case stdin([UInt8])
    case resize(columns: UInt16, rows: UInt16)
    case closeStdin
    case ignored
  }

  static func decode(_ message: [UInt8]) -> Message {
    guard let channel = message.first else { return .ignored }
    let payload = Array(message.dropFirst())
    switch channel {
    case stdin: return .stdin(payload)
    case resize:
      guard let value = try? JSONValue.parse(payload),
        let width = value["Width"]?.intValue, let height = value["Height"]?.intValue,
        let columns = UInt16(exactly: width), let rows = UInt16(exactly: height)
      else { return .ignored }
      return .resize(columns: columns, rows: rows)
    case close: return payload.first == stdin ? .closeStdin : .ignored
    default: return .ignored
    }
  }

  /// The `Status` sent on the error channel when the command ends: what kubectl turns into its
  /// own exit code (reason NonZeroExitCode, cause ExitCode with the code as message).
  static func exitStatus(_ code: Int32, command: [String] = []) -> [UInt8] {
    let status: JSONValue
    if code == 0 {
      status = ["metadata": [:], "status": "Success"]
    } else {
      status = [
        "metadata": [:], "status": "Failure",
        "message":
          .string(
            "command terminated with non-zero exit code: error executing command [\(command.joined(separator: " "))], exit code \(code)"
          ),
        "reason": "NonZeroExitCode",
        "details": ["causes": [["reason": "ExitCode", "message": .string("\(code)")]]],
      ]
    }
    return (try? status.serialized()) ?? []
  }

  /// A `Status` for a failure that is not the command's own (cannot start it, container gone).
  static func failureStatus(_ message: String) -> [UInt8] {
    let status: JSONValue = [
      "metadata": [:], "status": "Failure", "message": .string(message), "reason": "InternalError", "code": 500,
    ]
    return (try? status.serialized()) ?? []
  }
}
