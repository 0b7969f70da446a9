import ArgumentParser
import CRMDesktop
import Foundation

/// Incremental syncs of a desktop that holds every record: with nothing changed, and after `changes` edits made
/// elsewhere; measured against a small and a large store in the same run, so the ratio shows whether the cost
/// follows the changes or the database.
enum Incremental {
    struct Outcome {
        var noChange: Double
        var changed: Double
    }

    static func scaling(small: Int, large: Int, changes: Int, report: Report) async throws {
        let command = "crm-bench incremental --small \(small) --large \(large) --changes \(changes)"
        let few = try await measure(records: small, changes: changes)
        let many = try await measure(records: large, changes: changes)
        for (records, outcome) in [(small, few), (large, many)] {
            report.add(
                Figure(
                    "incremental", "no change, \(records.grouped) records held", outcome.noChange, "ms", target: 20,
                    command: command))
            report.add(
                Figure(
                    "incremental", "\(changes.grouped) changes, \(records.grouped) records held", outcome.changed, "ms",
                    target: changes >= 1000 ? 300 * Double(changes) / 1000 : nil, command: command))
        }
        report.add(
            Figure(
                "scaling", "no change: \(large.grouped) against \(small.grouped) records", many.noChange, "ms",
                reference: ("\(small.grouped) records", few.noChange), ratioTarget: 1.5, command: command))
        report.add(
            Figure(
                "scaling", "\(changes.grouped) changes: \(large.grouped) against \(small.grouped) records", many.changed,
                "ms", reference: ("\(small.grouped) records", few.changed), ratioTarget: 1.5, command: command))
    }

    /// Median milliseconds of the two incremental syncs on a store of `records`.
    static func measure(records: Int, changes: Int, rounds: Int = 5) async throws -> Outcome {
        let stage = try Stage(records: records)
        try stage.start()
        defer { stage.stop() }
        let home = DesktopHome(path: stage.folder.path("desktop"))
        try stage.setUpDesktop(home: home.path)
        let engine = try Desktop.open(home: home).engine()
        _ = try await engine.run()
        var idle: [Double] = []
        for _ in 0..<(rounds * 2 + 1) { idle.append(try await timed { _ = try await engine.run() }) }

        let writer = try await BenchDevice.connect(ServerClient(baseURL: URL(string: stage.url)!), user: "admin")
        var changed: [Double] = []
        for round in 0..<rounds {
            let edits = try HeldRecord.sample(replica: home.replicaPath, count: changes, skip: round * changes)
                .map { Edits.update($0, "round \(round)") }
            let results = try await writer.push(edits).results
            guard results.allSatisfy({ $0.status == .applied }) else {
                throw BenchError("the writer's edits were not all applied: \(results.filter { $0.status != .applied }.prefix(3))")
            }
            var receipt: SyncReceipt?
            changed.append(try await timed { receipt = try await engine.run() })
            guard let pulled = receipt?.counts.pulled, pulled >= changes else {
                throw BenchError("the incremental sync pulled \(receipt?.counts.pulled ?? 0) records, not \(changes)")
            }
        }
        return Outcome(noChange: idle.median, changed: changed.median)
    }
}

/// Milliseconds `body` took.
func timed(_ body: () async throws -> Void) async rethrows -> Double {
    let clock = ContinuousClock()
    let started = clock.now
    try await body()
    return (clock.now - started).milliseconds
}

extension Array where Element == Double {
    var median: Double { percentile(50) }

    /// The value at `percent` (nearest rank).
    func percentile(_ percent: Double) -> Double {
        guard !isEmpty else { return 0 }
        let sorted = self.sorted()
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[Swift.min(sorted.count - 1, Swift.max(0, rank))]
    }
}

struct IncrementalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incremental", abstract: "Incremental syncs with no change and with changes, at two store sizes.")
    @Option(help: "Records of the small store.") var small = 10_000
    @Option(help: "Records of the large store.") var large = 100_000
    @Option(help: "Changes made elsewhere before each measured sync.") var changes = 1000
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await output.measure { report in
            try await Incremental.scaling(small: small, large: large, changes: changes, report: report)
        }
    }
}
