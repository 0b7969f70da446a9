import CRMModel
import CRMSyncProtocol
import Foundation

/// `crm-desktop setup`, the first run assistant: asks, step by step, for what its flags did not answer (the
/// server's address, checked by reaching it; the user; the password, without echo), signs the device in, asks
/// where CRM contacts, events and tasks go (a vdir folder, a CardDAV/CalDAV server, or nowhere), shows the
/// role's sync filters and lets the user pick one and its parameters, then runs the first sync, which also
/// writes the PIM.
///
/// Without a person at the console, a missing answer is an error naming its flag. `DesktopSetup` does the
/// server side of the work; this asks the questions, so a scripted `Console` can drive it in tests.
public struct SetupAssistant: Sendable {
    /// The answers given as flags; nil (or empty) ones are asked on a terminal.
    public struct Answers: Sendable, Equatable {
        public var server: String?
        public var user: String?
        public var password: String?
        public var filter: String?
        public var parameters: [String: String]
        public var deviceName: String
        /// Where PIM data goes (`none`, `vdir:PATH`, `dav:URL`); nil: asked on a terminal, else the target this
        /// home has for the same account, else `vdir:<home>/pim`.
        public var pim: String?
        /// The DAV server's user name and password (`--pim-user`, `--pim-password-file`).
        public var pimUser: String?
        public var pimPassword: String?
        /// The IANA zone date windows use (nil: the machine's).
        public var timeZone: String?
        /// Drop unsent edits of another server or user (`--discard-unsent`).
        public var discardUnsent: Bool
        /// Ask no confirmation questions (`--yes`).
        public var assumeYes: Bool
        /// The certificate authority that signed the server's certificate (`--ca-file`), trusted besides the
        /// system's.
        public var caFile: String?

        public init(
            server: String? = nil, user: String? = nil, password: String? = nil, filter: String? = nil,
            parameters: [String: String] = [:], deviceName: String, pim: String? = nil, pimUser: String? = nil,
            pimPassword: String? = nil, timeZone: String? = nil, discardUnsent: Bool = false, assumeYes: Bool = false,
            caFile: String? = nil
        ) {
            self.caFile = caFile
            self.server = server
            self.user = user
            self.password = password
            self.filter = filter
            self.parameters = parameters
            self.deviceName = deviceName
            self.pim = pim
            self.pimUser = pimUser
            self.pimPassword = pimPassword
            self.timeZone = timeZone
            self.discardUnsent = discardUnsent
            self.assumeYes = assumeYes
        }
    }

    /// A PIM target with the DAV server's credentials.
    struct PIMChoice: Sendable {
        var target: PIMTarget
        var user: String?
        var password: String?
    }

    /// What setup did.
    public struct Outcome: Sendable {
        public var settings: DesktopSettings
        public var filter: FilterChoice
        public var receipt: SyncReceipt
        /// Records on the desktop after the first sync, by type.
        public var counts: [String: Int]
    }

    public let home: DesktopHome
    public let console: Console
    public let answers: Answers
    /// Whether to draw a progress bar during the first sync (standard error is a terminal).
    public let showsProgress: Bool

    public init(home: DesktopHome, console: Console, answers: Answers, showsProgress: Bool? = nil) {
        self.home = home
        self.console = console
        self.answers = answers
        self.showsProgress = showsProgress ?? console.isInteractive
    }

