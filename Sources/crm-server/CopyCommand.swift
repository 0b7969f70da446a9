import ArgumentParser
import CRMServer
import CRMStore
import Foundation

/// `crm-server copy`: moves a whole installation into an empty database (SQLite to PostgreSQL or back), gives it
/// a new epoch so desktops rebuild cleanly, and verifies it.
struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a whole installation into an empty database, then verify it.",
        discussion: """
            Stop the servers on the source first. The target must be empty; it gets a new epoch, so every \
            desktop starts its sync again (keeping what it has not pushed yet).
            """)

    @Option(help: ArgumentHelp("The source: sqlite:PATH or postgres://USER@HOST:PORT/DATABASE.", valueName: "DATABASE"))
    var from: String
    @Option(help: ArgumentHelp("The empty target, in the same form.", valueName: "DATABASE"))
    var to: String
    @Option(help: ArgumentHelp("A file whose first line is the source's PostgreSQL password.", valueName: "FILE"))
    var fromPasswordFile: String?
    @Option(help: ArgumentHelp("A file whose first line is the target's PostgreSQL password.", valueName: "FILE"))
    var toPasswordFile: String?
    @Flag(help: "Only compare the two databases (counts, then every record), copying nothing.")
    var verifyOnly = false

    func validate() throws {
        _ = try Self.options(from, passwordFile: fromPasswordFile, flag: "--from")
        _ = try Self.options(to, passwordFile: toPasswordFile, flag: "--to")
        guard from != to else { throw ValidationError("--from and --to name the same database") }
    }

    /// The address read as `--database` is (the password from the file or `CRM_DATABASE_PASSWORD`).
    static func options(_ address: String, passwordFile: String?, flag: String) throws -> StoreOptions {
        var arguments = ["--database", address, "--database-pool", "4"]
        if let passwordFile { arguments += ["--database-password-file", passwordFile] }
        do {
            let options = try StoreOptions.parse(arguments)
            _ = try options.location()
            return options
        } catch {
            let message = StoreOptions.message(for: error)
                .replacingOccurrences(of: "--database: ", with: "").replacingOccurrences(of: "--database ", with: "")
            throw ValidationError("\(flag): \(message)")
        }
    }

    func run() async throws {
        // The source is only read: a PostgreSQL one is opened without migrating it (its schema must be current).
        let source = try await Self.open(from, passwordFile: fromPasswordFile, flag: "--from", migrate: false)
        let target = try await Self.open(to, passwordFile: toPasswordFile, flag: "--to")
        // An `InstallationCopyError` says what differs or what the target holds; it is printed as it is.
        let copy = InstallationCopy(from: source, to: target) { print($0) }
        if verifyOnly {
            let (sourceCounts, targetCounts) = try await copy.verify()
            Self.printCounts(sourceCounts, targetCounts)
        } else {
            do {
                let report = try await copy.run()
                Self.printCounts(report.source, report.target)
            } catch let error as InstallationCopyError where error.code == .targetNotEmpty {
                throw InstallationCopyError(.targetNotEmpty, error.message + "; " + (try Self.cleanUp(to)))
            }
        }
        print("verified")
    }

    static func open(_ address: String, passwordFile: String?, flag: String, migrate: Bool = true) async throws
        -> any InstallationTransfer
    {
        let store = try await options(address, passwordFile: passwordFile, flag: flag).open(migrate: migrate)
        guard let transfer = store as? any InstallationTransfer else {
            throw ValidationError("\(flag): this store cannot be copied")
        }
        return transfer
    }

    /// How to empty the target that a copy stopped part-way left behind, so that the next run takes it.
    static func cleanUp(_ address: String) throws -> String {
        switch try options(address, passwordFile: nil, flag: "--to").location() {
        case .sqlite(let path):
            return "if it is what a copy that stopped part-way left, delete it (rm \(path) \(path)-wal \(path)-shm) "
                + "and run the copy again"
        case .postgres(let configuration):
            let connection = "-h \(configuration.host) -p \(configuration.port) -U \(configuration.user)"
            return "if it is what a copy that stopped part-way left, make the database again (dropdb \(connection) "
                + "\(configuration.database) && createdb \(connection) -O \(configuration.user) \(configuration.database)) "
                + "and run the copy again"
        }
    }

    static func printCounts(_ source: InstallationCounts, _ target: InstallationCounts) {
        print("kind".padding(toLength: 18, withPad: " ", startingAt: 0) + "source".leftPadded(12) + "target".leftPadded(12))
        for kind in InstallationKind.allCases {
            print(
                kind.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0) + "\(source[kind])".leftPadded(12)
                    + "\(target[kind])".leftPadded(12))
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
