/// Chooses the driver for `--datastore-endpoint`, as kine chooses by URL scheme.
public enum Datastore {
  public static let acceptedForms = """
    accepted forms: empty (embedded SQLite at <data-dir>/server/db/state.db), \
    sqlite:///path/to/state.db, \
    postgres://user:password@host:5432/dbname?sslmode=disable|prefer|require|verify-full
    """

  /// The driver for `endpoint`; an empty endpoint is the embedded SQLite file under `dataDirectory`.
  public static func driver(endpoint: String, dataDirectory: String) throws -> SQLDriver {
    if endpoint.isEmpty { return SQLiteDriver(path: "\(dataDirectory)/server/db/state.db") }
    if endpoint.hasPrefix("postgres://") || endpoint.hasPrefix("postgresql://") {
      return try PostgresDriver(url: endpoint)
    }
    if endpoint.hasPrefix("sqlite://") {
      let path = String(endpoint.dropFirst("sqlite://".count).prefix { $0 != "?" })
      guard !path.isEmpty else {
        throw StoreError.invalid("--datastore-endpoint \(endpoint) names no file; \(acceptedForms)")
      }
      return SQLiteDriver(path: path)
    }
    let scheme = endpoint.split(separator: ":", maxSplits: 1).first.map(String.init) ?? endpoint
    throw StoreError.invalid("--datastore-endpoint with scheme \"\(scheme)\" is not supported; \(acceptedForms)")
  }
}