    /// Runs the assistant to the end of the first sync.
    public func run() async throws -> Outcome {
        let previous = try? home.settings()
        if let previous {
            console.note("This desktop (\(home.path)) is set up for \(previous.user) at \(previous.server).")
        }
        let server = try await askServer(previous: previous?.server)
        let user = try askUser(previous: previous?.user)
        try confirmReplacement(server: server, user: user, previous: previous)
        // The same account keeps its replica, and with it what the bridge knows of the PIM target it had.
        let kept = previous.flatMap { $0.server == server && $0.user == user ? $0 : nil }
        let flagged = try await pimFromFlags(kept: kept)
        let (signedIn, replica) = try await signIn(server: server, user: user, pim: kept?.pim ?? "none")
        console.note("Signed in as \(signedIn.user); this desktop is device \(signedIn.device) (\(signedIn.deviceName)).")
        var pim = flagged
        if pim == nil { pim = try await askPIM(kept: kept, crmUser: signedIn.user) }
        // Saved before the first sync, which writes the PIM the settings name.
        let settings = try home.keepPIM(
            pim?.target ?? .none, user: pim?.user, password: pim?.password, settings: signedIn, previous: kept,
            replica: replica)

        let desktop = try Desktop.open(home: home)
        let package = try await desktop.connection.call { client, token in try await client.package(token: token) }
        let presets = package.filters ?? []
        let sameAccount = previous.map { $0.server == settings.server && $0.user == settings.user } ?? false
        let current = sameAccount ? try desktop.replica.filter() : nil
        var choice = try chooseFilter(presets, current: current, role: package.role, askAgain: false)
        for attempt in 0...Console.reaskLimit {
            if let choice { try desktop.replica.chooseFilter(choice.name, parameters: choice.parameters) }
            do {
                let receipt = try await firstSync(desktop)
                var counts = try desktop.replica.counts()
                counts[ConflictRecord.typeName] = nil
                console.printLine(receipt.line)
                console.printLine(Self.countsLine(counts))
                console.printLine(try desktop.pimTarget().summary)
                console.note("Try `crm-desktop list \(counts.keys.sorted().first ?? "Account")`.")
                return Outcome(settings: settings, filter: try desktop.replica.filter(), receipt: receipt, counts: counts)
            } catch let error as DesktopError where error.code == .declined && console.isInteractive {
                guard attempt < Console.reaskLimit, !presets.isEmpty else { throw error }
                choice = try chooseFilter(presets, current: nil, role: package.role, askAgain: true)
            } catch let error as DesktopError where error.code == .refused && error.status == 422 {
                console.note(error.description)
                guard console.isInteractive, attempt < Console.reaskLimit, !presets.isEmpty else {
                    throw DesktopError(
                        .invalidInput,
                        "\(error.message). Choose another filter or other parameters with --filter and --param "
                            + "(or later with `crm-desktop filters --set`)", field: "--filter", status: 422)
                }
                choice = try chooseFilter(presets, current: nil, role: package.role, askAgain: true)
            }
        }
        throw DesktopError(.invalidInput, "no filter the server accepts was chosen", field: "--filter")
    }

    // MARK: - Steps

    /// The server's address: the flag's, or asked (and asked again while it cannot be reached).
    func askServer(previous: String?) async throws -> String {
        if let server = answers.server, !server.isEmpty { return Self.normalized(server) }
        guard console.isInteractive else { throw missing("the CRM server's address", flag: "--server") }
        for _ in 0...Console.reaskLimit {
            let server = Self.normalized(try console.ask("CRM server address (like https://crm.example.com)", default: previous))
            guard !server.isEmpty else { continue }
            do {
                try await Self.checkServer(server, caFile: answers.caFile)
                return server
            } catch let error as DesktopError {
                console.note("\(error.description)\nCheck the address and type it again.")
            }
        }
        throw DesktopError(.invalidInput, "no CRM server could be reached at the addresses given", field: "--server")
    }

    func askUser(previous: String?) throws -> String {
        if let user = answers.user, !user.isEmpty { return user }
        guard console.isInteractive else { throw missing("the user name", flag: "--user") }
        for _ in 0...Console.reaskLimit {
            let user = try console.ask("User name", default: previous)
            if !user.isEmpty { return user }
        }
        throw missing("the user name", flag: "--user")
    }

    /// Setting up for another server or user rebuilds the replica: says so, shows unsent edits that would go
    /// (refusing without `--discard-unsent`), and asks to go on unless `--yes`.
    func confirmReplacement(server: String, user: String, previous: DesktopSettings?) throws {
        guard let previous, previous.server != server || previous.user != user else { return }
        console.note(
            "Setting it up for \(user) at \(server) rebuilds the replica from that server; the records of "
                + "\(previous.user) leave this desktop.")
        let unsent = try DesktopSetup(home: home).unsentEditsInTheWay(server: server, user: user)
        if !unsent.isEmpty {
            let list = unsent.map { "  " + $0.op.summary }.joined(separator: "\n")
            guard answers.discardUnsent else {
                throw DesktopError(
                    .unsentEdits,
                    "this desktop has \(unsent.count) unsent edits of \(previous.user) at \(previous.server); sync them "
                        + "first (`crm-desktop sync`), or set up again with --discard-unsent to drop them:\n" + list,
                    field: "--discard-unsent")
            }
            console.note("These \(unsent.count) unsent edits will be dropped:\n" + list)
        }
        guard console.isInteractive, !answers.assumeYes else { return }
        guard try console.confirm("Rebuild this desktop for \(user) at \(server)?", default: false) else {
            throw DesktopError(.invalidInput, "setup stopped; nothing was changed", field: "--yes")
        }
    }

