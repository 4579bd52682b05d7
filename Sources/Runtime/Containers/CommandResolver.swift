/// The process a container runs, by the Kubernetes rules: `command` replaces the image's
/// ENTRYPOINT and drops its CMD; `args` replace CMD; `$(VAR)` in either expands from the
/// container's env (`$$(VAR)` stays literal, unknown names stay as written).
enum CommandResolver {
  static func resolve(command: [String]?, args: [String]?, image: ImageRuntimeConfig, env: [String]) -> [String] {
    let variables = environment(env)
    let expand = { (list: [String]) in list.map { expandVariables($0, variables) } }
    if let command, !command.isEmpty {
      return expand(command) + expand(args ?? [])
    }
    let entrypoint = image.entrypoint ?? []
    if let args, !args.isEmpty { return entrypoint + expand(args) }
    return entrypoint + (image.cmd ?? [])
  }

  /// Image env first, then the container's; a later KEY wins in place of the earlier one.
  static func mergeEnv(image: [String], container: [String]) -> [String] {
    var order: [String] = []
    var values: [String: String] = [:]
    for entry in image + container {
      let key = entry.split(separator: "=", maxSplits: 1).first.map(String.init) ?? entry
      if values[key] == nil { order.append(key) }
      values[key] = entry
    }
    return order.map { values[$0]! }
  }

  static func environment(_ env: [String]) -> [String: String] {
    var result: [String: String] = [:]
    for entry in env {
      let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      result[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
    }
    return result
  }

  /// Kubernetes' `$(VAR)` expansion (k8s.io/kubernetes/third_party/forked/golang/expansion).
  static func expandVariables(_ input: String, _ variables: [String: String]) -> String {
    let characters = Array(input)
    var output = ""
    var index = 0
    while index < characters.count {
      let character = characters[index]
      guard character == "$", index + 1 < characters.count else {
        output.append(character)
        index += 1
        continue
      }
      let next = characters[index + 1]
      if next == "$" {  // escaped
        output.append("$")
        index += 2
      } else if next == "(", let close = characters[(index + 2)...].firstIndex(of: ")") {
        let name = String(characters[(index + 2)..<close])
        output += variables[name] ?? "$(\(name))"
        index = close + 1
      } else {
        output.append(character)
        index += 1
      }
    }
    return output
  }
}
