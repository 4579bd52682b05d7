import Foundation
import Glibc
import SkiffTestSupport
import Testing

/// End to end on one node: a real `skiff server` with its embedded agent runs pods on the real
/// kernel; every check goes through the real kubectl.
@Suite(.enabled(if: AgentCluster.canRun, "\(AgentCluster.skipReason ?? "")"), .serialized)
struct PodLifecycleTests {
  @Test func deploymentBecomesRunningAndReady() async throws {
    let cluster = try await AgentCluster()
    defer { cluster.stop() }
    try await cluster.kubectl(
      "apply", "-f", "-",
      input: """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: busybox:test
                command: ["sh", "-c", "echo started; exec sleep 3600"]
                readinessProbe:
                  exec: {command: ["true"]}
                  periodSeconds: 1
        """)
    try await cluster.eventually("deployment available") {
      await cluster.jsonpath("deployment/web", "{.status.readyReplicas}") == "2"
    }
    let pod = await cluster.jsonpath("pods", "{.items[0].metadata.name}")
    #expect(await cluster.jsonpath("pod/\(pod)", "{.status.phase}") == "Running")
    #expect(await cluster.jsonpath("pod/\(pod)", "{.status.conditions[?(@.type==\"Ready\")].status}") == "True")
    #expect(await cluster.jsonpath("pod/\(pod)", "{.status.containerStatuses[0].containerID}").hasPrefix("skiff://"))
    #expect(await cluster.jsonpath("pod/\(pod)", "{.status.hostIP}") == "127.0.0.1")
    let events = try await cluster.kubectl("get", "events", "--field-selector", "involvedObject.name=\(pod)")
    for reason in ["Pulled", "Created", "Started"] { #expect(events.contains(reason)) }
  }

  @Test func initContainersRunInOrderAndEnvironmentResolves() async throws {
    let cluster = try await AgentCluster()
    defer { cluster.stop() }
    try await cluster.kubectl("create", "configmap", "settings", "--from-literal=greeting=hello")
    try await cluster.kubectl(
      "apply", "-f", "-",
      input: """
        apiVersion: v1
        kind: Pod
        metadata: {name: ordered, labels: {tier: test}}
        spec:
          restartPolicy: Never
          volumes: [{name: work, emptyDir: {}}]
          initContainers:
          - {name: first, image: busybox:test, command: ["sh", "-c", "echo first >> /work/order"], volumeMounts: [{name: work, mountPath: /work}]}
          - {name: second, image: busybox:test, command: ["sh", "-c", "echo second >> /work/order"], volumeMounts: [{name: work, mountPath: /work}]}
          containers:
          - name: main
            image: busybox:test
            command: ["sh", "-c", "cat /work/order; echo $GREETING $POD_NAME $(MY_TIER) $MEM_MB; cat /etc/hostname"]
            env:
            - {name: GREETING, valueFrom: {configMapKeyRef: {name: settings, key: greeting}}}
            - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
            - {name: MY_TIER, valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}}
            - {name: MEM_MB, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
            resources: {limits: {memory: 64Mi}}
            volumeMounts: [{name: work, mountPath: /work}]
        """)
    try await cluster.eventually("pod succeeded") {
      await cluster.jsonpath("pod/ordered", "{.status.phase}") == "Succeeded"
    }
    let output = try await cluster.kubectl("logs", "ordered")
    #expect(output == "first\nsecond\nhello ordered test 64\nordered")
    #expect(
      await cluster.jsonpath("pod/ordered", "{.status.initContainerStatuses[*].state.terminated.reason}")
        == "Completed Completed")
    #expect(await cluster.jsonpath("pod/ordered", "{.status.conditions[?(@.type==\"Initialized\")].status}") == "True")
  }

  @Test func jobWithNativeSidecarCompletes() async throws {
    let cluster = try await AgentCluster()
    defer { cluster.stop() }
    try await cluster.kubectl(
      "apply", "-f", "-",
      input: """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: with-sidecar}
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              initContainers:
              - {name: logger, image: busybox:test, restartPolicy: Always, command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]}
              containers:
              - {name: work, image: busybox:test, command: ["sh", "-c", "echo done"]}
        """)
    try await cluster.eventually("job complete", timeout: .seconds(90)) {
      await cluster.jsonpath("job/with-sidecar", "{.status.succeeded}") == "1"
    }
  }

  @Test func failingLivenessProbeRestartsTheContainer() async throws {
    let cluster = try await AgentCluster()
    defer { cluster.stop() }
    try await cluster.kubectl(
      "apply", "-f", "-",
      input: """
        apiVersion: v1
        kind: Pod
        metadata: {name: unhealthy}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: app
            image: busybox:test
            command: ["sh", "-c", "touch /tmp/healthy; sleep 2; rm /tmp/healthy; sleep 3600"]
            livenessProbe:
              exec: {command: ["cat", "/tmp/healthy"]}
              periodSeconds: 1
              failureThreshold: 2
        """)
    try await cluster.eventually("restart", timeout: .seconds(60)) {
      Int(await cluster.jsonpath("pod/unhealthy", "{.status.containerStatuses[0].restartCount}")) ?? 0 >= 1
    }
    let events = try await cluster.kubectl("get", "events", "--field-selector", "involvedObject.name=unhealthy")
    #expect(events.contains("Unhealthy"))
    #expect(events.contains("failed liveness probe, will be restarted"))
  }

