import KubeAPI

/// Amounts of the resources the scheduler counts, in upstream's units: CPU in millicores,
/// everything else in whole units (bytes for memory and storage), so fit checks are integer compares.
public struct SchedulerResources: Sendable, Hashable {
  public var milliCPU: Int64 = 0
  public var memory: Int64 = 0
  public var ephemeralStorage: Int64 = 0
  /// `pods` from a node's allocatable; unused for pod requests.
  public var allowedPodNumber: Int64 = 0
  /// Extended resources, hugepages and attachable volumes (upstream's scalar resources).
  public var scalar: [String: Int64] = [:]

  public init() {}

  /// Converts a resource list (`{"cpu": "250m", "memory": "64Mi"}`) as upstream's Resource.Add.
  init(_ list: [String: Quantity]) {
    for (name, quantity) in list {
      switch name {
      case "cpu": milliCPU += quantity.milliValue
      case "memory": memory += quantity.value
      case "ephemeral-storage": ephemeralStorage += quantity.value
      case "pods": allowedPodNumber += quantity.value
      default:
        if Self.isScalarResourceName(name) { scalar[name, default: 0] += quantity.value }
      }
    }
  }

  /// Upstream's IsScalarResourceName: extended (domain-prefixed), hugepages and attachable volumes.
  static func isScalarResourceName(_ name: String) -> Bool {
    name.contains("/") || name.hasPrefix("hugepages-") || name.hasPrefix("attachable-volumes-")
  }

  var isZero: Bool { milliCPU == 0 && memory == 0 && ephemeralStorage == 0 && scalar.isEmpty }

  mutating func add(_ other: SchedulerResources) {
    milliCPU += other.milliCPU
    memory += other.memory
    ephemeralStorage += other.ephemeralStorage
    allowedPodNumber += other.allowedPodNumber
    for (name, value) in other.scalar { scalar[name, default: 0] += value }
  }

  mutating func subtract(_ other: SchedulerResources) {
    milliCPU -= other.milliCPU
    memory -= other.memory
    ephemeralStorage -= other.ephemeralStorage
    allowedPodNumber -= other.allowedPodNumber
    for (name, value) in other.scalar { scalar[name, default: 0] -= value }
  }

  /// Parses a JSON resource list; entries that are not valid quantities are skipped (validation rejects them).
  static func quantities(_ json: JSONValue?) -> [String: Quantity] {
    guard case .object(let members)? = json else { return [:] }
    var list: [String: Quantity] = [:]
    for (name, value) in members {
      let text: String
      switch value {
      case .string(let s): text = s
      case .int(let i): text = String(i)
      case .double(let d): text = String(d)
      default: continue
      }
      if let quantity = try? Quantity(parsing: text) { list[name] = quantity }
    }
    return list
  }
}

/// Pod-level request arithmetic as upstream's resource.PodRequests: the sum of app containers and
/// restartable (sidecar) init containers, at least the peak of any init container, plus overhead.
enum PodRequests {
  /// The request upstream uses for a container that sets none, for scoring and node aggregates only.
  static let defaultMilliCPU: Int64 = 100
  static let defaultMemory: Int64 = 200 * 1024 * 1024

  /// The pod's requests, and the same with 100m / 200Mi for each container that sets no cpu or
  /// memory request (upstream's NonMissingContainerRequests), from one parse of the spec.
  static func compute(spec: JSONValue?) -> (requests: [String: Quantity], nonZero: [String: Quantity]) {
    let containers = (spec?["containers"]?.arrayValue ?? []).map {
      SchedulerResources.quantities($0["resources"]?["requests"])
    }
    let initContainers = (spec?["initContainers"]?.arrayValue ?? []).map {
      (SchedulerResources.quantities($0["resources"]?["requests"]), $0["restartPolicy"]?.stringValue == "Always")
    }
    let overhead = SchedulerResources.quantities(spec?["overhead"])
    func aggregate(_ transform: ([String: Quantity]) -> [String: Quantity]) -> [String: Quantity] {
      var total: [String: Quantity] = [:]
      for container in containers { add(&total, transform(container)) }
      var sidecars: [String: Quantity] = [:]
      var initPeak: [String: Quantity] = [:]
      for (requests, restartable) in initContainers {
        var current = transform(requests)
        if restartable {
          add(&total, current)
          add(&sidecars, current)
          current = sidecars
        } else {
          add(&current, sidecars)
        }
        takeMax(&initPeak, current)
      }
      takeMax(&total, initPeak)
      add(&total, overhead)
      return total
    }
    let defaultCPU = Quantity(milli: defaultMilliCPU)
    let defaultMemory = Quantity(Self.defaultMemory)
    return (
      aggregate { $0 },
      aggregate { list in
        var list = list
        if list["cpu"] == nil { list["cpu"] = defaultCPU }
        if list["memory"] == nil { list["memory"] = defaultMemory }
        return list
      }
    )
  }

  private static func add(_ into: inout [String: Quantity], _ other: [String: Quantity]) {
    for (name, quantity) in other { into[name] = (into[name] ?? .zero) + quantity }
  }

  private static func takeMax(_ into: inout [String: Quantity], _ other: [String: Quantity]) {
    for (name, quantity) in other where into[name].map({ $0 < quantity }) ?? true { into[name] = quantity }
  }
}
