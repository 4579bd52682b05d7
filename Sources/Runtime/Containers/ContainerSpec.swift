/// Everything needed to create a container, in the Kubelet's (CRI's) terms.
public struct ContainerSpec: Codable, Sendable, Equatable {
  public var id: String
  /// Image reference or ID, resolved through the `ImageStore`.
  public var image: String
  /// Kubernetes `command` (replaces ENTRYPOINT) and `args` (replace CMD).
  public var command: [String]?
  public var args: [String]?
  /// Extra environment, `KEY=value`, appended to (and overriding) the image's.
  public var env: [String] = []
  public var workingDir: String?
  public var user: UserSpec?
  public var hostname: String?
  public var mounts: [Mount] = []
  public var resources: Resources = Resources()
  public var security: SecurityContext = SecurityContext()
  public var rlimits: [Rlimit] = []
  public var tty = false
  public var stdin = false
  /// The CRI log file; default `<bundle>/container.log`.
  public var logPath: String?
  public var logMaxSize: Int64 = 10 << 20
  public var logMaxFiles = 5
  /// The pod sandbox whose namespaces the container joins; nil for a standalone container.
  public var sandboxID: String?
  /// Namespaces for standalone containers (ignored with a sandbox, which decides).
  public var network: NetworkMode = .none
  public var labels: [String: String] = [:]
  public var oomScoreAdj: Int?
  /// A cgroup, relative to the runtime's, that the container's nests under: the Kubelet's pod
  /// cgroup (`kubepods/burstable/pod<uid>`), whose limits bound all the pod's containers.
  public var cgroupParent: String?

  /// The container's cgroup name, under `cgroupParent` when there is one.
  public var cgroupName: String { cgroupParent.map { "\($0)/\(id)" } ?? id }

  public init(id: String, image: String) {
    self.id = id
    self.image = image
  }

  public enum NetworkMode: String, Codable, Sendable { case host, none }

  public struct UserSpec: Codable, Sendable, Equatable {
    /// A uid or a name from the image's /etc/passwd.
    public var user: String
    /// A gid or a name from /etc/group; default the user's primary group.
    public var group: String?
    public var supplementalGroups: [UInt32] = []

    public init(user: String, group: String? = nil, supplementalGroups: [UInt32] = []) {
      self.user = user
      self.group = group
      self.supplementalGroups = supplementalGroups
    }
  }

  public struct Mount: Codable, Sendable, Equatable {
    public enum Propagation: String, Codable, Sendable { case `private`, hostToContainer, bidirectional }
    public var source: String
    public var destination: String
    public var readOnly: Bool
    public var propagation: Propagation

    public init(source: String, destination: String, readOnly: Bool = false, propagation: Propagation = .private) {
      self.source = source
      self.destination = destination
      self.readOnly = readOnly
      self.propagation = propagation
    }
  }

  public struct Resources: Codable, Sendable, Equatable {
    /// cgroup v1 cpu.shares (Kubernetes requests.cpu × 1024); converted to cpu.weight on v2.
    public var cpuShares: UInt64?
    /// CFS quota and period in microseconds (limits.cpu).
    public var cpuQuota: Int64?
    public var cpuPeriod: UInt64 = 100_000
    public var memoryLimit: Int64?
    public var pidsLimit: Int64?

    public init(cpuShares: UInt64? = nil, cpuQuota: Int64? = nil, memoryLimit: Int64? = nil, pidsLimit: Int64? = nil) {
      self.cpuShares = cpuShares
      self.cpuQuota = cpuQuota
      self.memoryLimit = memoryLimit
      self.pidsLimit = pidsLimit
    }
  }

  public struct SecurityContext: Codable, Sendable, Equatable {
    public var privileged = false
    public var capabilitiesAdd: [String] = []
    public var capabilitiesDrop: [String] = []
    public var noNewPrivileges = false
    public var readOnlyRootFilesystem = false
    public var seccomp: SeccompMode = .runtimeDefault
    /// Paths masked and made read-only; nil means containerd's defaults (none when privileged).
    public var maskedPaths: [String]?
    public var readOnlyPaths: [String]?

    public init() {}
  }

  public enum SeccompMode: Codable, Sendable, Equatable {
    case runtimeDefault, unconfined
    /// A profile file in Docker/containerd JSON format.
    case localhost(String)
  }

  public struct Rlimit: Codable, Sendable, Equatable {
    public var type: Int32
    public var soft: UInt64
    public var hard: UInt64

    public init(type: Int32, soft: UInt64, hard: UInt64) {
      self.type = type
      self.soft = soft
      self.hard = hard
    }
  }
}

/// What `exec` runs inside a running container.
public struct ExecSpec: Sendable {
  public var command: [String]
  public var env: [String] = []
  public var workingDir: String?
  public var user: ContainerSpec.UserSpec?
  public var tty = false

  public init(command: [String], tty: Bool = false) {
    self.command = command
    self.tty = tty
  }
}
