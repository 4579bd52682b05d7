import Foundation
import Glibc
import KubeAPI
import Runtime

/// Runs one probe or lifecycle-hook action (exec, httpGet, tcpSocket, sleep) against a container.
/// HTTP and TCP go to the pod's address, or to its loopback through its network namespace when
/// the pod has no address of its own.
struct ProbeRunner: Sendable {
  let runtime: ContainerRuntime
  /// Where exec output is collected for the event message.
  let scratchDirectory: String

  struct Target: Sendable {
    var containerID: String
    var container: JSONValue
    var podIP: String
    var networkNamespace: String?
  }

  enum Result: Sendable, Equatable {
    case success
    case failure(String)
  }

  func run(_ handler: JSONValue, target: Target, timeout: Double) async -> Result {
    do {
      if let exec = handler["exec"] {
        return try await runExec(
          (exec["command"]?.arrayValue ?? []).compactMap(\.stringValue), target: target, timeout: timeout)
      }
      if let http = handler["httpGet"] {
        return try await runHTTP(http, target: target, timeout: timeout)
      }
      if let tcp = handler["tcpSocket"] {
        let (host, port) = try address(tcp, target: target)
        _ = try await Dialer.exchange(
          host: host, port: port, networkNamespace: host == "127.0.0.1" ? target.networkNamespace : nil, request: nil,
          timeout: timeout)
        return .success
      }
      if let sleep = handler["sleep"] {
        try await Task.sleep(for: .seconds(Double(sleep["seconds"]?.intValue ?? 0)))
        return .success
      }
      if handler["grpc"] != nil {
        return .failure("grpc probes are not supported by skiff yet")
      }
      return .failure("the probe has no handler")
    } catch {
      return .failure("\(error)")
    }
  }

  private func runExec(_ command: [String], target: Target, timeout: Double) async throws -> Result {
    let path = "\(scratchDirectory)/probe-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw KubeletError(.io, "cannot create \(path)") }
    defer {
      close(fd)
      unlink(path)
    }
    let process = try runtime.exec(target.containerID, ExecSpec(command: command), stdin: -1, stdout: fd, stderr: fd)
    let code = await withTaskGroup(of: Int32?.self) { group in
      group.addTask { await process.wait() }
      group.addTask {
        try? await Task.sleep(for: .seconds(timeout))
        return nil
      }
      let first = await group.next() ?? nil
      if first == nil { process.signal(SIGKILL) }
      group.cancelAll()
      return first
    }
    guard let code else { return .failure("command timed out after \(Int(timeout))s") }
    if code == 0 { return .success }
    let output = String(
      decoding: (try? FileHandle(forReadingFrom: URL(fileURLWithPath: path)).readToEnd()) ?? Data(), as: UTF8.self)
    return .failure(
      output.isEmpty ? "command \(command) exited with \(code)" : output.trimmingCharacters(in: .whitespacesAndNewlines)
    )
  }

  private func runHTTP(_ http: JSONValue, target: Target, timeout: Double) async throws -> Result {
    if http["scheme"]?.stringValue == "HTTPS" { return .failure("HTTPS probes are not supported by skiff yet") }
    let (host, port) = try address(http, target: target)
    var path = http["path"]?.stringValue ?? "/"
    if !path.hasPrefix("/") { path = "/" + path }
    var request =
      "GET \(path) HTTP/1.1\r\nHost: \(http["host"]?.stringValue ?? host):\(port)\r\nUser-Agent: kube-probe/1.32\r\nAccept: */*\r\nConnection: close\r\n"
    for header in http["httpHeaders"]?.arrayValue ?? [] {
      request += "\(header["name"]?.stringValue ?? ""): \(header["value"]?.stringValue ?? "")\r\n"
    }
    request += "\r\n"
    let answer = try await Dialer.exchange(
      host: host, port: port, networkNamespace: host == "127.0.0.1" ? target.networkNamespace : nil,
      request: Array(request.utf8), limit: 1024, timeout: timeout)
    let statusLine = String(decoding: answer.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
    let parts = statusLine.split(separator: " ")
    guard parts.count >= 2, let code = Int(parts[1]) else {
      return .failure("Get \"http://\(host):\(port)\(path)\": malformed HTTP response")
    }
    return (200..<400).contains(code) ? .success : .failure("HTTP probe failed with statuscode: \(code)")
  }

  /// The host and port to connect to: named ports resolve through the container's ports.
  private func address(_ action: JSONValue, target: Target) throws -> (String, Int) {
    var port: Int
    if let number = action["port"]?.intValue {
      port = Int(number)
    } else if let name = action["port"]?.stringValue {
      guard
        let match = (target.container["ports"]?.arrayValue ?? []).first(where: { $0["name"]?.stringValue == name }),
        let number = match["containerPort"]?.intValue
      else { throw KubeletError(.invalidArgument, "port \"\(name)\" is not a named port of the container") }
      port = Int(number)
    } else {
      throw KubeletError(.invalidArgument, "the probe has no port")
    }
    let host = action["host"]?.stringValue ?? (target.podIP.isEmpty ? "127.0.0.1" : target.podIP)
    return (host, port)
  }
}
