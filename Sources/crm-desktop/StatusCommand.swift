import ArgumentParser
import CRMDesktop
import CRMModel
import CRMSyncProtocol
import Foundation

/// `crm-desktop status`: where this desktop syncs, what it holds, and what waits for the user. Offline.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the server, the filter, the last sync, and what waits for you.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "table (text) or json.") var format: OutputFormat = .table

    func validate() throws {
        if format == .csv { throw ValidationError("--format takes table or json here") }
    }

    func run() async throws {
        let desktop = try global.open()
        let status = try desktop.status()
        let report = StatusReport(
            status, deviceName: desktop.settings.deviceName, pim: try PIMState(desktop), mail: try desktop.mailStatus(limit: 10))
        if format == .json {
            print(try Output.json(report))
        } else {
            print(report.text(), terminator: "")
        }
    }
}

/// The status as it is printed, and its JSON shape.
struct StatusReport: Encodable {
    struct Filter: Encodable {
        var name: String?
        var parameters: [String: String]
        var pendingChange: Bool
    }

    struct FailedOp: Encodable {
        var seq: Int64
        var kind: String
        var type: String
        var id: String
        var message: String
        var issues: [FieldIssue]
    }

    var server: String
    var user: String
    var device: String
    var deviceName: String
    var packageVersion: Int?
    var filter: Filter
    var lastSync: SyncReceipt?
    var records: [String: Int]
    var unsent: Int
    var failed: [FailedOp]
    var openConflicts: Int
    var exclusions: Int
    /// Records brought here by hand (`fetch`), outside the filter.
    var fetched: Int
    var pim: PIMState
    var mail: MailStatus
    /// Types checked less often by watch and scheduled syncs.
    var checkedLessOften: [TypeFrequency]

    struct TypeFrequency: Encodable {
        var type: String
        var every: String
        var checkedAt: Date?
        var dueAt: Date?
    }

    init(_ status: DesktopStatus, deviceName: String, pim: PIMState, mail: MailStatus) {
        self.mail = mail
        server = status.server
        user = status.user
        device = status.device
        self.deviceName = deviceName
        packageVersion = status.packageVersion
        filter = Filter(name: status.filter.name, parameters: status.filter.parameters, pendingChange: status.filter.pending)
        lastSync = status.lastSync
        records = status.records
        unsent = status.pending.count
        failed = status.failed.map { op in
            FailedOp(
                seq: op.seq, kind: op.op.kind.rawValue, type: op.op.type, id: op.op.id,
                message: op.failure?.message ?? "failed", issues: op.failure?.issues ?? [])
        }
        openConflicts = status.openConflicts.count
        exclusions = status.exclusions
        checkedLessOften = status.frequency.entries.map { entry in
            TypeFrequency(
                type: entry.type, every: entry.text, checkedAt: entry.checkedAt,
                dueAt: entry.checkedAt == nil ? nil : entry.dueAt)
        }
        fetched = status.fetched
        self.pim = pim
    }

