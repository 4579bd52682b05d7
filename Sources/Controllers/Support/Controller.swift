import KubeAPI
import KubeClient
import Logging
import SkiffCore

/// A level-based reconciler: it registers informer handlers that queue keys, waits for the
/// caches, then drives a work queue until cancelled. Every sync reads the current state and
/// moves it one step towards the desired state; running it twice does no harm.
public protocol Controller: Sendable {
  /// The name used in logs and in `--disable-controllers` style lists.
  var name: String { get }
  func run() async
}

/// What every controller gets: the in-process client, the shared informers, an event recorder,
/// a clock and the cluster settings.
public struct ControllerContext: Sendable {
  public var client: KubeClient
  public var informers: SharedInformers
  public var recorder: EventRecorder
  public var clock: any WallClock
  public var settings: ControllerSettings
  public var logger: Logger
  /// Shared by every controller built from this context.
  public let writes = WrittenVersions()

  public init(
    client: KubeClient, informers: SharedInformers, recorder: EventRecorder, clock: any WallClock = SystemClock(),
    settings: ControllerSettings = ControllerSettings(), logger: Logger = Logger(label: "controllers")
  ) {
    self.client = client
    self.informers = informers
    self.recorder = recorder
    self.clock = clock
    self.settings = settings
    self.logger = logger
  }

  /// Now as an API timestamp (seconds).
  public var now: KubeTime { KubeTime(clock: clock) }
}

/// Cluster-wide settings controllers read.
public struct ControllerSettings: Sendable {
  /// Pod network; each node gets a /24 of it (node IPAM).
  public var clusterCIDR = "10.42.0.0/16"
  /// Published as `kube-root-ca.crt` in every namespace.
  public var rootCAPEM = ""
  /// How long a node may miss heartbeats before it is NotReady/Unknown.
  public var nodeMonitorGracePeriod: Duration = .seconds(40)
  /// How often node health is checked.
  public var nodeMonitorPeriod: Duration = .seconds(5)
  /// Terminated pods kept before pod GC deletes the oldest.
  public var terminatedPodThreshold = 12500
  /// Workers per controller queue: kube-controller-manager's default for its workload
  /// controllers (`--concurrent-replicaset-syncs`, `--concurrent-deployment-syncs`, …). Idle
  /// workers cost nothing; with 2, a burst of Deployments queued behind slow-start batches.
  public var workers = 5

  public init() {}
}
