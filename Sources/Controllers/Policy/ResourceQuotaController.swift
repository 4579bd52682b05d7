import KubeAPI
import KubeClient

/// Writes each ResourceQuota's `status.hard` and `status.used` (what `kubectl describe quota`
/// shows), recounted when objects in its namespace change and every 5 minutes; a quota with
/// scopes counts only the pods in them.
public struct ResourceQuotaController: Controller {
  public let name = "resourcequota"
  let context: ControllerContext
  let queue = WorkQueue()

  /// The kinds counted from the informer caches; other `count/<resource>.<group>` entries are
  /// counted with a list call.
  static let watched: [ResourceType] = [
    .pods, .services, .configMaps, .secrets, .persistentVolumeClaims, .replicationControllers, .resourceQuotas,
  ]

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    context.informers.informer(.resourceQuotas).onEvent { [queue] event in queue.add(ObjectCache.key(event.object)) }
    for type in Self.watched where type != .resourceQuotas {
      context.informers.informer(type).onEvent { [queue, context] event in
        for quota in context.informers.cache(.resourceQuotas).list(namespace: event.object.metadata.namespace ?? "") {
          queue.add(ObjectCache.key(quota))
        }
      }
    }
    await context.informers.waitForSync()
    await withDiscardingTaskGroup { group in
      group.addTask {
        while !Task.isCancelled {
          try? await Task.sleep(for: .seconds(300))
          for quota in context.informers.cache(.resourceQuotas).list() { queue.add(ObjectCache.key(quota)) }
        }
      }
      group.addTask { await queue.run(workers: context.settings.workers) { key in try await sync(key) } }
    }
  }

  func sync(_ key: String) async throws {
    guard let quota = context.informers.cache(.resourceQuotas).get(key) else { return }
    let namespace = quota.metadata.namespace ?? ""
    let hard = quota["spec"]?["hard"]?.objectValue ?? [:]
    var used: [String: Quantity] = Dictionary(uniqueKeysWithValues: hard.keys.map { ($0, Quantity.zero) })
    var counted = Set<String>()
    let scopes = QuotaScopes(quota: quota)
    for type in Self.watched {
      for object in context.informers.cache(type).list(namespace: namespace)
      where scopes.tracks(object, plural: type.resource, group: type.group) {
        for (resource, amount) in QuotaUsage.of(object, plural: type.resource, group: type.group)
        where used[resource] != nil {
          used[resource, default: .zero] += amount
        }
      }
      counted.insert("count/\(type.resource)")
    }
    for resource in hard.keys
    where resource.hasPrefix("count/") && !counted.contains(resource) && !scopes.isScoped {
      let qualified = resource.dropFirst("count/".count)
      let parts = qualified.split(separator: ".", maxSplits: 1).map(String.init)
      guard
        let discovered = try? await context.client.discoverResources().first(where: {
          $0.type.resource == parts[0] && $0.type.group == (parts.count > 1 ? parts[1] : "")
        })
      else { continue }
      let items = try await context.client.list(discovered.type, namespace: namespace).items
      used[resource] = Quantity(Int64(items.count))
    }
    var updated = quota
    updated["status"] = [
      "hard": .object(hard),
      "used": .object(used.mapValues { .string($0.description) }),
    ]
    guard updated["status"] != quota["status"] else { return }
    do {
      try await context.client.update(.resourceQuotas, updated, subresource: "status")
    } catch  where error.isNotFound {}
  }
}
