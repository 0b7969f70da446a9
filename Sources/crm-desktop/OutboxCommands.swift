import ArgumentParser
import CRMDesktop
import Foundation

/// `crm-desktop retry [SEQ] [--insist]`: failed ops go back to pending for the next sync.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Send failed edits again with the next sync (all, or one by its number).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The failed op's number (`crm-desktop status` lists them); all when absent.") var seq: Int64?
    @Flag(help: "Create records even where the server found a duplicate.") var insist = false

    func run() async throws {
        let desktop = try global.open()
        if let seq, try !desktop.replica.outbox().contains(where: { $0.seq == seq && $0.state == .failed }) {
            throw DesktopError(.notFound, "no failed op \(seq); `crm-desktop status` lists them", field: "SEQ")
        }
        let count = try desktop.replica.retry(opSeq: seq, insist: insist)
        Console().note(
            count == 0 ? "No failed edits." : "\(count) \(count == 1 ? "edit goes" : "edits go") again with the next sync.")
    }
}

/// `crm-desktop discard SEQ`: drops a failed op for good (asks first on a terminal).
struct DiscardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discard", abstract: "Drop an edit from the outbox for good.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The op's number (`crm-desktop status` lists them).") var seq: Int64
    @Flag(help: "Do not ask.") var yes = false

    func run() async throws {
        let desktop = try global.open()
        guard let op = try desktop.replica.outbox().first(where: { $0.seq == seq }) else {
            throw DesktopError(.notFound, "the outbox has no op \(seq); `crm-desktop status` lists them", field: "SEQ")
        }
        let console = Console()
        if console.isInteractive && !yes {
            console.note("  \(op.op.summary)")
            guard try console.confirm("Drop this edit for good?", default: false) else {
                return console.note("Nothing was dropped.")
            }
        }
        let dropped = try desktop.replica.discard(opSeq: seq)
        console.note("Dropped:\n" + dropped.map { "  \($0.op.summary)" }.joined(separator: "\n"))
    }
}

/// `crm-desktop rebuild`: moves a damaged replica aside; the next sync rebuilds it from the server.
struct RebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Move a damaged replica aside so the next sync rebuilds it from the server.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let outcome = try Desktop.rebuild(home: global.desktopHome)
        print("The old replica is kept at \(outcome.aside).")
        if let unreadable = outcome.unreadable {
            print("Its unsent edits could not be read (\(unreadable)); they stay in that file.")
        } else {
            print("Carried over: \(outcome.carriedOps) unsent edits, \(outcome.carriedExclusions) records removed from this desktop.")
        }
        print("Run `crm-desktop sync` to fill the new replica from the server.")
    }
}
