import KubeAPI
import Testing

@testable import Controllers

@Suite struct SchedulingQueueTests {
  static func name(_ queued: SchedulingQueue.QueuedPod?) -> String? { queued?.pod.metadata.name }

  @Test func activeQueueOrdersByPriorityThenAge() {
    var queue = SchedulingQueue()
    queue.add(F.pod("old-low", priority: 0), now: .seconds(1))
    queue.add(F.pod("high", priority: 100), now: .seconds(3))
    queue.add(F.pod("new-low", priority: 0), now: .seconds(2))
    queue.add(F.pod("high", priority: 100), now: .seconds(4))
    #expect(queue.counts.active == 3)
    let order = (0..<4).map { _ in Self.name(queue.pop(now: .seconds(5))) }
    #expect(order == ["high", "old-low", "new-low", nil])
    #expect(queue.counts.inFlight == 3)
  }

  @Test func errorsBackOffExponentiallyUpToTenSeconds() {
    var queue = SchedulingQueue()
    queue.add(F.pod("p"), now: .zero)
    var now = Duration.zero
    var waits: [Duration] = []
    for _ in 0..<6 {
      guard let queued = queue.pop(now: now) else {
        Issue.record("pod not available at \(now)")
        return
      }
      queue.addUnschedulable(queued, plugins: [], now: now)
      let due = queue.nextWakeup(now: now)!
      #expect(queue.pop(now: due - .milliseconds(1)) == nil)
      waits.append(due - now)
      now = due
    }
    #expect(waits == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
  }

  @Test func unschedulablePodsWaitForAHelpfulEvent() {
    var queue = SchedulingQueue()
    queue.add(F.pod("big"), now: .zero)
    let queued = queue.pop(now: .zero)!
    queue.addUnschedulable(queued, plugins: ["NodeResourcesFit"], now: .zero)
    #expect(queue.counts.unschedulable == 1)
    queue.moveAllToActiveOrBackoff(event: .namespaceChanged, now: .milliseconds(200))
    #expect(queue.pop(now: .milliseconds(200)) == nil)
    // A node was added while the pod still backs off: it goes to backoffQ first.
    queue.moveAllToActiveOrBackoff(event: .nodeAdded, now: .milliseconds(500))
    #expect(queue.counts.backoff == 1)
    #expect(queue.pop(now: .milliseconds(900)) == nil)
    #expect(Self.name(queue.pop(now: .seconds(1))) == "big")
  }

  @Test func parkedPodsRetryAfterFiveMinutes() {
    var queue = SchedulingQueue()
    queue.add(F.pod("p"), now: .zero)
    queue.addUnschedulable(queue.pop(now: .zero)!, plugins: ["NodeAffinity"], now: .zero)
    #expect(queue.nextWakeup(now: .seconds(1)) == .seconds(300))
    #expect(queue.pop(now: .seconds(299)) == nil)
    #expect(Self.name(queue.pop(now: .seconds(331))) == "p")
  }

  @Test func eventsDuringAnAttemptSendThePodToBackoff() {
    var queue = SchedulingQueue()
    queue.add(F.pod("p"), now: .zero)
    let queued = queue.pop(now: .zero)!
    queue.moveAllToActiveOrBackoff(event: .assignedPodDeleted, now: .milliseconds(10))
    queue.addUnschedulable(queued, plugins: ["NodeResourcesFit"], now: .milliseconds(20))
    #expect(queue.counts.backoff == 1)

    queue.add(F.pod("q"), now: .seconds(2))
    let other = queue.pop(now: .seconds(2))!
    #expect(Self.name(other) == "p")
    let q = queue.pop(now: .seconds(2))!
    queue.moveAllToActiveOrBackoff(event: .assignedPodDeleted, now: .seconds(2))
    queue.addUnschedulable(q, plugins: ["NodeAffinity"], now: .seconds(2))
    #expect(queue.counts.unschedulable == 1)
  }

  @Test func deletedAndBoundPodsLeave() {
    var queue = SchedulingQueue()
    let pod = F.pod("p")
    queue.add(pod, now: .zero)
    let queued = queue.pop(now: .zero)!
    queue.delete(pod)
    queue.addUnschedulable(queued, plugins: [], now: .zero)
    #expect(!queue.contains(pod))
    queue.add(pod, now: .seconds(1))
    _ = queue.pop(now: .seconds(1))
    queue.done(pod)
    #expect(!queue.contains(pod))
    #expect(queue.nextWakeup(now: .seconds(1)) == nil)
  }

  @Test func gatedPodsWaitForTheirGates() {
    var queue = SchedulingQueue()
    var pod = F.pod("gated", extraSpec: ["schedulingGates": [["name": "example.com/quota"]]])
    queue.add(pod, now: .zero)
    #expect(queue.pop(now: .seconds(1)) == nil)
    pod.setValue(nil, atPath: ["spec", "schedulingGates"])
    queue.update(pod, now: .seconds(2))
    #expect(Self.name(queue.pop(now: .seconds(2))) == "gated")
  }

  @Test func specChangesRetryParkedPods() {
    var queue = SchedulingQueue()
    var pod = F.pod("p")
    queue.add(pod, now: .zero)
    queue.addUnschedulable(queue.pop(now: .zero)!, plugins: ["NodeAffinity"], now: .zero)
    var statusOnly = pod
    statusOnly.setValue("something", atPath: ["status", "message"])
    statusOnly.setValue("201", atPath: ["metadata", "resourceVersion"])
    queue.update(statusOnly, now: .seconds(5))
    #expect(queue.counts.unschedulable == 1)
    pod.setValue(["disk": "hdd"], atPath: ["spec", "nodeSelector"])
    queue.update(pod, now: .seconds(5))
    let retried = queue.pop(now: .seconds(5))
    #expect(retried?.pod["spec"]?["nodeSelector"]?["disk"] == "hdd")
    #expect(retried?.attempts == 2)
  }
}
