import ArgumentParser
import CRMDesktop
import CRMModel
import CRMSyncProtocol
import Foundation

/// `crm-desktop log`: the recent syncs of this desktop; `--server` the server's sync log of this user.
struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Show recent syncs (this desktop's, or with --server the server's log).")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Show the server's sync log of your user (all devices; needs the server).") var server = false
    @Option(help: "How many entries.") var limit = 20
    @Option(help: "table, json or csv.") var format: OutputFormat = .table

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit is from 1 to 1000") }
    }

    func run() async throws {
        let desktop = try global.open()
        if server {
            let entries = try await desktop.serverLog(limit: limit)
            if format == .json { return print(try Output.json(entries)) }
            emit(RecordTable(
                headers: ["Started", "Device", "Pulled", "Pushed", "Applied", "Merged", "Conflicts", "Rejected", "Errors"],
                rows: entries.map { entry in
                    let counts = entry.clientCounts ?? entry.counts
                    return [
                        Timestamp.string(from: entry.startedAt), RecordPresenter.shortID(entry.device)
                            + (entry.device == desktop.settings.device ? " (this)" : ""),
                    ] + Self.cells(counts) + [entry.errors.joined(separator: "; ")]
                }))
        } else {
            let receipts = try desktop.replica.receipts(limit: limit)
            if format == .json { return print(try Output.json(receipts)) }
            emit(RecordTable(
                headers: ["Started", "Outcome", "Pulled", "Pushed", "Applied", "Merged", "Conflicts", "Rejected", "Seconds", "Message"],
                rows: receipts.map { receipt in
                    [Timestamp.string(from: receipt.startedAt), receipt.outcome.rawValue] + Self.cells(receipt.counts) + [
                        String(format: "%.1f", receipt.endedAt.timeIntervalSince(receipt.startedAt)), receipt.message ?? "",
                    ]
                }))
        }
    }

    private func emit(_ table: RecordTable) {
        print(format == .csv ? table.csv() : table.table(), terminator: "")
    }

    static func cells(_ counts: SyncCounts) -> [String] {
        [counts.pulled, counts.pushed, counts.applied, counts.merged, counts.conflicts, counts.rejected].map(String.init)
    }
}
