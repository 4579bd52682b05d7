import Foundation
import KubeAPI
import Runtime

/// Turns one container of a pod into the runtime's `ContainerSpec`: mounts, resources, identity
/// and confinement. Containers get RuntimeDefault seccomp unless the pod asks otherwise.
struct ContainerConfig {
  let pod: JSONValue
  let container: JSONValue
  let volumes: [String: String]
  let podDirectory: String
  let seccompDirectory: String
  let nodeMemoryBytes: Int64

  var name: String { container["name"]?.stringValue ?? "" }

  func spec(id: String, sandboxID: String, env: [String], image: ResolvedImage, logPath: String) throws -> ContainerSpec
  {
    var spec = ContainerSpec(id: id, image: container["image"]?.stringValue ?? "")
    spec.sandboxID = sandboxID
    spec.command = container["command"]?.arrayValue?.compactMap(\.stringValue)
    spec.args = container["args"]?.arrayValue?.compactMap(\.stringValue)
    if spec.command?.isEmpty == true { spec.command = nil }
    if spec.args?.isEmpty == true { spec.args = nil }
    var values: [String: String] = [:]
    for variable in env {
      let parts = variable.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      values[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
    }
    spec.command = spec.command?.map { PodEnvironment.expand($0, values) }
    spec.args = spec.args?.map { PodEnvironment.expand($0, values) }
    spec.env = env
    spec.workingDir = container["workingDir"]?.stringValue
    spec.hostname = hostname
    spec.tty = container["tty"]?.boolValue ?? false
    spec.stdin = container["stdin"]?.boolValue ?? false
    spec.logPath = logPath
    spec.labels = [
      "io.kubernetes.pod.name": pod.metadata.name ?? "", "io.kubernetes.pod.namespace": pod.metadata.namespace ?? "",
      "io.kubernetes.pod.uid": pod.metadata.uid ?? "", "io.kubernetes.container.name": name, "skiff.sandbox": sandboxID,
    ]
    spec.mounts = try mounts()
    spec.resources = resources
    spec.cgroupParent = Self.podCgroup(pod)
    spec.oomScoreAdj = oomScoreAdjust
    try applySecurity(to: &spec, image: image)
    return spec
  }

  var hostname: String {
    var name = pod["spec"]?["hostname"]?.stringValue ?? pod.metadata.name ?? ""
    if name.count > 63 { name = String(name.prefix(63)) }
    return name
  }

  private func mounts() throws -> [ContainerSpec.Mount] {
    var mounts: [ContainerSpec.Mount] = []
    for mount in container["volumeMounts"]?.arrayValue ?? [] {
      let volume = mount["name"]?.stringValue ?? ""
      guard var source = volumes[volume] else {
        throw KubeletError(.invalidArgument, "volumeMount \"\(volume)\" does not name a volume of the pod")
      }
      if let subPath = mount["subPath"]?.stringValue, !subPath.isEmpty {
        guard !subPath.split(separator: "/").contains(".."), !subPath.hasPrefix("/") else {
          throw KubeletError(.invalidArgument, "subPath \"\(subPath)\" must be a relative path without '..'")
        }
        source += "/" + subPath
        if !FileManager.default.fileExists(atPath: source) {
          try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        }
      }
      let propagation: ContainerSpec.Mount.Propagation =
        switch mount["mountPropagation"]?.stringValue {
        case "HostToContainer": .hostToContainer
        case "Bidirectional": .bidirectional
        default: .private
        }
      mounts.append(
        ContainerSpec.Mount(
          source: source, destination: mount["mountPath"]?.stringValue ?? "",
          readOnly: mount["readOnly"]?.boolValue ?? false, propagation: propagation))
    }
    let taken = Set(mounts.map(\.destination))
    for (file, destination) in [
      ("etc-hosts", "/etc/hosts"), ("resolv.conf", "/etc/resolv.conf"), ("hostname", "/etc/hostname"),
    ]
    where !taken.contains(destination) {
      mounts.append(ContainerSpec.Mount(source: "\(podDirectory)/\(file)", destination: destination))
    }
    let terminationPath = container["terminationMessagePath"]?.stringValue ?? "/dev/termination-log"
    if !taken.contains(terminationPath) {
      mounts.append(ContainerSpec.Mount(source: terminationLogPath, destination: terminationPath))
    }
    return mounts
  }

  var terminationLogPath: String { "\(podDirectory)/containers/\(name)/termination-log" }

  var resources: ContainerSpec.Resources { Self.resources([container]) }

  /// cgroup settings for containers sharing one cgroup: shares from the summed CPU requests;
  /// a CPU quota and memory limit only when every container sets that limit.
  static func resources(_ containers: [JSONValue]) -> ContainerSpec.Resources {
    func quantity(_ value: JSONValue?) -> Quantity? { value?.stringValue.flatMap { try? Quantity(parsing: $0) } }
    var resources = ContainerSpec.Resources()
    var cpuRequest: Int64 = 0
    var cpuLimit: Int64? = 0
    var memoryLimit: Int64? = 0
    for container in containers {
      let requests = container["resources"]?["requests"]
      let limits = container["resources"]?["limits"]
      cpuRequest += (quantity(requests?["cpu"]) ?? quantity(limits?["cpu"]))?.milliValue ?? 0
      let cpu = quantity(limits?["cpu"])?.milliValue
      cpuLimit = cpu.flatMap { value in cpuLimit.map { $0 + value } }
      let memory = quantity(limits?["memory"])?.value
      memoryLimit = memory.flatMap { value in memoryLimit.map { $0 + value } }
    }
    resources.cpuShares = UInt64(max(2, cpuRequest * 1024 / 1000))
    if let cpuLimit, !containers.isEmpty {
      resources.cpuQuota = max(1000, cpuLimit * Int64(resources.cpuPeriod) / 1000)
    }
    resources.memoryLimit = containers.isEmpty ? nil : memoryLimit
    return resources
  }

  /// The pod's cgroup under its QoS class, as upstream's kubelet lays them out.
  static func podCgroup(_ pod: JSONValue) -> String {
    let uid = pod.metadata.uid ?? ""
    switch pod["status"]?["qosClass"]?.stringValue ?? PodQoS.of(spec: pod["spec"] ?? [:]) {
    case "Guaranteed": return "kubepods/pod\(uid)"
    case "BestEffort": return "kubepods/besteffort/pod\(uid)"
    default: return "kubepods/burstable/pod\(uid)"
    }
  }

  /// upstream's OOM score policy: Guaranteed −997, BestEffort 1000, Burstable by memory request.
  var oomScoreAdjust: Int {
    switch pod["status"]?["qosClass"]?.stringValue ?? PodQoS.of(spec: pod["spec"] ?? [:]) {
    case "Guaranteed": return -997
    case "BestEffort": return 1000
    default:
      let request =
        container["resources"]?["requests"]?["memory"]?.stringValue.flatMap { try? Quantity(parsing: $0) }?.value ?? 0
      let score = 1000 - Int(1000 * Double(request) / Double(max(nodeMemoryBytes, 1)))
      return min(max(score, 2), 999)
    }
  }

  private func applySecurity(to spec: inout ContainerSpec, image: ResolvedImage) throws {
    let podContext = pod["spec"]?["securityContext"]
    let context = container["securityContext"]
    func setting(_ key: String) -> JSONValue? { context?[key] ?? podContext?[key] }
    let user = setting("runAsUser")?.intValue
    let group = setting("runAsGroup")?.intValue
    var supplemental = (podContext?["supplementalGroups"]?.arrayValue ?? []).compactMap { $0.intValue.map(UInt32.init) }
    if let fsGroup = podContext?["fsGroup"]?.intValue { supplemental.append(UInt32(fsGroup)) }
    if user != nil || group != nil || !supplemental.isEmpty {
      spec.user = ContainerSpec.UserSpec(
        user: user.map(String.init) ?? (image.runtimeConfig.user?.split(separator: ":").first.map(String.init) ?? "0"),
        group: group.map(String.init), supplementalGroups: supplemental)
    }
    if setting("runAsNonRoot")?.boolValue == true {
      let effective =
        user.map(String.init) ?? image.runtimeConfig.user?.split(separator: ":").first.map(String.init) ?? ""
      if effective.isEmpty || effective == "0" || effective == "root" {
        throw KubeletError(
          .failedPrecondition,
          "container has runAsNonRoot and image will run as root (pod: \"\(pod.metadata.name ?? "")\", container: \(name))"
        )
      }
      if UInt32(effective) == nil {
        throw KubeletError(
          .failedPrecondition,
          "container has runAsNonRoot and image has non-numeric user (\(effective)), cannot verify user is non-root (pod: \"\(pod.metadata.name ?? "")\", container: \(name))"
        )
      }
    }
    spec.security.privileged = context?["privileged"]?.boolValue ?? false
    spec.security.capabilitiesAdd = (context?["capabilities"]?["add"]?.arrayValue ?? []).compactMap(\.stringValue)
    spec.security.capabilitiesDrop = (context?["capabilities"]?["drop"]?.arrayValue ?? []).compactMap(\.stringValue)
    spec.security.readOnlyRootFilesystem = context?["readOnlyRootFilesystem"]?.boolValue ?? false
    spec.security.noNewPrivileges = context?["allowPrivilegeEscalation"]?.boolValue == false
    if context?["procMount"]?.stringValue == "Unmasked" {
      spec.security.maskedPaths = []
      spec.security.readOnlyPaths = []
    }
    // Secure by default: RuntimeDefault unless the pod or container chooses.
    let profile = context?["seccompProfile"] ?? podContext?["seccompProfile"]
    switch profile?["type"]?.stringValue {
    case "Unconfined": spec.security.seccomp = .unconfined
    case "Localhost":
      let file = profile?["localhostProfile"]?.stringValue ?? ""
      guard !file.isEmpty, !file.split(separator: "/").contains("..") else {
        throw KubeletError(
          .invalidArgument, "seccompProfile.localhostProfile must be a relative path under \(seccompDirectory)")
      }
      spec.security.seccomp = .localhost("\(seccompDirectory)/\(file)")
    default: spec.security.seccomp = spec.security.privileged ? .unconfined : .runtimeDefault
    }
  }
}
