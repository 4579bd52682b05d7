import KubeClient
import Logging
import PKI
import ServiceLifecycle

/// Runs the controllers and the scheduler as one Service: after the API server is ready, and
/// only while this server holds the leader lease, so that several servers sharing one
/// datastore run one active set.
public final class ControllerManager: Service, Sendable {
  let context: ControllerContext
  let controllers: [any Controller]
  let elector: LeaderElector?
  let ready: @Sendable () async -> Void

  public init(
    context: ControllerContext, controllers: [any Controller], elector: LeaderElector?,
    ready: @escaping @Sendable () async -> Void
  ) {
    self.context = context
    self.controllers = controllers
    self.elector = elector
    self.ready = ready
  }

  /// Every controller `skiff server` runs.
  public static func standardControllers(_ context: ControllerContext, signer: CSRSigner) -> [any Controller] {
    [
      SchedulerController(context: context),
      ServiceAccountController(context: context),
      ReplicaSetController(context: context),
      ReplicaSetController(context: context, type: .replicationControllers),
      DeploymentController(context: context),
      DaemonSetController(context: context),
      StatefulSetController(context: context),
      GarbageCollector(context: context),
      NamespaceController(context: context),
      EndpointsController(context: context),
      EndpointSliceController(context: context),
      NodeLifecycleController(context: context),
      TaintEvictionController(context: context),
      PodGarbageCollector(context: context),
      NodeIPAMController(context: context),
      DisruptionController(context: context),
      JobController(context: context),
      CronJobController(context: context),
      TTLAfterFinishedController(context: context),
      ResourceQuotaController(context: context),
      HorizontalPodAutoscalerController(context: context),
      CSRApprovingController(context: context),
      CertificateSigningController(context: context, signer: signer),
      BootstrapTokenCleaner(context: context),
    ]
  }

  public func run() async throws {
    await cancelWhenGracefulShutdown {
      await self.ready()
      await withTaskGroup(of: Void.self) { group in
        group.addTask { await self.context.recorder.run() }
        group.addTask {
          if let elector = self.elector {
            await elector.run { await self.runControllers() }
          } else {
            await self.runControllers()
          }
        }
        await group.next()
        group.cancelAll()
      }
    }
    // Returning early would stop the whole ServiceGroup (the API server with it).
    try? await gracefulShutdown()
  }

  /// Runs every controller until cancelled (shutdown or lost leadership), then stops the
  /// informers so a later term starts from a fresh list.
  func runControllers() async {
    context.logger.info("starting controllers", metadata: ["count": "\(controllers.count)"])
    await withDiscardingTaskGroup { group in
      for controller in controllers {
        group.addTask { await controller.run() }
      }
    }
    context.informers.stop()
    context.logger.info("controllers stopped")
  }
}
