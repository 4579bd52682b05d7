import Synchronization
import Testing

@testable import KubeClient

@Suite struct WorkQueueTests {
  @Test func keysQueuedTwiceWhileWaitingAreProcessedOnce() async {
    let queue = WorkQueue()
    queue.add("a")
    queue.add("b")
    queue.add("a")
    #expect(queue.count == 2)
    #expect(await queue.next() == "a")
    #expect(await queue.next() == "b")
    queue.done("a")
    queue.done("b")
    #expect(queue.count == 0)
  }

  @Test func keyChangedDuringProcessingIsQueuedAgainAfterDone() async {
    let queue = WorkQueue()
    queue.add("a")
    let key = await queue.next()
    queue.add("a")
    #expect(queue.count == 0, "never handed to a second worker while the first holds it")
    queue.done(key!)
    #expect(queue.count == 1)
    #expect(await queue.next() == "a")
  }

  @Test func backoffDoublesFromFiveMillisecondsUpToTheCap() {
    let queue = WorkQueue(baseDelay: .milliseconds(5), maxDelay: .seconds(1))
    #expect(queue.backoff(failures: 1) == .milliseconds(5))
    #expect(queue.backoff(failures: 2) == .milliseconds(10))
    #expect(queue.backoff(failures: 5) == .milliseconds(80))
    #expect(queue.backoff(failures: 30) == .seconds(1))
  }

  @Test func failedKeysRetryUntilTheySucceed() async {
    let queue = WorkQueue(baseDelay: .milliseconds(1))
    let attempts = Mutex(0)
    queue.add("flaky")
    let worker = Task {
      await queue.run(workers: 2) { _ in
        let attempt = attempts.withLock { count in
          count += 1
          return count
        }
        if attempt < 3 { throw CancellationError() }
        queue.shutDown()
      }
    }
    await worker.value
    #expect(attempts.withLock { $0 } == 3)
  }

  @Test func shutDownReleasesWaitingWorkers() async {
    let queue = WorkQueue()
    let waiter = Task { await queue.next() }
    try? await Task.sleep(for: .milliseconds(20))
    queue.shutDown()
    #expect(await waiter.value == nil)
  }
}

@Suite struct LineSplitterTests {
  @Test func splitsWatchEventsAcrossChunkBoundaries() throws {
    var splitter = LineSplitter()
    #expect(splitter.append(Array("{\"type\":\"ADD".utf8)).isEmpty)
    let lines = splitter.append(Array("ED\",\"object\":{}}\n{\"type\":\"DELETED\",\"object\":{}}\n{".utf8))
    #expect(lines.count == 2)
    #expect(try KubeClient.watchEvent(lines[0]).type == .added)
    #expect(try KubeClient.watchEvent(lines[1]).type == .deleted)
  }

  @Test func requestURIsArePercentEncoded() {
    let request = KubeRequest(method: "GET", path: "/api/v1/pods", query: [("labelSelector", "app in (a,b)")])
    #expect(request.uri == "/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29")
  }
}