    /// Signs in and registers the device; a wrong typed password is asked again.
    func signIn(server: String, user: String, pim: String) async throws -> (DesktopSettings, Replica) {
        var password = answers.password
        for _ in 0...Console.reaskLimit {
            if password == nil {
                guard console.isInteractive else { throw missing("the password", flag: "--password-stdin") }
                password = try console.askSecret("Password for \(user)")
            }
            do {
                return try await DesktopSetup(home: home).connect(
                    server: server, user: user, password: password ?? "", deviceName: answers.deviceName,
                    pim: pim, timeZone: answers.timeZone, discardUnsent: answers.discardUnsent, caFile: answers.caFile,
                    client: ServerClient.desktop(server, caFile: answers.caFile))
            } catch let error as DesktopError where error.status == 401 && answers.password == nil {
                console.note("\(error.message). Type the password again.")
                password = nil
            }
        }
        throw DesktopError(.refused, "the server refused the password of \(user)", field: "--password-stdin", status: 401)
    }

    /// The PIM target of `--pim`, checked before the device is registered (a folder that cannot be made or a DAV
    /// server that cannot be reached fails here, naming the flag); nil when not given, or when the check failed on
    /// a terminal (the question is asked then).
    func pimFromFlags(kept: DesktopSettings?) async throws -> PIMChoice? {
        guard let text = answers.pim, !text.isEmpty else { return nil }
        let target = try PIMTarget(text)
        let credentials = home.keptPIMCredentials(for: target, settings: kept)
        let choice = PIMChoice(
            target: target, user: answers.pimUser ?? credentials.user, password: answers.pimPassword ?? credentials.password)
        do {
            try await target.check(user: choice.user, password: choice.password)
            return choice
        } catch let error as DesktopError where console.isInteractive {
            console.note("\(error.description)\nChoose where they go instead.")
            return nil
        }
    }

    /// Where CRM contacts, events and tasks go, asked on a terminal (a choice that cannot be used is asked
    /// again). Without one: the target this home has for the same account, else the embedded default, a vdir
    /// folder in the home folder.
    func askPIM(kept: DesktopSettings?, crmUser: String) async throws -> PIMChoice {
        let current = kept.flatMap { try? PIMTarget($0.pim) }
        guard console.isInteractive else {
            if let kept, let current { return PIMChoice(target: current, user: kept.pimUser, password: home.pimPassword()) }
            return PIMChoice(target: .vdir(path: home.defaultPIMFolder))
        }
        var folder = home.defaultPIMFolder
        var address: String?
        var kind = "vdir"
        switch current {
        case .vdir(let path)?: folder = path
        case .dav(let url)?: (address, kind) = (url.absoluteString, "dav")
        case .none?: kind = "none"
        case nil: break
        }
        for _ in 0...Console.reaskLimit {
            kind = try console.choose(
                "Where should CRM contacts, events and tasks go?",
                options: [
                    ("vdir", "a folder of vCard and iCalendar files (khal, khard, vdirsyncer), like \(folder)"),
                    ("dav", "a CardDAV/CalDAV server (Nextcloud, Radicale, a phone's account)"),
                    ("none", "nowhere: they stay in the CRM only"),
                ], default: kind)
            let choice: PIMChoice
            do {
                switch kind {
                case "none":
                    return PIMChoice(target: .none)
                case "vdir":
                    folder = try console.ask("Folder", default: folder)
                    choice = PIMChoice(target: try PIMTarget("vdir:" + folder))
                default:
                    address = try console.ask("CardDAV/CalDAV server address (like https://dav.example.com/)", default: address)
                    let target = try PIMTarget("dav:" + (address ?? ""))
                    let credentials = home.keptPIMCredentials(for: target, settings: kept)
                    let host = address.flatMap { URL(string: $0)?.host } ?? "the server"
                    let user = try console.ask(
                        "User name at \(host)", default: answers.pimUser ?? credentials.user ?? crmUser)
                    var password = answers.pimPassword
                    if password == nil, !user.isEmpty {
                        let typed = try console.askSecret(
                            "Password for \(user) at \(host)" + (credentials.password == nil ? "" : " (empty: the one kept)"))
                        password = typed.isEmpty ? credentials.password : typed
                    }
                    choice = PIMChoice(target: target, user: user.isEmpty ? nil : user, password: password)
                }
                try await choice.target.check(user: choice.user, password: choice.password)
                return choice
            } catch let error as DesktopError where error.code != .invalidInput || error.field != nil {
                console.note("\(error.description)\nChoose again.")
            }
        }
        throw DesktopError(.invalidInput, "no PIM target that can be used was chosen", field: "--pim")
    }

