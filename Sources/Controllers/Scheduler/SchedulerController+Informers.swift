import KubeAPI
import KubeClient

extension SchedulerController {
  /// Unassigned pods feed the queue; assigned pods feed the cache (and may help parked pods).
  func watchPods() {
    context.informers.informer(.pods).onEvent { [self] event in
      let pod = event.object
      let assigned = !(pod["spec"]?["nodeName"]?.stringValue ?? "").isEmpty
      update { state, now in
        switch event {
        case .added:
          if assigned {
            state.queue.delete(pod)
            state.scheduler.cache.addPod(pod)
            state.queue.moveAllToActiveOrBackoff(event: .assignedPodAdded, now: now)
          } else if isUnscheduled(pod) {
            state.queue.add(pod, now: now)
          }
        case .updated:
          if assigned {
            state.queue.delete(pod)
            state.scheduler.cache.updatePod(pod)
            state.queue.moveAllToActiveOrBackoff(event: .assignedPodUpdated, now: now)
          } else if isUnscheduled(pod) {
            state.queue.update(pod, now: now)
          } else {
            state.queue.delete(pod)
          }
        case .deleted:
          state.queue.delete(pod)
          state.scheduler.cache.clearNomination(pod: pod)
          if assigned || state.scheduler.cache.isAssumed(pod: pod) {
            state.scheduler.cache.removePod(pod)
            state.queue.moveAllToActiveOrBackoff(event: .assignedPodDeleted, now: now)
          }
        }
      }
    }
  }

  /// Nodes and what filters read (volumes, namespaces, services and controllers for spreading).
  func watchCluster() {
    context.informers.informer(.nodes).onEvent { [self] event in
      update { state, now in
        switch event {
        case .added(let node):
          state.scheduler.cache.addNode(node)
          state.queue.moveAllToActiveOrBackoff(event: .nodeAdded, now: now)
        case .updated(_, let node):
          state.scheduler.cache.updateNode(node)
          state.queue.moveAllToActiveOrBackoff(event: .nodeUpdated, now: now)
        case .deleted(let node):
          state.scheduler.cache.removeNode(node)
          state.queue.moveAllToActiveOrBackoff(event: .nodeDeleted, now: now)
        }
      }
    }
    observe(.persistentVolumeClaims, event: .persistentVolumeClaimChanged) { cache, event in
      if case .deleted(let claim) = event {
        cache.removePersistentVolumeClaim(claim)
      } else {
        cache.addPersistentVolumeClaim(event.object)
      }
    }
    observe(.persistentVolumes, event: .persistentVolumeChanged) { cache, event in
      if case .deleted(let volume) = event {
        cache.removePersistentVolume(volume)
      } else {
        cache.addPersistentVolume(event.object)
      }
    }
    observe(.storageClasses, event: .storageClassChanged) { cache, event in
      if case .deleted(let storageClass) = event {
        cache.removeStorageClass(storageClass)
      } else {
        cache.addStorageClass(event.object)
      }
    }
    observe(.namespaces, event: .namespaceChanged) { cache, event in
      if case .deleted(let namespace) = event {
        cache.removeNamespace(namespace)
      } else {
        cache.addNamespace(event.object)
      }
    }
    observe(.podDisruptionBudgets, event: nil) { cache, event in
      if case .deleted(let budget) = event {
        cache.removeDisruptionBudget(budget)
      } else {
        cache.addDisruptionBudget(event.object)
      }
    }
    observe(.services, event: nil) { cache, event in
      if case .deleted(let service) = event { cache.removeService(service) } else { cache.addService(event.object) }
    }
    for type in [ResourceType.replicaSets, .statefulSets, .replicationControllers] {
      observe(type, event: nil) { cache, event in
        if case .deleted(let controller) = event {
          cache.removeController(controller, kind: type.kind)
        } else {
          cache.addController(event.object, kind: type.kind)
        }
      }
    }
  }

  private func observe(
    _ type: ResourceType, event clusterEvent: ClusterEvent?,
    _ apply: @escaping @Sendable (inout SchedulerCache, InformerEvent) -> Void
  ) {
    context.informers.informer(type).onEvent { [self] event in
      update { state, now in
        apply(&state.scheduler.cache, event)
        if let clusterEvent { state.queue.moveAllToActiveOrBackoff(event: clusterEvent, now: now) }
      }
    }
  }
}
