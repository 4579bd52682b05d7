import Foundation
import SkiffCore
import Store
import Testing

/// Endpoint parsing and failure reporting: no database needed.
@Suite("PostgreSQL endpoint")
struct PostgresEndpointTests {
  @Test func acceptsLibpqStyleURLs() throws {
    let driver = try PostgresDriver(url: "postgres://skiff:s3cr%40t@db.example:6543/cluster?sslmode=disable")
    #expect(driver.name == "postgres skiff@db.example:6543/cluster")
    #expect(driver.isShared)
    #expect(!"\(driver)".contains("s3cr"))
    #expect(!String(reflecting: driver.name).contains("s3cr"))
    #expect(try PostgresDriver(url: "postgresql://u@10.0.0.1/db").name == "postgres u@10.0.0.1:5432/db")
    #expect(try PostgresDriver(url: "postgres://u:p@[::1]:5433/db?sslmode=prefer").name == "postgres u@[::1]:5433/db")
    #expect(try PostgresDriver(url: "postgres://u@h").name == "postgres u@h:5432/u")
    #expect(try PostgresDriver(url: "postgres://u@h/d?sslmode=require&connect_timeout=3").name == "postgres u@h:5432/d")
    #expect(
      try PostgresDriver(url: "postgres://u@/d?host=/run/postgresql").name
        == "postgres u@/run/postgresql/.s.PGSQL.5432/d")
    _ = try PostgresDriver(url: "postgres://u@h/d?sslmode=verify-full")
  }

  @Test(arguments: [
    "mysql://u@h/d", "postgres://h/d", "postgres://u@/d", "postgres://u:pw@h/d?sslmode=bogus",
    "postgres://u:pw@h/d?search_path=x", "postgres://u:pw@h:0/d", "not a url at all", "postgres://u:pw@h/a/b",
    "postgres://u:pw@h/d?connect_timeout=-1",
  ])
  func refusesMalformedEndpoints(url: String) {
    do {
      _ = try PostgresDriver(url: url)
      Issue.record("accepted \(url)")
    } catch StoreError.invalid(let message) {
      #expect(message.contains("postgres://user:password@host:port/database?sslmode="))
      #expect(!message.contains(":pw@"))
    } catch {
      Issue.record("unexpected \(error)")
    }
  }

  /// Nothing listens on port 1: the driver says so, without the password.
  @Test func unreachableServerIsUnavailable() async throws {
    let driver = try PostgresDriver(url: "postgres://skiff:hunter2@127.0.0.1:1/skiff?sslmode=disable&connect_timeout=2")
    do {
      try await blocking { _ = try driver.connect() }
      Issue.record("connected to port 1")
    } catch StoreError.unavailable(let message) {
      #expect(message.contains("127.0.0.1:1"))
      #expect(!message.contains("hunter2"))
    }
    await #expect(throws: StoreError.self) { _ = try await RevisionLog.open(driver: driver) }
  }
}