    /// The filter and its parameters: the flags', else asked on a terminal, else the role's default (nil when
    /// the package has no presets: the server's default applies).
    func chooseFilter(_ presets: [SyncFilter], current: FilterChoice?, role: RoleInfo?, askAgain: Bool) throws
        -> (name: String, parameters: [String: String])?
    {
        guard !presets.isEmpty else { return nil }
        let roleDefault = presets.first(where: \.isDefault)?.name ?? presets[0].name
        let preselected = current?.name.flatMap { name in presets.contains { $0.name == name } ? name : nil } ?? roleDefault
        let interactive = console.isInteractive
        for _ in 0...Console.reaskLimit {
            let name: String
            if let flag = answers.filter, !flag.isEmpty, !askAgain {
                name = flag
            } else if interactive {
                console.note("Sync filters: which records this desktop keeps" + (role.map { " (role \($0.label))" } ?? ""))
                name = try console.choose(
                    "Filter", options: presets.map { ($0.name, Self.describe($0, roleDefault: roleDefault)) },
                    default: preselected)
            } else {
                name = preselected
            }
            var parameters = askAgain ? [:] : answers.parameters
            let preset = presets.first { $0.name == name }
            for parameter in preset?.parameters ?? [] where parameters[parameter.name] == nil && interactive {
                let known = name == current?.name ? current?.parameters[parameter.name] : nil
                parameters[parameter.name] = try console.ask(
                    "\(parameter.label) (\(parameter.name))", default: known ?? parameter.default)
            }
            parameters = parameters.filter { !$0.value.isEmpty }
            do {
                try FilterChoiceCheck.check(name: name, parameters: parameters, presets: presets)
                return (name, parameters)
            } catch let error as DesktopError where interactive {
                console.note(error.description)
                if answers.filter != nil || !answers.parameters.isEmpty { throw error }
            }
        }
        throw DesktopError(.invalidInput, "no valid filter was chosen", field: "--filter")
    }

    /// The first sync, with a progress bar when asked for. On a terminal (without `--yes`) the begin's preview
    /// is shown and the user confirms it or goes back to choose another filter.
    func firstSync(_ desktop: Desktop) async throws -> SyncReceipt {
        console.note("First sync with \(desktop.settings.server)...")
        let console = console
        var confirm: (@Sendable ([String: Int]) async throws -> Bool)?
        if console.isInteractive, !answers.assumeYes, answers.filter == nil {
            confirm = { @Sendable preview in
                let total = preview.values.reduce(0, +)
                let parts = preview.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                console.note("The filter brings \(total) records: \(parts.joined(separator: ", "))")
                return try console.confirm("Sync them now (no: choose another filter)?", default: true)
            }
        }
        guard showsProgress else { return try await desktop.engine().run(confirm: confirm) }
        let output = console.output
        let line = SyncProgress.Line(write: { text in output.write(text, to: .diagnostics) })
        defer { line.finish() }
        return try await desktop.engine().run(progress: { progress in line.update(progress) }, confirm: confirm)
    }

    // MARK: - Helpers

    /// Checks that `server` is an http(s) address of a CRM server that answers.
    public static func checkServer(_ server: String, caFile: String? = nil) async throws {
        guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw DesktopError(
                .invalidInput, "'\(server)' is not a server address; write it like https://crm.example.com",
                field: "--server")
        }
        try await (ServerClient.desktop(server, caFile: caFile) ?? ServerClient(baseURL: url)).checkServer()
    }

    /// The address without surrounding spaces and trailing slashes, so the same server is always the same text.
    static func normalized(_ server: String) -> String {
        var text = server.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// A preset as an option: its label, whether it is the role's default, and its parameters with defaults.
    static func describe(_ preset: SyncFilter, roleDefault: String) -> String {
        var text = preset.label
        var notes: [String] = []
        if preset.name == roleDefault { notes.append("your role's default") }
        let parameters = (preset.parameters ?? []).map { "\($0.name) \($0.default ?? "-")" }
        if !parameters.isEmpty { notes.append(parameters.joined(separator: ", ")) }
        if !notes.isEmpty { text += " (\(notes.joined(separator: "; ")))" }
        return text
    }

    /// `Records on this desktop: Account 12, Contact 40`.
    public static func countsLine(_ counts: [String: Int]) -> String {
        let parts = counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        return "Records on this desktop: " + (parts.isEmpty ? "none" : parts.joined(separator: ", "))
    }

    private func missing(_ what: String, flag: String) -> DesktopError {
        DesktopError(.invalidInput, "no terminal to ask for \(what) on: give it with \(flag)", field: flag)
    }
}
