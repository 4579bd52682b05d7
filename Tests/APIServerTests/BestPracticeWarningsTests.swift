import KubeAPI
import Testing

@testable import APIServer

struct BestPracticeWarningsTests {
  func deployment(replicas: Int64, container: JSONValue, antiAffinity: Bool = false) -> JSONValue {
    var spec: [String: JSONValue] = ["containers": .array([container])]
    if antiAffinity {
      spec["affinity"] = .object([
        "podAntiAffinity": .object(["requiredDuringSchedulingIgnoredDuringExecution": .array([.object([:])])])
      ])
    }
    return .object([
      "kind": .string("Deployment"),
      "spec": .object([
        "replicas": .int(replicas),
        "template": .object(["metadata": .object(["labels": .object(["app": .string("web")])]), "spec": .object(spec)]),
      ]),
    ])
  }

  @Test func eachMistakeGetsItsAdvice() {
    let careless = JSONValue.object([
      "name": .string("app"), "image": .string("nginx"),
      "resources": .object([
        "limits": .object(["cpu": .string("1"), "memory": .string("1Gi")]),
        "requests": .object(["memory": .string("512Mi")]),
      ]),
    ])
    let warnings = BestPracticeWarnings().warnings(
      for: deployment(replicas: 1, container: careless), kind: "Deployment", selectedByService: true)
    #expect(warnings.contains { $0.contains("mutable tag") && $0.contains("sha256") })
    #expect(warnings.contains { $0.contains("CPU limit") })
    #expect(warnings.contains { $0.contains("memory request different from its limit") })
    #expect(warnings.contains { $0.contains("1 replica") })
    #expect(warnings.contains { $0.contains("default ServiceAccount") })
    #expect(warnings.contains { $0.contains("readiness probe") })
    #expect(!warnings.contains { $0.contains("no resource requests") })

    let bare = JSONValue.object(["name": .string("app"), "image": .string("nginx@sha256:abc")])
    let spread = BestPracticeWarnings().warnings(
      for: deployment(replicas: 10, container: bare, antiAffinity: true), kind: "Deployment", selectedByService: false)
    #expect(spread.contains { $0.contains("topologySpreadConstraints") })
    #expect(spread.contains { $0.contains("no resource requests") })
    #expect(!spread.contains { $0.contains("mutable tag") || $0.contains("readiness") })
  }

  @Test func carefulWorkloadsGetNoneAndNamesTurnWarningsOff() {
    var careful = deployment(
      replicas: 3,
      container: .object([
        "name": .string("app"), "image": .string("registry/app@sha256:abc"),
        "readinessProbe": .object(["httpGet": .object(["path": .string("/readyz")])]),
        "resources": .object([
          "requests": .object(["cpu": .string("100m"), "memory": .string("128Mi")]),
          "limits": .object(["memory": .string("128Mi")]),
        ]),
      ]))
    careful["spec"]?["template"]?["spec"]?["serviceAccountName"] = .string("web")
    #expect(BestPracticeWarnings().warnings(for: careful, kind: "Deployment", selectedByService: true).isEmpty)
    let quiet = BestPracticeWarnings(disabled: Set(BestPracticeWarnings.Name.allCases.map(\.rawValue)))
    let sloppy = deployment(replicas: 1, container: .object(["name": .string("a"), "image": .string("nginx")]))
    #expect(quiet.warnings(for: sloppy, kind: "Deployment", selectedByService: true).isEmpty)
    #expect(BestPracticeWarnings.header("say \"hi\"") == #"299 - "say \"hi\"""#)
  }
}