/// PostgreSQL-only behaviour: several servers on one database, losing the database, and the
/// driver's own translation of values and failures.
@Suite("PostgreSQL driver", .enabled(if: Backend.postgresDSN != nil, Backend.postgresSkipMessage))
struct PostgresDriverTests {
  @Test func valuesRoundTrip() async throws {
    try await Backend.postgres.withDatabase { driver in
      let rows = try await blocking {
        let connection = try driver.connect()
        defer { connection.close() }
        return try connection.query(
          "SELECT $1::bigint, $2::bytea, $3::text, $4::bytea, 7::int2, 8::int4, 9::int8, NULL, ''::bytea",
          [.int(-42), .blob([0, 1, 255]), .text("hé"), .null])
      }
      #expect(
        rows == [[.int(-42), .blob([0, 1, 255]), .text("hé"), .null, .int(7), .int(8), .int(9), .null, .blob([])]])
    }
  }

  /// The session is encrypted exactly when the endpoint's sslmode demands it.
  @Test func tlsAsConfigured() async throws {
    let dsn = Backend.postgresDSN ?? ""
    let driver = try PostgresDriver(url: dsn)
    let rows = try await blocking {
      let connection = try driver.connect()
      defer { connection.close() }
      return try connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", [])
    }
    let encrypted = rows == [[.int(1)]]
    if ["require", "verify-ca", "verify-full"].contains(where: { dsn.contains("sslmode=\($0)") }) {
      #expect(encrypted)
    } else if dsn.contains("sslmode=disable") {
      #expect(!encrypted)
    }
    print("PostgreSQL session encrypted: \(encrypted)")
  }

  /// PostgreSQL turns the COMMIT of a failed transaction into a ROLLBACK; that must not pass.
  @Test func failedTransactionDoesNotCommit() async throws {
    try await Backend.postgres.withDatabase { driver in
      try await blocking {
        let connection = try driver.connect()
        defer { connection.close() }
        try connection.execute("CREATE TABLE t (x BIGINT PRIMARY KEY)")
        try connection.execute("BEGIN")
        try connection.query("INSERT INTO t VALUES ($1)", [.int(1)])
        #expect(throws: StoreError.self) { try connection.query("INSERT INTO t VALUES ($1)", [.int(1)]) }
        let error = #expect(throws: StoreError.self) { try connection.execute("COMMIT") }
        #expect(error?.description.contains("rolled the transaction back") == true)
        #expect(try connection.query("SELECT COUNT(*) FROM t", []) == [[.int(0)]])
        try connection.execute("ROLLBACK")  // outside a transaction: a warning, not an error
      }
    }
  }

  /// Several servers creating the schema at once on an empty database.
  @Test func concurrentSchemaCreation() async throws {
    try await Backend.postgres.withDatabase { driver in
      let logs = try await withThrowingTaskGroup(of: RevisionLog.self) { group in
        for _ in 0..<4 { group.addTask { try await RevisionLog.open(driver: driver, options: .testing) } }
        return try await group.reduce(into: [RevisionLog]()) { $0.append($1) }
      }
      #expect(logs.count == 4)
      #expect(try await logs[0].put("k", "v") == 1)
      #expect(try await logs[3].get("k")?.string == "v")
      for log in logs { await log.close() }
    }
  }

  /// Two servers writing at once: one gap-free, strictly increasing history that both replay.
  @Test func twoServersShareOneHistory() async throws {
    try await withLog(.postgres) { env in
      let serverA = env.log
      let serverB = try await env.openAnother()
      try await withRunning(serverB) { () async throws in
        let revisions = try await withThrowingTaskGroup(of: Int64.self) { group in
          for i in 0..<200 {
            let log = i % 2 == 0 ? serverA : serverB
            group.addTask { try await log.put("k/\(i % 17)", "\(i)") }
          }
          return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(revisions.sorted() == Array(Int64(1)...200))
        for log in [serverA, serverB] {
          let events = try await collectEvents(log, KeyRange(start: [0], end: [0]), from: 1, through: 200)
          #expect(events.map(\.revision) == Array(Int64(1)...200))
          // Each event's prevKV is the event before it on the same key.
          var last: [[UInt8]: KeyValue] = [:]
          for event in events {
            #expect(event.prevKV == last[event.kv.key], "revision \(event.revision)")
            #expect(event.kv.version == (last[event.kv.key]?.version ?? 0) + 1)
            last[event.kv.key] = event.kv
          }
        }
        #expect(serverA.currentRevision == 200)
        try await eventually("b follows to 200") { serverB.currentRevision == 200 }
      }
    }
  }

  /// Compare-and-swap increments from both servers lose no update: a transaction's compare sees
  /// every commit that precedes its own.
  @Test func compareAndSwapAcrossServers() async throws {
    try await withLog(.postgres) { env in
      let serverA = env.log
      let serverB = try await env.openAnother()
      try await withRunning(serverB) { () async throws in
        try await serverA.put("counter", "0")
        let workers = 6
        let increments = 15
        let attempts = try await withThrowingTaskGroup(of: Int.self) { group in
          for worker in 0..<workers {
            let log = worker % 2 == 0 ? serverA : serverB
            group.addTask {
              var attempts = 0
              for _ in 0..<increments {
                while true {
                  attempts += 1
                  let current = try #require(try await log.get("counter"))
                  let next = Int(current.string)! + 1
                  let result = try await log.txn(
                    TxnRequest(
                      compares: [
                        Compare(range: .key(b("counter")), target: .modRevision(current.modRevision), result: .equal)
                      ],
                      success: [.put(PutRequest(key: b("counter"), value: b("\(next)")))]))
                  if result.succeeded { break }
                }
              }
              return attempts
            }
          }
          return try await group.reduce(0, +)
        }
        let counter = try #require(try await serverB.get("counter"))
        #expect(counter.string == "\(workers * increments)")
        #expect(counter.version == Int64(workers * increments + 1))
        print("compare-and-swap across two servers: \(workers * increments) increments in \(attempts) attempts")
      }
    }
  }

  /// A write through one server reaches a watcher on another through LISTEN/NOTIFY.
  @Test func watchLatencyAcrossServers() async throws {
    var slowPoll = RevisionLog.Options.testing
    slowPoll.pollInterval = .seconds(5)  // so that only a notification is quick
    try await withLog(.postgres, options: slowPoll) { env in
      let serverA = env.log
      let serverB = try await env.openAnother(options: slowPoll)
      try await withRunning(serverB) { () async throws in
        // The first write waits until b's LISTEN connection is up.
        let first = try await serverA.put("warmup", "0")
        _ = try await collectEvents(serverB, .key(b("warmup")), from: first, through: first, limit: .seconds(10))
        func ms(_ d: Duration) -> Double {
          Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000
        }
        var latencies: [Double] = []
        var afterCommit: [Double] = []
        for i in 1...10 {
          let watching = Task { try await collectEvents(serverB, .key(b("probe")), from: 0, through: first + Int64(i)) }
          try await eventually("b's watch is registered") { serverB.currentRevision == first + Int64(i) - 1 }
          try await Task.sleep(for: .milliseconds(10))
          let start = ContinuousClock.now
          _ = try await serverA.put("probe", "\(i)")
          let committed = ContinuousClock.now
          let events = try await watching.value
          let seen = ContinuousClock.now
          #expect(events.map(\.kv.string) == ["\(i)"])
          latencies.append(ms(seen - start))
          afterCommit.append(ms(seen - committed))
        }
        func summary(_ values: [Double]) -> String {
          values.sorted().map { String(format: "%.1f", $0) }.joined(separator: " ")
        }
        print(
          "cross-server watch latency, put start to event on the other server (ms, sorted, poll interval 5 s): \(summary(latencies))"
        )
        print("  of which after the put returned (ms, sorted): \(summary(afterCommit))")
        #expect(latencies.count == 10)
      }
    }
  }

  /// The database drops every connection (restart, failover): requests fail as unavailable at
  /// worst, then service resumes, watches included, without restarting the servers.
  @Test func databaseLostMidRun() async throws {
    try await withLog(.postgres) { env in
      let serverA = env.log
      let serverB = try await env.openAnother()
      try await withRunning(serverB) { () async throws in
        let database = String(env.driver.name.split(separator: "/").last!)
        try await serverA.put("k", "before")
        _ = try await serverB.get("k")
        try await eventually("b follows to revision 1") { serverB.currentRevision == 1 }
        let watching = Task {
          try await collectEvents(serverB, .prefix(b("k")), from: 0, through: 3, limit: .seconds(20))
        }

        let killed = try await PostgresAdmin.terminateSessions(of: database)
        #expect(killed >= 4)  // at least both writers, a reader and a listener

        // Each of the next requests either goes through on a fresh connection or fails as
        // unavailable; the one after a failure succeeds.
        for (log, key) in [(serverA, "k"), (serverB, "k2")] {
          do {
            try await log.put(key, "after")
          } catch let error as StoreError where error.isUnavailable {
            print("write after the database dropped its connections: \(error)")
            try await log.put(key, "after")
          }
          do {
            _ = try await log.get(key)
          } catch let error as StoreError where error.isUnavailable {
            print("read after the database dropped its connections: \(error)")
            #expect(try await log.get(key)?.string == "after")
          }
        }
        let events = try await watching.value
        #expect(events.map(\.kv.keyString) == ["k", "k2"])
        #expect(events.map(\.kv.string) == ["after", "after"])
        #expect(try await serverA.headRevision() == 3)

        // Now the database stays away for a while: requests fail as unavailable and write
        // nothing; once it is back, both servers and their watches carry on.
        try await PostgresAdmin.maintenance { try $0.execute("ALTER DATABASE \(database) ALLOW_CONNECTIONS false") }
        try await PostgresAdmin.terminateSessions(of: database)
        let resumed = Task {
          try await collectEvents(serverB, .prefix(b("k")), from: 4, through: 4, limit: .seconds(30))
        }
        for log in [serverA, serverB] {
          await #expect(throws: StoreError.self) { try await log.put("k3", "lost") }
          do {
            _ = try await log.get("k")
            Issue.record("read succeeded while the database refused connections")
          } catch let error as StoreError {
            #expect(error.isUnavailable)
            #expect(error.description.contains("cannot connect to PostgreSQL"), "\(error)")
          }
        }
        try await PostgresAdmin.maintenance { try $0.execute("ALTER DATABASE \(database) ALLOW_CONNECTIONS true") }
        #expect(try await serverA.put("k3", "back") == 4)
        #expect(try await serverB.get("k3")?.string == "back")
        #expect(try await resumed.value.map(\.kv.string) == ["back"])
      }
    }
  }
}
