import ArgumentParser
import CRMDesktop
import Foundation
import Logging
import ServiceLifecycle

/// `crm-desktop sync`: one sync, or `--watch SECONDS` to keep syncing until SIGINT or SIGTERM.
///
/// Exit status: 0 success, 2 partial (conflicts or refused changes wait for you), 1 failure.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Send unsent edits and bring the server's changes.",
        discussion: "Ends with a one-line receipt. Exit status: 0 success, 2 partial (conflicts or refused "
            + "changes wait for you: `crm-desktop status`), 1 failure.")

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Keep syncing every SECONDS, and at once when something changes.", valueName: "SECONDS"))
    var watch: Int?
    @Option(help: "The receipt as text (table) or json.") var format: OutputFormat = .table
    @Flag(help: "Let the PIM sync go on past its safety stops (an emptied collection, many deletes at once).")
    var force = false
    @Flag(
        help: ArgumentHelp(
            "Send the unsent edits and bring nothing (for a slow connection); the receipt says what waits for a "
                + "full sync."))
    var pushOnly = false

    func validate() throws {
        if let watch, watch < 1 { throw ValidationError("--watch takes a number of seconds, at least 1") }
        if format == .csv { throw ValidationError("--format takes table or json here") }
        if force, watch != nil { throw ValidationError("--force goes with one sync, not with --watch") }
        if pushOnly, watch != nil { throw ValidationError("--push-only goes with one sync, not with --watch") }
    }

    func run() async throws {
        let desktop = try global.open()
        if let watch { return try await keepSyncing(desktop, every: watch) }
        let line = Output.stderrIsTerminal && format != .json ? SyncProgress.Line() : nil
        let started = Date()
        do {
            let receipt: SyncReceipt
            if let line {
                receipt = try await engine(desktop).run(progress: { progress in line.update(progress) })
                line.finish()
            } else {
                receipt = try await engine(desktop).run()
            }
            try show(receipt)
            if receipt.outcome == .partial { throw ExitCode(2) }
        } catch let error as DesktopError {
            line?.finish()
            if let failed = try? desktop.replica.receipts(limit: 1).first, failed.outcome == .failed,
                failed.startedAt >= started.addingTimeInterval(-1)
            {
                try show(failed)
            }
            throw Self.explained(error, desktop: desktop)
        }
    }

    private func engine(_ desktop: Desktop) -> SyncEngine {
        desktop.engine(.init(pushOnly: pushOnly), force: force)
    }

    private func show(_ receipt: SyncReceipt) throws {
        print(format == .json ? try Output.json(receipt) : receipt.line)
    }

    /// The error, saying what became of the unsent edits when the server was out of reach.
    static func explained(_ error: DesktopError, desktop: Desktop) -> DesktopError {
        guard error.code == .unreachable else { return error }
        var explained = error
        let unsent = (try? desktop.replica.outbox().count) ?? 0
        explained.message += unsent == 0
            ? "; nothing waits to be sent, and the replica is as the last sync left it"
            : "; your \(unsent) unsent \(unsent == 1 ? "edit stays" : "edits stay") queued and go with the next sync"
        return explained
    }

    /// `--watch`: a `SyncWatcher` in a service group that stops gracefully on SIGINT and SIGTERM.
    private func keepSyncing(_ desktop: Desktop, every seconds: Int) async throws {
        var logger = Logger(label: "crm-desktop")
        logger.logLevel = .warning
        let json = format == .json
        let watcher = SyncWatcher(
            desktop: desktop, interval: .seconds(seconds),
            onReceipt: { receipt in
                let text = json ? ((try? Output.json(receipt)) ?? receipt.line) : receipt.line
                FileHandle.standardOutput.write(Data((text + "\n").utf8))
            },
            onError: { error in
                let text = (error as? DesktopError).map { Self.explained($0, desktop: desktop).description }
                    ?? String(describing: error)
                FileHandle.standardError.write(Data("error: \(text)\n".utf8))
            })
        let group = ServiceGroup(
            configuration: .init(services: [watcher], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        FileHandle.standardError.write(
            Data("Syncing every \(seconds) s and whenever something changes; stop with Ctrl-C.\n".utf8))
        do {
            try await group.run()
        } catch is DesktopError {
            throw ExitCode.failure  // already reported by onError
        }
    }
}
