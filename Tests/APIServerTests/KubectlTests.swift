import Foundation
import SkiffTestSupport
import Testing

/// End to end with the real kubectl against a real `skiff server`.
@Suite(.serialized, .enabled(if: SkiffServerProcess.kubectlPath != nil, "kubectl is not installed"))
struct KubectlTests {
  static let manifests = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels: {app: web}
    spec:
      replicas: 2
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: nginx
            image: nginx:1.25
            ports:
            - containerPort: 80
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      selector: {app: web}
      ports:
      - port: 80
        targetPort: 8080
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      labels: {app: web}
    data:
      mode: fast
    ---
    apiVersion: v1
    kind: Secret
    metadata:
      name: creds
    stringData:
      password: hunter2
    ---
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.example.com
    spec:
      group: example.com
      scope: Namespaced
      names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
      versions:
      - name: v1
        served: true
        storage: true
        subresources: {status: {}}
        additionalPrinterColumns:
        - {name: Size, type: integer, jsonPath: .spec.size}
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec:
                type: object
                properties:
                  size: {type: integer}
    """

  @Test func applyGetPatchAndDelete() async throws {
    let server = try SkiffServerProcess(arguments: ["--etcd-listen", ""])
    defer { server.stop() }
    try await server.waitReady(etcd: false)
    let applied = try server.kubectl("apply", "-f", "-", input: Self.manifests)
    #expect(applied.contains("deployment.apps/web created"))
    #expect(applied.contains("customresourcedefinition.apiextensions.k8s.io/widgets.example.com created"))
    // Re-applying the same documents changes nothing.
    #expect(try server.kubectl("apply", "-f", "-", input: Self.manifests).contains("unchanged"))

    let wide = try server.kubectl("get", "deployments", "-o", "wide")
    #expect(
      wide.contains("READY") && wide.contains("UP-TO-DATE") && wide.contains("nginx:1.25") && wide.contains("app=web"))
    let services = try server.kubectl("get", "services")
    #expect(services.contains("CLUSTER-IP") && services.contains("10.43.0.1"))
    #expect(try server.kubectl("get", "configmap", "settings", "-o", "jsonpath={.data.mode}") == "fast")
    #expect(try server.kubectl("get", "secret", "creds", "-o", "jsonpath={.data.password}") == "aHVudGVyMg==")
    #expect(try server.kubectl("get", "cm", "-l", "app=web", "-o", "name") == "configmap/settings\n")
    #expect(
      try server.kubectl("get", "cm", "--field-selector", "metadata.name=settings", "-o", "name")
        == "configmap/settings\n")
    let yaml = try server.kubectl("get", "deployment", "web", "-o", "yaml")
    #expect(yaml.contains("generation: 1") && yaml.contains("resourceVersion:") && yaml.contains("uid:"))

    try server.kubectl("label", "configmap", "settings", "tier=front")
    try server.kubectl("annotate", "configmap", "settings", "owner=ops")
    try server.kubectl("scale", "deployment", "web", "--replicas=4")
    #expect(
      try server.kubectl("get", "deployment", "web", "-o", "jsonpath={.spec.replicas}/{.metadata.generation}") == "4/2")
    try server.kubectl(
      "patch", "configmap", "settings", "--type=json", "-p", #"[{"op":"add","path":"/data/a","value":"1"}]"#)
    try server.kubectl("patch", "configmap", "settings", "--type=merge", "-p", #"{"data":{"b":"2"}}"#)
    try server.kubectl("patch", "configmap", "settings", "-p", #"{"data":{"c":"3"}}"#)
    #expect(
      try server.kubectl(
        "get", "configmap", "settings", "-o", "jsonpath={.data.a}{.data.b}{.data.c}{.metadata.labels.tier}")
        == "123front")

    // The CRD's resource is served as soon as it is established.
    var widgets = ""
    for _ in 0..<50 {
      if let created = try? server.kubectl(
        "apply", "-f", "-",
        input: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n")
      {
        widgets = created
        break
      }
      try await Task.sleep(for: .milliseconds(200))
    }
    #expect(widgets.contains("widget.example.com/w1 created"))
    let table = try server.kubectl("get", "wd")
    #expect(table.contains("SIZE") && table.contains("w1") && table.contains("3"))

    let resources = try server.kubectl("api-resources")
    #expect(
      resources.contains("deployments") && resources.contains("widgets")
        && resources.contains("customresourcedefinitions"))

    for policy in ["background", "foreground", "orphan"] {
      try server.kubectl(
        "create", "configmap", "gone-\(policy)", "--from-literal=x=1", "--dry-run=client", "-o", "yaml"
      )
      .write(toFile: "\(server.dataDir)/cm-\(policy).yaml", atomically: true, encoding: .utf8)
      try server.kubectl("apply", "-f", "\(server.dataDir)/cm-\(policy).yaml")
      try server.kubectl("delete", "configmap", "gone-\(policy)", "--cascade=\(policy)", "--wait=false")
    }
    try server.kubectl("delete", "widget", "w1")
    try server.kubectl("delete", "configmap", "settings")
    let remaining = try server.kubectl("get", "configmaps", "-o", "name")
    #expect(!remaining.contains("settings") && !remaining.contains("gone-background"))
  }

  @Test func bestPracticeWarningsArePrintedAndCanBeTurnedOff() async throws {
    let server = try SkiffServerProcess(arguments: ["--etcd-listen", "", "--disable-warnings", "cpu-limit"])
    defer { server.stop() }
    try await server.waitReady(etcd: false)
    let pod = """
      apiVersion: v1
      kind: Pod
      metadata: {name: p}
      spec:
        containers:
        - {name: p, image: nginx, resources: {limits: {cpu: "1", memory: 1Gi}}}
      """
    let output = try SkiffServerProcess.run(
      SkiffServerProcess.kubectlPath!, ["--kubeconfig", server.kubeconfig, "apply", "-f", "-"],
      input: pod, includeErrors: true)
    #expect(output.contains("Warning: container \"p\" uses image \"nginx\" by a mutable tag"))
    #expect(output.contains("Warning: pods run as the default ServiceAccount"))
    #expect(!output.contains("CPU limit"))
    #expect(output.contains("pod/p created"))
  }

  @Test func serverSideApplyStrictValidationAndExplain() async throws {
    let server = try SkiffServerProcess(arguments: ["--etcd-listen", ""])
    defer { server.stop() }
    try await server.waitReady(etcd: false)
    let config = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {a: '1', b: '2'}\n"
    #expect(try server.kubectl("apply", "--server-side", "-f", "-", input: config).contains("serverside-applied"))
    // Re-applying without b removes the field this manager owned.
    try server.kubectl(
      "apply", "--server-side", "-f", "-", input: config.replacingOccurrences(of: ", b: '2'", with: ""))
    #expect(try server.kubectl("get", "cm", "ssa", "-o", "jsonpath={.data}") == #"{"a":"1"}"#)
    try server.kubectl("patch", "cm", "ssa", "--type=merge", "-p", #"{"data":{"a":"9"}}"#, "--field-manager=other")
    let conflict = #expect(throws: SkiffServerProcess.Failure.self) {
      try server.kubectl("apply", "--server-side", "-f", "-", input: config)
    }
    #expect(conflict?.output.contains(#"conflict with "other""#) == true)
    try server.kubectl("apply", "--server-side", "--force-conflicts", "-f", "-", input: config)
    #expect(try server.kubectl("get", "cm", "ssa", "-o", "jsonpath={.data.a}") == "1")

    // Client-side apply of a strategic merge: change one container field, keep the others.
    let deployment = Self.manifests.components(separatedBy: "---")[0]
    try server.kubectl("apply", "-f", "-", input: deployment)
    try server.kubectl("apply", "-f", "-", input: deployment.replacingOccurrences(of: "nginx:1.25", with: "nginx:1.26"))
    #expect(
      try server.kubectl(
        "get", "deployment", "web", "-o",
        "jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}")
        == "nginx:1.26 80")

    let unknown = #expect(throws: SkiffServerProcess.Failure.self) {
      try server.kubectl(
        "apply", "--validate=strict", "-f", "-",
        input: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: typo}\ndatta: {a: b}\n")
    }
    #expect(unknown?.output.contains(#"unknown field "datta""#) == true)
    #expect((try? server.kubectl("get", "cm", "typo")) == nil)
    let explained = try server.kubectl("explain", "deployment.spec.replicas")
    #expect(explained.contains("KIND:       Deployment") && explained.contains("replicas <integer>"))
  }

  @Test func typedClientsSpeakProtobuf() async throws {
    let server = try SkiffServerProcess(arguments: ["--etcd-listen", ""])
    defer { server.stop() }
    try await server.waitReady(etcd: false)
    // These kubectl commands send their bodies as application/vnd.kubernetes.protobuf.
    #expect(try server.kubectl("create", "deployment", "web", "--image=nginx:1.25", "--replicas=2").contains("created"))
    try server.kubectl("create", "configmap", "c", "--from-literal=a=b")
    try server.kubectl("create", "secret", "generic", "s", "--from-literal=p=q")
    try server.kubectl("create", "namespace", "team")
    #expect(try server.kubectl("get", "deployment", "web", "-o", "jsonpath={.spec.replicas}") == "2")
    #expect(try server.kubectl("get", "secret", "s", "-o", "jsonpath={.data.p}") == "cQ==")
    #expect(try server.kubectl("auth", "can-i", "create", "pods") == "yes\n")
    #expect(try server.kubectl("auth", "whoami").contains("system:admin"))
  }

  @Test func autoscalingV1AndV2ShareOneObject() async throws {
    let server = try SkiffServerProcess(arguments: ["--etcd-listen", ""])
    defer { server.stop() }
    try await server.waitReady(etcd: false)
    let hpa = """
      apiVersion: autoscaling/v1
      kind: HorizontalPodAutoscaler
      metadata: {name: web}
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
        maxReplicas: 5
        targetCPUUtilizationPercentage: 60
      """
    try server.kubectl("apply", "-f", "-", input: hpa)
    #expect(
      try server.kubectl(
        "get", "horizontalpodautoscalers.v2.autoscaling", "web", "-o",
        "jsonpath={.spec.metrics[0].resource.name} {.spec.metrics[0].resource.target.averageUtilization}") == "cpu 60")
    #expect(
      try server.kubectl(
        "get", "horizontalpodautoscalers.v1.autoscaling", "web", "-o",
        "jsonpath={.apiVersion} {.spec.targetCPUUtilizationPercentage}") == "autoscaling/v1 60")
  }

  @Test func watchReportsEveryChange() async throws {
    let server = try SkiffServerProcess(arguments: ["--etcd-listen", ""])
    defer { server.stop() }
    try await server.waitReady(etcd: false)
    let watch = Process()
    watch.executableURL = URL(fileURLWithPath: SkiffServerProcess.kubectlPath!)
    watch.arguments = [
      "--kubeconfig", server.kubeconfig, "get", "configmaps", "--watch-only", "--output-watch-events", "-o",
      "jsonpath={.type} {.object.metadata.name}{\"\\n\"}",
    ]
    let output = Pipe()
    watch.standardOutput = output
    try watch.run()
    defer {
      if watch.isRunning { watch.terminate() }
    }
    try await Task.sleep(for: .seconds(1))
    try server.kubectl(
      "apply", "-f", "-",
      input: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: seen}\ndata: {a: b}\n")
    try server.kubectl("label", "configmap", "seen", "x=y")
    try server.kubectl("delete", "configmap", "seen")
    try await Task.sleep(for: .seconds(1))
    watch.terminate()
    watch.waitUntilExit()
    let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(lines.contains("ADDED seen\nMODIFIED seen\nDELETED seen"), "watch printed: \(lines)")
  }
}
