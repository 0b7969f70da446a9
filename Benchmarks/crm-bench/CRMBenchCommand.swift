import ArgumentParser
import Foundation

/// `crm-bench`: the performance scenarios of docs/PERFORMANCE.md, run against the release binaries built beside
/// it. Each prints its figures with the target and, where one exists, the limit or peer measured in the same run.
@main
struct CRMBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm-bench",
        abstract: "Measure the CRM's sync, server and PIM figures against their targets.",
        discussion: "Build in release mode first: swift build -c release --scratch-path .build-release",
        subcommands: [
            RunAll.self, Generate.self, FirstSyncCommand.self, IncrementalCommand.self, PushCommand.self,
            LiveCommand.self, ClientsCommand.self, PIMBenchCommand.self, CurveCommand.self, SearchBenchCommand.self,
        ])
}

/// Options every scenario takes: where to write the figures.
struct OutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Also write the figures as JSON to FILE.", valueName: "FILE")) var json: String?
    @Option(help: ArgumentHelp("Also write the figures as a Markdown table to FILE.", valueName: "FILE"))
    var markdown: String?

    /// Runs `body` with a new report and writes the report where asked.
    func measure(_ body: (Report) async throws -> Void) async throws {
        let report = Report()
        try await body(report)
        try finish(report)
    }

    func finish(_ report: Report) throws {
        if let json { try report.write(json: json) }
        if let markdown { try report.markdown().write(toFile: markdown, atomically: true, encoding: .utf8) }
    }
}

/// `crm-bench run`: every scenario at one size.
struct RunAll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run every scenario at one size.",
        discussion: "smoke: small sizes that keep the scenarios working (CI runs it); standard: the targets at 100k "
            + "records and 1,000 clients; full: standard plus 1M records.")

    enum Size: String, ExpressibleByArgument, CaseIterable {
        case smoke, standard, full
    }

    @Option(help: "smoke, standard or full.") var size: Size = .standard
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let report = Report()
        let smoke = size == .smoke
        var failures: [String] = []
        func scenario(_ name: String, _ body: () async throws -> Void) async {
            do {
                try await body()
            } catch {
                print("\(name) failed: \(error)")
                failures.append(name)
            }
        }
        await scenario("first sync") { _ = try FirstSync.run(records: smoke ? 2_000 : 100_000, report: report) }
        if size == .full {
            await scenario("first sync 1M") { _ = try FirstSync.run(records: 1_000_000, report: report) }
        }
        await scenario("incremental") {
            try await Incremental.scaling(small: smoke ? 1_000 : 10_000, large: smoke ? 5_000 : (size == .full ? 1_000_000 : 100_000),
                changes: smoke ? 100 : 1_000, report: report)
        }
        await scenario("push") { try await Push.run(records: smoke ? 1_000 : 50_000, ops: smoke ? 500 : 20_000, report: report) }
        await scenario("live") { try await Live.run(writes: smoke ? 3 : 20, report: report) }
        await scenario("clients") {
            try await Clients.run(
                Clients.Load(
                    clients: smoke ? 20 : 1_000, records: smoke ? 2_000 : 10_000, interval: smoke ? 2 : 30,
                    duration: smoke ? 5 : 60), report: report)
        }
        await scenario("search") {
            try await SearchBench.run(
                records: smoke ? 2_000 : (size == .full ? 1_000_000 : 100_000), searches: smoke ? 50 : 300, report: report)
        }
        await scenario("pim") { try await PIMBench.run(contacts: smoke ? 200 : 10_000, davContacts: smoke ? 100 : 1_000, report: report) }
        try output.finish(report)
        if !failures.isEmpty { throw BenchError("scenarios that could not run: \(failures.joined(separator: ", "))") }
    }
}

/// `crm-bench generate`: the demo-data generator alone.
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time the demo-data generator into a new SQLite store.")
    @Option(help: "How many records.") var records = 100_000
    @Option(help: "How many demo users.") var users = DemoUsers.defaultCount
    @Option(help: ArgumentHelp("A PostgreSQL store to fill instead (postgres://...; it should be empty).", valueName: "URL"))
    var database: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await output.measure { report in
            let stage = try Stage(records: records, users: users, database: database)
            report.add(
                Figure(
                    "generate", "demo data, \(records.grouped) records into \(database == nil ? "SQLite" : "PostgreSQL")",
                    Double(records) / stage.generated, "records/s", better: .higher,
                    target: 1_000_000 / 60, command: "crm-bench generate --records \(records)"))
        }
    }
}

struct FirstSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "first-sync", abstract: "A fresh desktop's first sync, beside the raw-insert limit.")
    @Option(help: "How many records the server holds (the desktop brings them all).") var records = 100_000
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await output.measure { report in
            _ = try FirstSync.run(records: records, report: report)
        }
    }
}
