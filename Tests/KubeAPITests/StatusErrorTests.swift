import Testing

@testable import KubeAPI

@Suite struct StatusErrorTests {
  let pods = GroupResource(group: "", resource: "pods")
  let deployments = GroupResource(group: "apps", resource: "deployments")

  @Test func notFoundAndAlreadyExists() {
    let e = StatusError.notFound(pods, name: "x")
    #expect(e.code == 404)
    #expect(e.reason == .notFound)
    #expect(e.message == #"pods "x" not found"#)
    #expect(StatusError.notFound(deployments, name: "web").message == #"deployments.apps "web" not found"#)
    #expect(StatusError.alreadyExists(pods, name: "x").message == #"pods "x" already exists"#)
    #expect(StatusError.alreadyExists(pods, name: "x").code == 409)
  }

  @Test func statusObjectHasUpstreamShape() throws {
    let status = StatusError.notFound(deployments, name: "web").status
    let expected: JSONValue = [
      "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
      "message": #"deployments.apps "web" not found"#, "reason": "NotFound",
      "details": ["name": "web", "group": "apps", "kind": "deployments"], "code": 404,
    ]
    #expect(status == expected)
    #expect(StatusError(status: status) == StatusError.notFound(deployments, name: "web"))
  }

  @Test func conflictMessage() {
    #expect(
      StatusError.conflict(pods, name: "x").message
        == #"Operation cannot be fulfilled on pods "x": the object has been modified; please apply your changes to the latest version and try again"#
    )
  }

  @Test func invalidWithOneAndSeveralCauses() {
    let one = StatusError.invalid(
      GroupKind(group: "", kind: "Pod"), name: "x",
      errors: [.required(FieldPath("spec", "containers").index(0).child("name"))])
    #expect(one.message == #"Pod "x" is invalid: spec.containers[0].name: Required value"#)
    #expect(one.code == 422)
    #expect(
      one.details?.causes == [
        .init(reason: "FieldValueRequired", message: "Required value", field: "spec.containers[0].name")
      ])

    let nameErrors = NameValidation.dns1123Subdomain("X")
    let several = StatusError.invalid(
      GroupKind(group: "apps", kind: "Deployment"), name: "X",
      errors: [.required("spec.containers[0].name")] + nameErrors.map { .invalid("metadata.name", "X", $0) })
    #expect(
      several.message
        == #"Deployment.apps "X" is invalid: [spec.containers[0].name: Required value, metadata.name: Invalid value: "X": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')]"#
    )
    #expect(
      StatusError.invalid(GroupKind(group: "", kind: "Pod"), name: "x", errors: []).message == #"Pod "x" is invalid"#)
  }

  @Test func forbiddenMessages() {
    let rbac = StatusError.forbidden(user: "bob", verb: "list", resource: "pods", namespace: "default")
    #expect(
      rbac.message
        == #"pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default""#)
    #expect(rbac.code == 403)
    let cluster = StatusError.forbidden(
      user: "bob", verb: "get", resource: "deployments", subresource: "scale", group: "apps", name: "web")
    #expect(
      cluster.message
        == #"deployments.apps "web" is forbidden: User "bob" cannot get resource "deployments/scale" in API group "apps" at the cluster scope"#
    )
    let path = StatusError.forbidden(user: "system:anonymous", verb: "get", resource: nil, path: "/healthz")
    #expect(path.message == #"forbidden: User "system:anonymous" cannot get path "/healthz""#)
    #expect(
      StatusError.forbidden(pods, name: "p", why: "exceeded quota").message == #"pods "p" is forbidden: exceeded quota"#
    )
  }

  @Test func otherConstructors() {
    #expect(StatusError.badRequest("bad").code == 400)
    #expect(StatusError.unauthorized().message == "not authorized")
    #expect(StatusError.unauthorized("Unauthorized").code == 401)
    #expect(
      StatusError.methodNotSupported(GroupResource(group: "", resource: "nodes/proxy"), action: "create").message
        == #"create is not supported on resources of kind "nodes/proxy""#)
    let expired = StatusError.tooOldResourceVersion(5, oldest: 10)
    #expect(expired.message == "too old resource version: 5 (10)")
    #expect(expired.code == 410 && expired.reason == .expired)
    #expect(StatusError.gone("gone").reason == .gone)
    #expect(
      StatusError.requestEntityTooLarge("limit is 3145728").message == "Request entity too large: limit is 3145728")
    #expect(StatusError.requestEntityTooLarge("x").code == 413)
    #expect(
      StatusError.unsupportedMediaType(accepted: ["application/json", "application/yaml"]).message
        == "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"
    )
    #expect(
      StatusError.notAcceptable(accepted: ["application/json"]).message
        == "only the following media types are accepted: application/json")
    #expect(StatusError.notAcceptable(accepted: []).code == 406)
    let internalError = StatusError.internalError("boom")
    #expect(internalError.message == "Internal error occurred: boom")
    #expect(internalError.details?.causes.first?.message == "boom")
    #expect(StatusError.serviceUnavailable("down").code == 503)
    let timeout = StatusError.timeout("request did not complete within 60s", retryAfterSeconds: 2)
    #expect(timeout.message == "Timeout: request did not complete within 60s" && timeout.code == 504)
    #expect(timeout.retryAfterSeconds == 2)
    #expect(StatusError.tooManyRequests("slow down", retryAfterSeconds: 1).status["details"]?["retryAfterSeconds"] == 1)
    #expect(
      StatusError.serverTimeout(pods, operation: "get", retryAfterSeconds: 1).message
        == "The get operation against pods could not be completed at this time, please try again.")
    #expect(
      StatusError.generateNameConflict(pods, name: "web-abcde").message
        == #"pods "web-abcde" already exists, the server was not able to generate a unique name for the object"#)
    #expect(
      StatusError.genericServerResponse(code: 422).message
        == "the server rejected our request due to an error in our request")
  }
}
