import Controllers
import Foundation
import KubeAPI
import KubeClient
import SkiffTestSupport
import Testing

@Suite struct JobKubectlTests {
  @Test(.enabled(if: SkiffServerProcess.kubectlPath != nil, "needs kubectl"))
  func kubectlCreatesAndWaitsForJobsAndCronJobs() async throws {
    let cluster = try await TestCluster.start { [JobController(context: $0), CronJobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let created = try await cluster.kubectl("create", "job", "hello", "--image=busybox", "--", "echo", "hi")
    #expect(created.contains("job.batch/hello created"))
    let pods = try await cluster.waitForActivePods("hello", 1)
    try await cluster.markFinished(pods[0])
    let waited = try await cluster.kubectl("wait", "--for=condition=complete", "job/hello", "--timeout=30s")
    #expect(waited.contains("job.batch/hello condition met"))
    let table = try await cluster.kubectl("get", "job", "hello")
    #expect(table.contains("Complete") && table.contains("1/1"))

    let cron = try await cluster.kubectl(
      "create", "cronjob", "nightly", "--image=busybox", "--schedule=0 3 * * *", "--", "echo", "hi")
    #expect(cron.contains("cronjob.batch/nightly created"))
    let manual = try await cluster.kubectl("create", "job", "manual-run", "--from=cronjob/nightly")
    #expect(manual.contains("job.batch/manual-run created"))
    let job = try await cluster.job("manual-run")
    #expect(job.metadata.controllerReference?.kind == "CronJob")
    #expect(job.metadata.controllerReference?.name == "nightly")
    #expect(job.metadata.annotations?["cronjob.kubernetes.io/instantiate"] == "manual")
    // The Job controller runs it like any other Job.
    let manualPods = try await cluster.waitForActivePods("manual-run", 1)
    #expect(manualPods[0].metadata.labels?["job-name"] == "manual-run")
  }
}