    func text() -> String {
        let parameters = filter.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var filterText = filter.name ?? "the role's default"
        if !parameters.isEmpty { filterText += " (\(parameters.joined(separator: ", ")))" }
        if filter.pendingChange { filterText += ", chosen here: the next sync puts it in force" }
        let counts = records.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        let package: String = packageVersion.map { "version \($0)" } ?? "none yet (run `crm-desktop sync`)"
        let last: String = lastSync.map { "\(Timestamp.string(from: $0.startedAt)) \($0.line)" } ?? "never"
        let held: String = counts.isEmpty ? "none" : counts.joined(separator: ", ")
        let unsentText: String = "\(unsent) \(unsent == 1 ? "edit" : "edits")" + (unsent > 0 ? " (go with the next sync)" : "")
        let failedText: String = failed.isEmpty ? "0" : "\(failed.count) (fix with `edit`, then `retry`; or `discard SEQ`)"
        var lines: [String] = [
            "Server:     \(server)", "User:       \(user)", "Device:     \(deviceName) (\(device))",
            "Package:    \(package)", "Filter:     \(filterText)", "Last sync:  \(last)", "Records:    \(held)",
            "Unsent:     \(unsentText)", "Failed:     \(failedText)",
        ]
        for op in failed {
            lines.append("  op \(op.seq): \(op.kind) \(op.type) \(op.id): \(op.message)")
            for issue in op.issues { lines.append("    \(issue.field): \(issue.message)") }
        }
        lines.append("Conflicts:  \(openConflicts) open" + (openConflicts > 0 ? " (`crm-desktop conflicts`)" : ""))
        lines.append("Excluded:   \(exclusions)" + (exclusions > 0 ? " (`crm-desktop filters` lists them)" : ""))
        for entry in checkedLessOften {
            let checked = entry.checkedAt.map { "checked \(Timestamp.string(from: $0))" } ?? "not checked yet"
            let due = entry.dueAt.map { $0 <= Date() ? ", due now" : ", next \(Timestamp.string(from: $0))" } ?? ""
            lines.append("Every \(entry.every): \(entry.type) (watch and scheduled syncs; \(checked)\(due))")
        }
        lines.append("By hand:    \(fetched)" + (fetched > 0 ? " added by hand (`crm-desktop drop TYPE ID` removes one)" : ""))
        lines += pim.lines(brief: true)
        lines += mail.lines(brief: true)
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The PIM bridge's part of the status (`status`, `pim status`): the target, the items it could not read, and
/// the records the user took out of the PIM.
struct PIMState: Encodable {
    struct Problem: Encodable {
        var collection: String
        var href: String
        /// The file (vdir) or the collection and href on the server (DAV).
        var path: String
        /// 1-based; 0 when the problem concerns the whole item.
        var line: Int
        var message: String
    }

    var target: String
    var user: String?
    var problems: [Problem]
    /// Records not written to the PIM since the user deleted their items there.
    var unshared: Int
    /// The largest share of a collection one sync may delete on either side without `--force`.
    var maxDeleteShare: Double

    init(_ desktop: Desktop) throws {
        let target = try desktop.pimTarget()
        self.target = target.description
        user = desktop.settings.pimUser
        problems = try desktop.replica.pimProblems().map {
            Problem(
                collection: $0.collection.rawValue, href: $0.href, path: target.location(of: $0.collection, href: $0.href),
                line: $0.line, message: $0.message)
        }
        unshared = try desktop.replica.unsharedIDs().count
        maxDeleteShare = desktop.settings.pimMaxDeleteShare ?? PIMSync.defaultMaxDeleteShare
    }

    /// `Deletes:    at most 50% of a collection per sync without --force`.
    static func deleteLine(_ share: Double) -> String {
        let percent =
            (share * 100).rounded() == share * 100 ? String(Int(share * 100)) : String(format: "%.1f", share * 100)
        return "Deletes:    at most \(percent)% of a collection per sync without --force (pim set --max-delete-share)"
    }

    /// The lines `status` shows (`brief`: problems and unshared only when there are any).
    func lines(brief: Bool) -> [String] {
        var lines = ["PIM:        \(target)" + (user.map { " (user \($0))" } ?? "")]
        if !brief || !problems.isEmpty {
            lines.append(
                "Unreadable: \(problems.count)" + (problems.isEmpty ? "" : " (fix or delete them; they are left untouched)"))
        }
        for problem in problems {
            lines.append("  \(problem.path)" + (problem.line > 0 ? ", line \(problem.line)" : "") + ": \(problem.message)")
        }
        if !brief || unshared > 0 {
            lines.append(
                "Unshared:   \(unshared) \(unshared == 1 ? "record" : "records")"
                    + (unshared > 0 ? " (their items were deleted in the PIM, so they are not written there again)" : ""))
        }
        if !brief || maxDeleteShare != PIMSync.defaultMaxDeleteShare { lines.append(Self.deleteLine(maxDeleteShare)) }
        return lines
    }
}
