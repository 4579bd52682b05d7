import KubeAPI
import Logging
import SkiffCore

/// Leader election on a coordination.k8s.io Lease, as client-go's leaderelection package does it:
/// several servers race for the lease, one holds and renews it, and a standby takes over once
/// the holder has not renewed for the lease duration. Expiry is judged by when this process
/// last saw the record change, never by comparing clocks across machines.
public struct LeaderElector: Sendable {
  public var namespace = "kube-system"
  public var name: String
  public var identity: String
  public var leaseDuration: Duration = .seconds(15)
  public var renewDeadline: Duration = .seconds(10)
  public var retryPeriod: Duration = .seconds(2)
  let client: KubeClient
  let clock: any WallClock
  let logger: Logger

  public init(
    client: KubeClient, name: String, identity: String, clock: any WallClock = SystemClock(),
    logger: Logger = Logger(label: "leader-election")
  ) {
    self.client = client
    self.name = name
    self.identity = identity
    self.clock = clock
    self.logger = logger
  }

  /// Campaigns until cancelled; while this process leads, `lead` runs, and it is cancelled when
  /// the lease cannot be renewed within the renew deadline. On cancellation the lease is
  /// released so a standby need not wait for it to expire.
  public func run(lead: @escaping @Sendable () async -> Void) async {
    var observation = Observation()
    while !Task.isCancelled {
      guard await tryAcquireOrRenew(&observation) else {
        try? await Task.sleep(for: retryPeriod)
        continue
      }
      logger.info("became leader", metadata: ["lease": "\(namespace)/\(name)", "identity": "\(identity)"])
      let held = observation
      let lost = await withTaskGroup(of: Bool.self) { group in
        group.addTask {
          await lead()
          return false
        }
        group.addTask {
          var observation = held
          var lastRenew = ContinuousClock.now
          while !Task.isCancelled {
            try? await Task.sleep(for: retryPeriod)
            if Task.isCancelled { break }
            if await tryAcquireOrRenew(&observation) {
              lastRenew = .now
            } else if ContinuousClock.now - lastRenew > renewDeadline {
              return true
            }
          }
          return false
        }
        let lost = await group.next() ?? false
        group.cancelAll()
        return lost
      }
      if lost {
        logger.warning("lost leadership", metadata: ["lease": "\(namespace)/\(name)"])
        observation = Observation()
      } else {
        await release()
        return
      }
    }
  }

  /// What this candidate last saw of the lease, and when (monotonic).
  struct Observation: Sendable {
    var record: JSONValue?
    var observedAt = ContinuousClock.now
  }

  /// One round of client-go's tryAcquireOrRenew.
  func tryAcquireOrRenew(_ observation: inout Observation) async -> Bool {
    let now = KubeTime(clock: clock).rfc3339Micro
    let seconds = Int64(leaseDuration.components.seconds)
    let lease: JSONValue
    do {
      lease = try await client.get(.leases, namespace: namespace, name: name)
    } catch  where error.isNotFound {
      let fresh: JSONValue = .object([
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": .object(["name": .string(name), "namespace": .string(namespace)]),
        "spec": .object([
          "holderIdentity": .string(identity), "leaseDurationSeconds": .int(seconds),
          "acquireTime": .string(now), "renewTime": .string(now), "leaseTransitions": 0,
        ]),
      ])
      let created: JSONValue
      do {
        created = try await client.create(.leases, namespace: namespace, fresh)
      } catch {
        logger.debug("lease not created", metadata: ["lease": "\(namespace)/\(name)", "error": "\(error)"])
        return false
      }
      observation = Observation(record: created["spec"])
      return true
    } catch {
      logger.debug("lease not read", metadata: ["lease": "\(namespace)/\(name)", "error": "\(error)"])
      return false
    }
    let spec = lease["spec"] ?? .object([:])
    if spec != observation.record {
      observation = Observation(record: spec)
    }
    let holder = spec["holderIdentity"]?.stringValue ?? ""
    let duration = Duration.seconds(spec["leaseDurationSeconds"]?.intValue ?? seconds)
    if !holder.isEmpty, holder != identity, ContinuousClock.now - observation.observedAt < duration {
      return false
    }
    var updated = lease
    var newSpec = spec
    if holder != identity {
      newSpec["acquireTime"] = .string(now)
      newSpec["leaseTransitions"] = .int((spec["leaseTransitions"]?.intValue ?? 0) + (holder.isEmpty ? 0 : 1))
    }
    newSpec["holderIdentity"] = .string(identity)
    newSpec["leaseDurationSeconds"] = .int(seconds)
    newSpec["renewTime"] = .string(now)
    updated["spec"] = newSpec
    guard let stored = try? await client.update(.leases, updated) else { return false }
    observation = Observation(record: stored["spec"])
    return true
  }

  /// Gives the lease up: empty holder, one-second duration (client-go's ReleaseOnCancel).
  func release() async {
    guard var lease = try? await client.get(.leases, namespace: namespace, name: name),
      lease["spec"]?["holderIdentity"]?.stringValue == identity
    else { return }
    lease["spec"]?["holderIdentity"] = .string("")
    lease["spec"]?["leaseDurationSeconds"] = 1
    _ = try? await client.update(.leases, lease)
    logger.info("released leadership", metadata: ["lease": "\(namespace)/\(name)"])
  }
}
