import Foundation

/// What the runtime remembers about a container on disk (`<bundle>/config.json`), enough to
/// re-adopt it after the agent restarts.
struct ContainerRecord: Codable, Sendable {
  var spec: ContainerSpec
  var imageName: String
  var imageID: Digest
  var createdAt: Date
  var logPath: String
  var cgroupName: String
  /// The resolved process, kept for exec (which runs with the same identity and confinement).
  var uid: UInt32
  var gid: UInt32
  var groups: [UInt32]
  var env: [String]
  var workingDir: String
  var capabilities: UInt64
  /// The compiled filter lives beside the record in `seccomp.bpf` (binary, not JSON).
  var seccomp: Bool
  var stopSignal: String?
}

public enum ContainerState: String, Sendable, Codable { case created, running, exited, unknown }

/// A container's status in the CRI's terms.
public struct ContainerStatus: Sendable, Equatable {
  public var id: String
  public var image: String
  public var imageID: String
  public var state: ContainerState
  public var pid: Int32?
  public var createdAt: Date
  public var startedAt: Date?
  public var finishedAt: Date?
  public var exitCode: Int32?
  /// "Completed", "Error", "OOMKilled", or "StartError".
  public var reason: String?
  public var message: String?
  public var logPath: String
  public var labels: [String: String]
}
