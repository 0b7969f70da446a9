import ArgumentParser
import CRMDesktop
import Foundation

/// `crm-desktop mail`: tracking maildir folders, so that mail is shared with the CRM without a command per message.
struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail", abstract: "Share mail from maildir folders with the CRM as it arrives.",
        subcommands: [MailTrackCommand.self, MailScanCommand.self, MailStatusCommand.self, MailUntrackCommand.self],
        defaultSubcommand: MailStatusCommand.self)
}

/// `crm-desktop mail track --maildir DIR [--folder DIR...]`.
struct MailTrackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track", abstract: "Watch a maildir folder whose messages are shared, and folders for correspondence.",
        discussion: "Every message in the --maildir folder is shared (move mail there to share it, as with a share "
            + "button). In each --folder (your inbox, your sent mail), the messages to or from contacts marked "
            + "\"save correspondence\" in the CRM are shared. Folders are maildirs (cur/, new/, tmp/), as mbsync, "
            + "offlineimap, getmail and Dovecot keep them. Each `crm-desktop sync` (and `mail scan`) looks at what "
            + "arrived since; the folders are scanned once now. Tracking again keeps what is tracked: --maildir "
            + "replaces the share folder, --folder adds a folder (--no-folders first forgets the others).")

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The maildir folder whose every message is shared.", valueName: "DIR")) var maildir: String?
    @Option(help: ArgumentHelp("A maildir folder searched for correspondence with flagged contacts.", valueName: "DIR"))
    var folder: [String] = []
    @Flag(help: "Forget the correspondence folders tracked so far (the --folder given are then the only ones).")
    var noFolders = false

    func validate() throws {
        if maildir == nil && folder.isEmpty && !noFolders {
            throw ValidationError("give --maildir DIR, --folder DIR, or both (or --no-folders)")
        }
    }

    func run() async throws {
        let home = global.desktopHome
        _ = try Desktop.trackMail(home: home, shareFolder: maildir, folders: folder, replacingFolders: noFolders)
        let desktop = try global.open()
        let report = try desktop.scanMail()
        MailOutput.print(report.results)
        if report.failed > 0 { throw ExitCode(2) }
    }
}

/// `crm-desktop mail scan`: the tracked folders now, without a sync.
struct MailScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan", abstract: "Share what arrived in the tracked folders (offline).",
        discussion: "Exit status 2 when a message could not be read (it is listed in `crm-desktop mail status`).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "table (text) or json.") var format: OutputFormat = .table

    func run() async throws {
        let desktop = try global.open()
        guard desktop.tracksMail else {
            throw DesktopError(.invalidInput, "no maildir folder is tracked; choose one with `crm-desktop mail track --maildir DIR`")
        }
        let report = try desktop.scanMail()
        if format == .json { print(try Output.json(report)) } else { MailOutput.print(report.results) }
        if report.failed > 0 { throw ExitCode(2) }
    }
}

/// `crm-desktop mail status`: tracked folders, what was shared lately, and messages that could not be read.
struct MailStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the tracked folders, the emails shared lately and those not readable.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "table (text) or json.") var format: OutputFormat = .table
    @Option(help: "How many shared emails to list.") var limit = 20

    func run() async throws {
        let desktop = try global.open()
        let status = try desktop.mailStatus(limit: limit)
        if format == .json {
            print(try Output.json(status))
            return
        }
        for line in status.lines() { print(line) }
    }
}

/// `crm-desktop mail untrack`.
struct MailUntrackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "untrack", abstract: "Stop watching maildir folders; what was shared stays in the CRM.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try Desktop.untrackMail(home: global.desktopHome)
        Console().note("No maildir folder is tracked now.")
    }
}
