import Testing

@testable import APIServer

struct RequestTargetTests {
  @Test func resourcePathsParseAsUpstreamDoes() throws {
    let pod = try #require(RequestTarget(path: "/api/v1/namespaces/default/pods/web/status"))
    #expect(pod.group == "" && pod.version == "v1" && pod.namespace == "default")
    #expect(pod.plural == "pods" && pod.name == "web" && pod.subresource == "status")

    let deployments = try #require(RequestTarget(path: "/apis/apps/v1/deployments"))
    #expect(deployments.group == "apps" && deployments.namespace == nil && deployments.name == nil)

    // A namespace's own status is not a resource called "status" inside it.
    let namespaceStatus = try #require(RequestTarget(path: "/api/v1/namespaces/team/status"))
    #expect(namespaceStatus.plural == "namespaces" && namespaceStatus.name == "team")
    #expect(namespaceStatus.subresource == "status" && namespaceStatus.namespace == nil)

    let watch = try #require(RequestTarget(path: "/api/v1/watch/namespaces/default/configmaps"))
    #expect(watch.legacyWatch && watch.plural == "configmaps" && watch.namespace == "default")

    let proxy = try #require(RequestTarget(path: "/api/v1/namespaces/default/pods/web/proxy/metrics/x"))
    #expect(proxy.subresource == "proxy/metrics/x")

    #expect(RequestTarget(path: "/healthz") == nil)
    #expect(RequestTarget(path: "/apis/apps") == nil)
  }

  @Test func queriesArePercentDecoded() {
    let request = HTTPRequest(
      method: .GET, uri: "/api/v1/pods?labelSelector=app%3Dweb%2Ctier+in+%28a%29&watch=True", headers: [:])
    #expect(request.parameter("labelSelector") == "app=web,tier in (a)")
    #expect(request.flag("watch"))
    #expect(!request.flag("allowWatchBookmarks"))
  }
}
