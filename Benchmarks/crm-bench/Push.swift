import ArgumentParser
import CRMDesktop
import CRMSyncProtocol
import Foundation

/// Push throughput: a device pushes edits of existing records, then new records, in batches of 1,000 ops; the
/// figure is ops applied per second, answers included.
enum Push {
    static func run(records: Int, ops: Int, report: Report) async throws {
        let stage = try Stage(records: records)
        try stage.start()
        defer { stage.stop() }
        let command = "crm-bench push --records \(records) --ops \(ops)"
        let device = try await BenchDevice.connect(ServerClient(baseURL: URL(string: stage.url)!), user: "admin")
        let held = try HeldRecord.sample(replica: stage.folder.path("crm.sqlite"), count: min(ops, records))
        let updates = held.map { Edits.update($0, "pushed") }
        let creates = (0..<ops).map { Edits.newAccount("Bench push \($0)", owner: "liam") }
        for (name, batch) in [("updates", updates), ("creates", creates)] {
            let (results, milliseconds) = try await device.push(batch)
            let applied = results.filter { $0.status == .applied }.count
            guard applied == batch.count else { throw BenchError("\(batch.count - applied) pushed \(name) were not applied") }
            report.add(
                Figure(
                    "push", "\(batch.count.grouped) \(name) in batches of 1,000", Double(batch.count) / milliseconds * 1000,
                    "ops/s", better: .higher, target: 20_000, command: command))
        }
    }
}

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "push", abstract: "Ops the server applies per second.")
    @Option(help: "Records the server holds.") var records = 50_000
    @Option(help: "Ops of each kind pushed.") var ops = 20_000
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let report = Report()
        try await Push.run(records: records, ops: ops, report: report)
        try output.finish(report)
    }
}
