import KubeAPI

/// What makes one kind different from another in the generic REST path.
struct ResourceStrategy: Sendable {
  /// The kind has a status subresource: the main resource ignores status changes and the
  /// status subresource ignores everything else.
  var hasStatus = false
  /// Create ignores a client-sent status (most kinds with a status subresource).
  var resetsStatusOnCreate = false
  /// Field selectors beyond metadata.name and metadata.namespace; `fields` computes them.
  var selectableFields: [String] = []
  /// Spec changes bump metadata.generation.
  var tracksGeneration = false
  /// Defaults applied on create and update (after the client's object is merged).
  var defaults: @Sendable (inout JSONValue, StrategyContext) throws -> Void = { _, _ in }
  /// Kind-specific validation; generic metadata validation runs for every kind.
  var validate: @Sendable (JSONValue, JSONValue?, StrategyContext) -> [FieldError] = { _, _, _ in [] }
  /// Table columns and cells for `kubectl get`.
  var table: TableDefinition = .nameAndAge
  /// Values of the field selectors this kind supports beyond metadata.name/namespace.
  var fields: @Sendable (JSONValue) -> [String: String] = { _ in [:] }
  /// Top-level fields outside spec/status/metadata that count as "spec" for generation.
  var specFields: [String] = ["spec"]
}

/// What a strategy may need from the server: clocks, allocators, the registry.
struct StrategyContext: Sendable {
  var now: String
  var isCreate: Bool
  var allocator: ServiceAllocator?
  /// Who is writing; nil for the server's own bootstrap objects.
  var user: UserInfo? = nil
}
