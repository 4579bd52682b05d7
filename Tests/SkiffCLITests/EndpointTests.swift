import EtcdServer
import Store
import Testing

@Suite struct EndpointTests {
  @Test func emptyEndpointIsEmbeddedSQLiteUnderTheDataDirectory() throws {
    let driver = try Datastore.driver(endpoint: "", dataDirectory: "/var/lib/skiff")
    #expect((driver as? SQLiteDriver)?.path == "/var/lib/skiff/server/db/state.db")
  }

  @Test func unknownSchemeShowsAcceptedForms() {
    let error = #expect(throws: StoreError.self) {
      _ = try Datastore.driver(endpoint: "mysql://root:secret@db/skiff", dataDirectory: "/d")
    }
    let text = error.map { "\($0)" } ?? ""
    #expect(text.contains("mysql"))
    #expect(text.contains("postgres://"))
    #expect(!text.contains("secret"))
  }

  @Test func malformedPostgresURLIsRefusedWithoutLeakingThePassword() {
    let error = #expect(throws: StoreError.self) {
      _ = try Datastore.driver(endpoint: "postgres://user:hunter2@:notaport/db", dataDirectory: "/d")
    }
    #expect(!"\(error.map { "\($0)" } ?? "")".contains("hunter2"))
  }

  @Test func listenAddresses() throws {
    #expect(try EtcdListenAddress(parsing: "/run/etcd.sock") == .unix(path: "/run/etcd.sock"))
    #expect(try EtcdListenAddress(parsing: "unix:///run/etcd.sock") == .unix(path: "/run/etcd.sock"))
    #expect(try EtcdListenAddress(parsing: "127.0.0.1:2379") == .tcp(host: "127.0.0.1", port: 2379))
    #expect(try EtcdListenAddress(parsing: "http://[::1]:2379") == .tcp(host: "::1", port: 2379))
    #expect(try EtcdListenAddress(parsing: "127.0.0.1:2379").isLocal)
    #expect(try !EtcdListenAddress(parsing: "0.0.0.0:2379").isLocal)
    #expect(throws: EtcdServerError.self) { try EtcdListenAddress(parsing: "nonsense") }
    #expect(throws: EtcdServerError.self) { try EtcdListenAddress(parsing: "127.0.0.1:99999") }
  }
}
