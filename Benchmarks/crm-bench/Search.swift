import ArgumentParser
import CRMDesktop
import CRMModel
import Foundation
import GRDB

/// Online search latency: `searches` requests of `GET /api/v1/search/Account` one after the other against a
/// store of `records` records (SQLite), as an administrator (who sees every record: the widest search). Each
/// query is a word of a stored account's name and the first three letters of the next (a user typing), so every
/// query finds something and the prefix is expanded over the whole index.
enum SearchBench {
    static func run(records: Int, searches: Int, report: Report) async throws {
        let stage = try Stage(records: records)
        try stage.start()
        defer { stage.stop() }
        let command = "crm-bench search --records \(records) --searches \(searches)"
        let client = ServerClient(baseURL: URL(string: stage.url)!)
        let device = try await BenchDevice.connect(client, user: "admin")
        let names = try await DatabaseQueue(path: stage.folder.path("crm.sqlite")).read { db in
            try String.fetchAll(
                db,
                sql: "SELECT json_extract(fields, '$.name') FROM records WHERE type = 'Account' AND deleted = 0 "
                    + "ORDER BY substr(id, 25) LIMIT ?", arguments: [searches])
        }
        let queries = names.map { name -> String in
            let words = SearchTerms.words(of: name)
            guard let first = words.first else { return "a" }
            return words.count > 1 ? first + " " + String(words[1].prefix(3)) : String(first.prefix(3))
        }
        guard !queries.isEmpty else { throw BenchError("the store holds no accounts to search for") }
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
        guard empty == 0 else { throw BenchError("\(empty) searches for stored names found nothing") }
        let what = "\(searches.grouped) searches over \(records.grouped) records"
        report.add(Figure("search", "\(what): p50", latencies.median, "ms", command: command))
        report.add(Figure("search", "\(what): p99", latencies.percentile(99), "ms", command: command))
    }
}

struct SearchBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Latency of the online search route over a large store.")
    @Option(help: "Records the server holds.") var records = 1_000_000
    @Option(help: "Searches sent, one after the other.") var searches = 300
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await output.measure { report in
            try await SearchBench.run(records: records, searches: searches, report: report)
        }
    }
}
