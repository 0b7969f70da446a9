import ArgumentParser
import CRMDesktop
import Foundation

/// `crm-desktop pim`: the bridge to the user's address book, calendar and to-do list.
struct PIMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pim", abstract: "Choose where CRM contacts, events and tasks go, and sync them alone.",
        subcommands: [PIMSetCommand.self, PIMSyncCommand.self, PIMStatusCommand.self],
        defaultSubcommand: PIMStatusCommand.self)
}

/// `crm-desktop pim set [TARGET] [--max-delete-share SHARE]`: another target (the next sync writes everything
/// there), and how much one sync may delete before it stops.
struct PIMSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Choose where CRM contacts, events and tasks go, and the safety stop's share.",
        discussion: "TARGET is vdir:FOLDER (a folder khal, khard and vdirsyncer read), dav:URL (a CardDAV/CalDAV "
            + "server) or none. The target is checked first; the next sync writes every record into it. Records "
            + "whose items you deleted in the PIM stay out. --max-delete-share sets how much of a collection one "
            + "sync may delete on either side before it stops and asks for --force (default 0.5).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "none, vdir:FOLDER or dav:URL.") var target: String?
    @Option(help: "Your user name at the DAV server (default: the one kept for the same server).") var pimUser: String?
    @Option(help: ArgumentHelp("A file whose first line is the DAV server's password.", valueName: "FILE"))
    var pimPasswordFile: String?
    @Option(
        help: ArgumentHelp("The largest share of a collection one sync may delete without --force.", valueName: "SHARE"))
    var maxDeleteShare: Double?

    func validate() throws {
        guard target != nil || maxDeleteShare != nil else {
            throw ValidationError("give TARGET, --max-delete-share, or both")
        }
        if let target { try Output.checkPIMTarget(target, flag: "TARGET") }
        if let share = maxDeleteShare, !(share > 0 && share <= 1) {
            throw ValidationError("--max-delete-share takes a share above 0 and at most 1 (0.5: half), not \(share)")
        }
    }

    func run() async throws {
        var desktop = try global.open()
        let console = Console()
        if let maxDeleteShare {
            desktop = try desktop.setPIMMaxDeleteShare(maxDeleteShare)
            console.printLine(PIMState.deleteLine(maxDeleteShare))
        }
        guard let text = target else { return }
        let target = try PIMTarget(text, field: "TARGET")
        var user = pimUser
        var password = try pimPasswordFile.map { try Output.firstLine(of: $0, flag: "--pim-password-file") }
        if case .dav(let url) = target, password == nil, console.isInteractive {
            let kept = desktop.home.keptPIMCredentials(for: target, settings: desktop.settings)
            if user == nil { user = try kept.user ?? console.ask("User name at \(url.host ?? "the server")", default: desktop.user) }
            if kept.password == nil, let user, !user.isEmpty {
                password = try console.askSecret("Password for \(user) at \(url.host ?? "the server")")
            }
        }
        if user?.isEmpty == true { user = nil }
        let changed = try await desktop.changePIM(to: target, user: user, password: password)
        console.printLine(try changed.pimTarget().summary)
        if target != .none { console.note("The next `crm-desktop sync` (or `crm-desktop pim sync`) writes them there.") }
    }
}

/// `crm-desktop pim sync`: the PIM part of a sync alone, without the server.
struct PIMSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Sync the PIM alone: take its edits, write the CRM's records (offline).",
        discussion: "Edits taken from the PIM go to the server with the next `crm-desktop sync`. Exit status: 0, "
            + "2 when items could not be read or a safety stop held a collection (`crm-desktop pim status`), 1 failure.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Go on past the safety stops (an emptied collection, many deletes at once).") var force = false

    func run() async throws {
        let desktop = try global.open()
        let report = try await desktop.pimOnlySync(force: force)
        print(report.line)
        if report.fromPIM + report.shared + report.deletedInCRM > 0 {
            Console().note("Changes taken from the PIM go to the server with the next `crm-desktop sync`.")
        }
        if report.problems > 0 || !report.stopped.isEmpty { throw ExitCode(2) }
    }
}

/// `crm-desktop pim status`: the target, unreadable items and unshared records.
struct PIMStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the PIM target, the items that could not be read, and unshared records.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "table (text) or json.") var format: OutputFormat = .table

    func validate() throws {
        if format == .csv { throw ValidationError("--format takes table or json here") }
    }

    func run() async throws {
        let state = try PIMState(try global.open())
        print(format == .json ? try Output.json(state) : state.lines(brief: false).joined(separator: "\n"))
    }
}