  @Test func outOfMemoryShowsOOMKilled() async throws {
    let cluster = try await AgentCluster()
    defer { cluster.stop() }
    try await cluster.kubectl(
      "apply", "-f", "-",
      input: """
        apiVersion: v1
        kind: Pod
        metadata: {name: hungry}
        spec:
          restartPolicy: Never
          containers:
          - name: app
            image: busybox:test
            command: ["sh", "-c", "x=a; while true; do x=$x$x; done"]
            resources: {limits: {memory: 16Mi}}
        """)
    try await cluster.eventually("OOMKilled", timeout: .seconds(60)) {
      await cluster.jsonpath("pod/hungry", "{.status.containerStatuses[0].state.terminated.reason}") == "OOMKilled"
    }
    #expect(await cluster.jsonpath("pod/hungry", "{.status.phase}") == "Failed")
  }

  @Test func configMapVolumeUpdatesInPlace() async throws {
    let cluster = try await AgentCluster()
    defer { cluster.stop() }
    try await cluster.kubectl("create", "configmap", "live", "--from-literal=value=one")
    try await cluster.kubectl(
      "apply", "-f", "-",
      input: """
        apiVersion: v1
        kind: Pod
        metadata: {name: reader}
        spec:
          volumes: [{name: config, configMap: {name: live}}]
          containers:
          - name: app
            image: busybox:test
            command: ["sh", "-c", "while true; do cat /config/value; echo; sleep 1; done"]
            volumeMounts: [{name: config, mountPath: /config}]
        """)
    try await cluster.eventually("first value") {
      (try? await cluster.kubectl("logs", "reader"))?.contains("one") == true
    }
    try await cluster.kubectl("patch", "configmap", "live", "-p", #"{"data":{"value":"two"}}"#)
    try await cluster.eventually("updated value", timeout: .seconds(60)) {
      (try? await cluster.kubectl("logs", "reader", "--tail", "1")) == "two"
    }
  }

  @Test func deleteRunsPreStopThenHonoursTheGracePeriod() async throws {
    let cluster = try await AgentCluster()
    defer { cluster.stop() }
    try await cluster.kubectl(
      "apply", "-f", "-",
      input: """
        apiVersion: v1
        kind: Pod
        metadata: {name: graceful}
        spec:
          terminationGracePeriodSeconds: 3
          volumes: [{name: out, hostPath: {path: \(cluster.dataDir)/prestop, type: DirectoryOrCreate}}]
          containers:
          - name: app
            image: busybox:test
            command: ["sh", "-c", "trap 'echo term >> /out/trace' TERM; while true; do sleep 0.2; done"]
            volumeMounts: [{name: out, mountPath: /out}]
            lifecycle:
              preStop:
                exec: {command: ["sh", "-c", "echo prestop >> /out/trace"]}
        """)
    try await cluster.eventually("running") { await cluster.jsonpath("pod/graceful", "{.status.phase}") == "Running" }
    // The shell logs TERM and keeps running, so only SIGKILL at the end of the grace period ends it.
    try await cluster.kubectl("delete", "pod", "graceful", "--wait=true", "--timeout=60s")
    let trace = (try? String(contentsOfFile: cluster.dataDir + "/prestop/trace", encoding: .utf8)) ?? ""
    #expect(trace == "prestop\nterm\n")
    #expect((try? await cluster.kubectl("get", "pod", "graceful")) == nil)
  }

  /// The upgrade path: the binary replaced under the running cluster, then restarted; data and
  /// running containers stay (the shim of the old binary keeps its container).
  @Test func upgradeLeavesDataAndRunningPodsUntouched() async throws {
    let cluster = try await AgentCluster(ownBinary: true)
    defer { cluster.stop() }
    try await cluster.kubectl("create", "configmap", "kept", "--from-literal=k=v")
    try await cluster.kubectl(
      "run", "steady", "--image=busybox:test", "--restart=Always", "--command", "--", "sh", "-c", "exec sleep 3600")
    try await cluster.eventually("running") {
      await cluster.jsonpath("pod/steady", "{.status.containerStatuses[0].ready}") == "true"
    }
    let before = await cluster.jsonpath("pod/steady", "{.status.containerStatuses[0].containerID}")
    let startedAt = await cluster.jsonpath("pod/steady", "{.status.containerStatuses[0].state.running.startedAt}")
    try await cluster.upgrade()
    // Let the new agent adopt the pod and report it.
    try await cluster.eventually("node heartbeat after restart") {
      await cluster.jsonpath("pod/steady", "{.status.conditions[?(@.type==\"Ready\")].status}") == "True"
    }
    try await Task.sleep(for: .seconds(3))
    #expect(await cluster.jsonpath("pod/steady", "{.status.containerStatuses[0].containerID}") == before)
    #expect(await cluster.jsonpath("pod/steady", "{.status.containerStatuses[0].restartCount}") == "0")
    #expect(await cluster.jsonpath("pod/steady", "{.status.containerStatuses[0].state.running.startedAt}") == startedAt)
    #expect(await cluster.jsonpath("configmap/kept", "{.data.k}") == "v")
  }

  @Test func staticPodsRunFromManifestsWithMirrorPods() async throws {
    let cluster = try await AgentCluster()
    defer { cluster.stop() }
    let manifest = cluster.dataDir + "/agent/pod-manifests/static-web.yaml"
    try """
    apiVersion: v1
    kind: Pod
    metadata: {name: static-web, namespace: kube-system}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - {name: web, image: busybox:test, command: ["sleep", "3600"]}
    """.write(toFile: manifest, atomically: true, encoding: .utf8)
    let name = "static-web-\(cluster.nodeName)"
    try await cluster.eventually("mirror pod running") {
      await cluster.jsonpath("pod/\(name)", "{.status.phase}", namespace: "kube-system") == "Running"
    }
    #expect(
      await cluster.jsonpath(
        "pod/\(name)", "{.metadata.annotations.kubernetes\\.io/config\\.mirror}", namespace: "kube-system"
      )
      .count == 32)
    try FileManager.default.removeItem(atPath: manifest)
    try await cluster.eventually("mirror pod gone") {
      (try? await cluster.kubectl("-n", "kube-system", "get", "pod", name)) == nil
    }
  }

