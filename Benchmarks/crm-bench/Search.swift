import ArgumentParser
import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import GRDB

/// Online search latency: `searches` requests of `GET /api/v1/search/Account` one after the other against a
/// store of `records` records (SQLite), as an administrator (who sees every record: the widest search), then as the
/// sales rep owning the most accounts (whose visibility keeps a few of the index's matches). Each
/// query is a word of a stored account's name and the first three letters of the next (a user typing), so every
/// query finds something and the prefix is expanded over the whole index.
enum SearchBench {
    static func run(records: Int, searches: Int, postgres: Bool = false, report: Report) async throws {
        let cluster = postgres ? try await PostgresServer.start() : nil
        defer { cluster?.stop() }
        let database = try await cluster?.database(prefix: "crm_bench")
        let stage = try Stage(records: records, database: database)
        try stage.start()
        defer { stage.stop() }
        let store = StoreQuery(stage: stage, cluster: cluster, database: database)
        let command = "crm-bench search --records \(records) --searches \(searches)\(postgres ? " --postgres" : "")"
        let client = ServerClient(baseURL: URL(string: stage.url)!)
        let what = "\(searches.grouped) searches over \(records.grouped) records\(postgres ? " on PostgreSQL" : "")"
        let reps = try await store.strings(
            "SELECT owner FROM records WHERE type = 'Account' AND NOT deleted "
                + "AND (owner IN ('liam', 'emma', 'noah', 'olivia') OR owner LIKE 'rep%') "
                + "GROUP BY owner ORDER BY count(*) DESC, owner LIMIT 1")
        guard let rep = reps.first else { throw BenchError("no sales rep owns an account to search for") }
        for (user, who) in [("admin", "administrator (sees all)"), (rep, "a sales rep (sees his own)")] {
            let latencies = try await pass(store, client, user: user, searches: searches)
            report.add(Figure("search", "\(what), \(who): p50", latencies.median, "ms", command: command))
            report.add(Figure("search", "\(what), \(who): p99", latencies.percentile(99), "ms", command: command))
        }
    }

    /// `searches` searches as `user`, for names of accounts `user` owns (every account for the administrator),
    /// so each must find something: for a rep the index matches accounts of every owner and visibility keeps
    /// hers, the case where a search's cost could follow the store instead of what the caller sees.
    static func pass(_ store: StoreQuery, _ client: ServerClient, user: String, searches: Int) async throws -> [Double] {
        let device = try await BenchDevice.connect(client, user: user)
        // Owners are demo user names (letters and digits), so they are written into the SQL as they are.
        let owned = user == "admin" ? "" : "AND owner = '\(user)' "
        let names = try await store.strings(
            "SELECT \(store.nameField) FROM records WHERE type = 'Account' AND NOT deleted "
                + owned + "ORDER BY substr(id, 25) LIMIT \(searches)")
        let queries = names.map { name -> String in
            let words = SearchTerms.words(of: name)
            guard let first = words.first else { return "a" }
            return words.count > 1 ? first + " " + String(words[1].prefix(3)) : String(first.prefix(3))
        }
        guard !queries.isEmpty else { throw BenchError("the store holds no accounts of \(user) to search for") }
        var latencies: [Double] = []
        var empty = 0
        for index in 0..<searches {
            let query = queries[index % queries.count]
            var found = 0
            latencies.append(try await timed {
                found = try await client.search(type: "Account", text: query, limit: 20, cursor: nil, token: device.token)
                    .results.count
            })
            if found == 0 { empty += 1 }
        }
        guard empty == 0 else { throw BenchError("\(empty) searches of \(user) for stored names found nothing") }
        return latencies
    }
}

/// Reads the benchmark's store directly (not through the server) for the names to search for.
struct StoreQuery {
    let stage: Stage
    let cluster: PostgresServer?
    let database: String?

    /// The SQL expression of an account's name in the store's JSON.
    var nameField: String { cluster == nil ? "json_extract(fields, '$.name')" : "fields->>'name'" }

    /// The first column of each row `sql` gives.
    func strings(_ sql: String) async throws -> [String] {
        if let cluster, let name = database?.split(separator: "/").last {
            return try cluster.psql(sql, database: String(name)).split(separator: "\n").map(String.init)
        }
        return try await DatabaseQueue(path: stage.folder.path("crm.sqlite")).read { db in
            try String.fetchAll(db, sql: sql)
        }
    }
}

struct SearchBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Latency of the online search route over a large store.")
    @Option(help: "Records the server holds.") var records = 1_000_000
    @Option(help: "Searches sent, one after the other.") var searches = 300
    @Flag(help: "Run the server on a PostgreSQL cluster of the benchmark's own (initdb from PG_BIN).")
    var postgres = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await output.measure { report in
            try await SearchBench.run(records: records, searches: searches, postgres: postgres, report: report)
        }
    }
}
