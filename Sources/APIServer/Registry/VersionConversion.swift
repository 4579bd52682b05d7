import KubeAPI

/// How a served version maps to and from the stored version's form.
struct VersionConversion: Sendable {
  var toStorage: @Sendable (JSONValue) -> JSONValue
  var fromStorage: @Sendable (JSONValue) -> JSONValue
}