  @Test func logsExecAndPortForwardReachTheAgent() async throws {
    let cluster = try await AgentCluster()
    defer { cluster.stop() }
    try await cluster.kubectl(
      "apply", "-f", "-",
      input: """
        apiVersion: v1
        kind: Pod
        metadata: {name: served}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: web
            image: busybox:test
            command: ["sh", "-c", "mkdir -p /www; echo hello-from-pod > /www/index.html; echo serving; exec httpd -f -p 8080 -h /www"]
        """)
    try await cluster.eventually("running") { await cluster.jsonpath("pod/served", "{.status.phase}") == "Running" }
    try await cluster.eventually("logs") { (try? await cluster.kubectl("logs", "served")) == "serving" }
    #expect(try await cluster.kubectl("exec", "served", "--", "cat", "/www/index.html") == "hello-from-pod")
    await #expect(throws: (any Error).self) { try await cluster.kubectl("exec", "served", "--", "sh", "-c", "exit 3") }

    let forward = Process()
    forward.executableURL = URL(fileURLWithPath: SkiffServerProcess.kubectlPath ?? "/usr/bin/kubectl")
    forward.arguments = ["--kubeconfig", cluster.server.kubeconfig, "port-forward", "pod/served", ":8080"]
    let pipe = Pipe()
    forward.standardOutput = pipe
    try forward.run()
    defer {
      kill(forward.processIdentifier, SIGTERM)
      forward.waitUntilExit()
    }
    // "Forwarding from 127.0.0.1:PORT -> 8080"
    let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
    let port = try #require(
      line.split(separator: "\n").first?.split(separator: ":").last?.split(separator: " ").first.flatMap { Int($0) },
      "port-forward printed: \(line)")
    let page = try SkiffServerProcess.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/index.html"])
    #expect(page.trimmingCharacters(in: .whitespacesAndNewlines) == "hello-from-pod")
  }

  @Test func crashingContainerBacksOff() async throws {
    let cluster = try await AgentCluster()
    defer { cluster.stop() }
    try await cluster.kubectl(
      "run", "crasher", "--image=busybox:test", "--restart=Always", "--command", "--", "sh", "-c", "echo bye; exit 1")
    try await cluster.eventually("CrashLoopBackOff", timeout: .seconds(60)) {
      await cluster.jsonpath("pod/crasher", "{.status.containerStatuses[0].state.waiting.reason}") == "CrashLoopBackOff"
    }
    #expect(Int(await cluster.jsonpath("pod/crasher", "{.status.containerStatuses[0].restartCount}")) ?? 0 >= 1)
    #expect(
      await cluster.jsonpath("pod/crasher", "{.status.containerStatuses[0].lastState.terminated.exitCode}") == "1")
    #expect(
      await cluster.jsonpath("pod/crasher", "{.status.containerStatuses[0].state.waiting.message}").hasPrefix(
        "back-off 10s"))
    #expect(try await cluster.kubectl("logs", "crasher", "--previous") == "bye")
    let events = try await cluster.kubectl("get", "events", "--field-selector", "involvedObject.name=crasher")
    #expect(events.contains("BackOff"))
  }
}
