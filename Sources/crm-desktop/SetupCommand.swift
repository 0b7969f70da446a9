import ArgumentParser
import CRMDesktop
import Foundation

/// `crm-desktop setup`: the first run assistant. Asks on a terminal for what the flags do not give.
struct SetupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Connect this desktop to a CRM server, choose what it keeps, and sync for the first time.",
        discussion: "On a terminal it asks for every answer no flag gives; without one, a missing answer is an error "
            + "naming its flag. The password is never stored: the device keeps a refresh token in the home folder.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The CRM server's address, like https://crm.example.com.") var server: String?
    @Option(help: "Your user name on the CRM server.") var user: String?
    @Flag(help: "Read the password from standard input.") var passwordStdin = false
    @Option(help: "The sync filter preset (the assistant lists them).") var filter: String?
    @Option(name: .customLong("param"), help: ArgumentHelp("A filter parameter (repeat for several).", valueName: "NAME=VALUE"))
    var parameters: [String] = []
    @Option(
        help: ArgumentHelp(
            "Where CRM contacts, events and tasks go: vdir:FOLDER (default: the home folder's pim/), dav:URL (a "
                + "CardDAV/CalDAV server) or none.", valueName: "TARGET"))
    var pim: String?
    @Option(help: "Your user name at the DAV server of --pim dav:URL.") var pimUser: String?
    @Option(help: ArgumentHelp("A file whose first line is the DAV server's password.", valueName: "FILE"))
    var pimPasswordFile: String?
    @Option(help: "This desktop's name on the server (default: the host name).") var deviceName: String?
    @Flag(help: "Drop unsent edits of another server or user when setting up again.") var discardUnsent = false
    @Flag(help: "Ask no confirmation questions.") var yes = false
    @Option(
        help: ArgumentHelp(
            "A PEM file of the certificate authority that signed the server's HTTPS certificate (a company's own "
                + "CA), trusted besides the system's; kept in the settings for every later sync.", valueName: "FILE"))
    var caFile: String?

    func validate() throws {
        if let pim { try Output.checkPIMTarget(pim, flag: "--pim") }
        _ = try Output.keyValues(parameters, flag: "--param")
    }

    func run() async throws {
        let answers = SetupAssistant.Answers(
            server: server, user: user, password: passwordStdin ? try Output.passwordFromStdin() : nil, filter: filter,
            parameters: try Output.keyValues(parameters, flag: "--param"),
            deviceName: deviceName ?? ProcessInfo.processInfo.hostName, pim: pim, pimUser: pimUser,
            pimPassword: try pimPasswordFile.map { try Output.firstLine(of: $0, flag: "--pim-password-file") },
            discardUnsent: discardUnsent, assumeYes: yes,
            caFile: caFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        let outcome = try await SetupAssistant(
            home: global.desktopHome, console: Console(), answers: answers, showsProgress: Output.stderrIsTerminal
        ).run()
        if outcome.receipt.outcome == .partial { throw ExitCode(2) }
    }
}

/// `crm-desktop login`: signs the device in again after "log in again"; the outbox stays.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login", abstract: "Sign this desktop in again (when a sync says the sign-in expired).")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Read the password from standard input.") var passwordStdin = false

    func run() async throws {
        let desktop = try global.open()
        let console = Console()
        let password: String
        if passwordStdin {
            password = try Output.passwordFromStdin()
        } else if console.isInteractive {
            password = try console.askSecret("Password for \(desktop.user) at \(desktop.settings.server)")
        } else {
            throw DesktopError(
                .invalidInput, "no terminal to ask for the password on: give it with --password-stdin",
                field: "--password-stdin")
        }
        try await desktop.login(password: password)
        console.note("Signed in again as \(desktop.user). Unsent edits go with the next `crm-desktop sync`.")
    }
}
