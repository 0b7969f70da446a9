import ArgumentParser
import AsyncHTTPClient
import CRMDesktop
import CRMTesting
import Foundation
import GRDB
import NIOCore

/// The PIM bridge beside vdirsyncer, in one run: `crm-desktop pim sync` writing a desktop's contacts into an empty
/// vdir folder against vdirsyncer copying the same vCards from one folder to an empty one, then both syncing with
/// nothing changed; and against a local Radicale, both writing the same contacts into an empty address book, and
/// the requests our no-op DAV sync makes (read from Radicale's own log).
///
/// Both sides run as programs, start-up included: `crm-desktop pim sync` as users run it, and vdirsyncer 0.19.3
/// from `.venv-radicale` (the folder of `PythonTools`, which `scripts/test.sh` fills).
enum PIMBench {
    /// The benchmark package's filter for these scenarios: every contact and account the admin may see and
    /// nothing else, so the PIM holds contacts only (accounts give the vCards their ORG).
    static let filter = "pim-contacts"

    static func run(contacts: Int, davContacts: Int, report: Report) async throws {
        if contacts > 0 { try await vdir(contacts: contacts, report: report) }
        if davContacts > 0 { try await dav(contacts: davContacts, report: report) }
    }

    // MARK: - vdir

    /// Our outbound into an empty folder and our no-op sync, against vdirsyncer doing the same with the vCards we
    /// wrote.
    static func vdir(contacts: Int, report: Report) async throws {
        let vdirsyncer = try Vdirsyncer()
        let (stage, home) = try desktop(contacts: contacts)
        let ours = stage.folder.path("ours")
        try Stage.crmDesktop(["pim", "set", "vdir:\(ours)", "--home", home])
        let written = try seconds { try pimSync(home: home, expect: "\(contacts) written") }
        let noChange = try (0..<3).map { _ in try seconds { try pimSync(home: home, expect: "nothing to do") } }.median

        let source = stage.folder.path("vdirsyncer-a")
        try copyItems(from: (ours as NSString).appendingPathComponent("contacts"), to: source, expected: contacts)
        let theirs = try vdirsyncer.pair(
            in: stage.folder.path("vdirsyncer"), a: "type = \"filesystem\"\npath = \"\(source)/\"\nfileext = \".vcf\"",
            b: "type = \"filesystem\"\npath = \"\(stage.folder.path("vdirsyncer-b"))/\"\nfileext = \".vcf\"")
        let copied = try seconds { try theirs.sync() }
        let copies = try itemCount(stage.folder.path("vdirsyncer-b"))
        guard copies == contacts else { throw BenchError("vdirsyncer copied \(copies) vCards, not \(contacts)") }
        let idle = try (0..<3).map { _ in try seconds { try theirs.sync() } }.median

        let command = "crm-bench pim --contacts \(contacts) --dav-contacts 0"
        report.add(
            Figure(
                "pim", "\(contacts.grouped) contacts into an empty vdir", written, "s",
                reference: ("vdirsyncer vdir to vdir", copied), ratioTarget: contacts >= 10_000 ? 1.0 / 6 : nil, command: command))
        report.add(
            Figure(
                "pim", "no-op sync, \(contacts.grouped) contacts in a vdir", noChange, "s",
                reference: ("vdirsyncer no-op", idle), ratioTarget: contacts >= 10_000 ? 1.0 / 10 : nil, command: command))
    }

    // MARK: - DAV

    /// Our outbound into an empty address book on a local Radicale against vdirsyncer filling another one with the
    /// same vCards; then the requests of our no-op DAV sync, counted in Radicale's log.
    static func dav(contacts: Int, report: Report) async throws {
        let vdirsyncer = try Vdirsyncer()
        let (stage, home) = try desktop(contacts: contacts)
        // The vCards vdirsyncer uploads: those our outbound writes, taken from a vdir folder first.
        let written = stage.folder.path("written")
        try Stage.crmDesktop(["pim", "set", "vdir:\(written)", "--home", home])
        try pimSync(home: home, expect: "\(contacts) written")
        let source = stage.folder.path("vdirsyncer-a")
        try copyItems(from: (written as NSString).appendingPathComponent("contacts"), to: source, expected: contacts)

        let server = try await RadicaleServer.start()
        defer { server.stop() }
        let passwordFile = stage.folder.path("dav-password")
        try RadicaleServer.password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        try Stage.crmDesktop(
            ["pim", "set", "dav:\(server.url.absoluteString)", "--pim-user", RadicaleServer.user, "--pim-password-file",
             passwordFile, "--home", home])
        let ours = try seconds { try pimSync(home: home, expect: "\(contacts) written") }
        try pimSync(home: home, expect: "nothing to do")
        let before = try RadicaleLog(server)
        let noChange = try seconds { try pimSync(home: home, expect: "nothing to do") }
        let requests = try RadicaleLog(server).requests(since: before)
        let reports = requests.filter { $0.method == "REPORT" }
        let collections = Set(reports.map(\.path)).count

        let theirServer = try await RadicaleServer.start()
        defer { theirServer.stop() }
        let book = theirServer.url.appendingPathComponent("\(RadicaleServer.user)/vdirsyncer-bench/")
        try await makeAddressBook(book)
        let theirs = try vdirsyncer.pair(
            in: stage.folder.path("vdirsyncer"), a: "type = \"filesystem\"\npath = \"\(source)/\"\nfileext = \".vcf\"",
            b: "type = \"carddav\"\nurl = \"\(book.absoluteString)\"\nusername = \"\(RadicaleServer.user)\"\n"
                + "password = \"\(RadicaleServer.password)\"")
        let uploaded = try seconds { try theirs.sync() }
        let idle = try seconds { try theirs.sync() }

        let command = "crm-bench pim --contacts 0 --dav-contacts \(contacts)"
        report.add(
            Figure(
                "pim", "\(contacts.grouped) contacts into an empty Radicale address book", ours, "s",
                reference: ("vdirsyncer vdir to Radicale", uploaded), ratioTarget: contacts >= 1_000 ? 1 : nil, command: command))
        report.add(
            Figure(
                "pim", "no-op DAV sync, \(contacts.grouped) contacts", noChange, "s",
                reference: ("vdirsyncer no-op", idle), command: command))
        report.add(
            Figure(
                "pim", "no-op DAV sync: requests per synced collection (\(requests.count) requests, "
                    + "\(reports.count) REPORT on \(collections) collections)",
                Double(requests.count) / Double(max(collections, 1)), "requests", target: 1, command: command))
    }

    // MARK: - Parts

    /// A server whose admin sees `contacts` contacts (and their accounts), and a desktop holding them with no
    /// PIM yet.
    static func desktop(contacts: Int) throws -> (Stage, String) {
        // demo-data makes 35% contacts (rounded down).
        let records = (contacts * 100 + 34) / 35
        let stage = try Stage(records: records)
        let package = stage.folder.path("pim-bench.yaml")
        try Self.package().write(toFile: package, atomically: true, encoding: .utf8)
        try Stage.crmServer(["package", "publish", "--database", stage.database, package])
        try stage.start()
        let home = stage.folder.path("desktop")
        try stage.setUpDesktop(home: home, filter: filter)
        stage.stop()
        let held = try DatabaseQueue(path: DesktopHome(path: home).replicaPath).read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM records WHERE type = 'Contact' AND incomplete = 0") ?? 0
        }
        guard held == contacts else { throw BenchError("the desktop holds \(held) contacts, not \(contacts)") }
        return (stage, home)
    }

    /// The benchmark package with the contacts-only filter, as a version above it.
    static func package() throws -> String {
        var yaml = try Stage.benchPackage()
        guard let version = yaml.range(of: "\nversion: 2\n") else { throw BenchError("the bench package is not version 2") }
        yaml.replaceSubrange(version, with: "\nversion: 3\n")
        let lines = [
            "  - name: \(filter)", "    label: Contacts and their accounts (PIM benchmark)", "    types:",
            "      Account: {records: visible}", "      Contact: {records: visible}",
        ]
        guard let filters = yaml.range(of: "\nfilters:\n") else { throw BenchError("the bench package has no filters") }
        yaml.insert(contentsOf: lines.joined(separator: "\n") + "\n", at: filters.upperBound)
        let adminFilters = "filters: [\(Stage.everything), my-records]"
        guard let admin = yaml.range(of: adminFilters) else { throw BenchError("the bench package's admin has no filters") }
        yaml.replaceSubrange(admin, with: "filters: [\(Stage.everything), my-records, \(filter)]")
        return yaml
    }

    /// `crm-desktop pim sync` to its end; throws unless its report line says `expect`.
    static func pimSync(home: String, expect: String) throws {
        let run = try Stage.crmDesktop(["pim", "sync", "--home", home])
        guard run.output.contains(expect) else {
            throw BenchError("crm-desktop pim sync said \"\(run.output.trimmingCharacters(in: .whitespacesAndNewlines))\", expected \"\(expect)\"")
        }
    }

    /// Copies the items of a vdir folder into a new folder; throws unless there are `expected` of them.
    static func copyItems(from source: String, to target: String, expected: Int) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: target, withIntermediateDirectories: true)
        let names = try files.contentsOfDirectory(atPath: source).filter { $0.hasSuffix(".vcf") }
        guard names.count == expected else { throw BenchError("\(source) holds \(names.count) vCards, not \(expected)") }
        for name in names {
            try files.copyItem(atPath: (source as NSString).appendingPathComponent(name),
                               toPath: (target as NSString).appendingPathComponent(name))
        }
    }

    static func itemCount(_ folder: String) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".vcf") }.count
    }

    /// An empty CardDAV address book at `url` (extended MKCOL), for vdirsyncer, which does not create one
    /// without asking.
    static func makeAddressBook(_ url: URL) async throws {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .RAW(value: "MKCOL")
        let credentials = Data("\(RadicaleServer.user):\(RadicaleServer.password)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.headers.add(name: "Content-Type", value: "application/xml; charset=utf-8")
        request.body = .bytes(ByteBuffer(string: """
            <?xml version="1.0" encoding="utf-8"?>
            <D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>
            <D:resourcetype><D:collection/><C:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>
            """))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        guard response.status.code == 201 else {
            throw BenchError("Radicale refused to create \(url.path): \(response.status)")
        }
    }

    /// Seconds `body` took.
    static func seconds(_ body: () throws -> Void) throws -> Double {
        let clock = ContinuousClock()
        let started = clock.now
        try body()
        return (clock.now - started).seconds
    }
}

/// vdirsyncer from the tools' environment, and the pairs it syncs.
struct Vdirsyncer {
    let program: String

    /// Finds vdirsyncer beside the PIM tools; throws saying how to install it when it is missing.
    init() throws {
        program = PythonTools.folder.appendingPathComponent("vdirsyncer").path
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw BenchError(
                "vdirsyncer is missing at \(program): run scripts/test.sh once (it installs vdirsyncer 0.19.3 into "
                    + ".venv-radicale), or set RADICALE_BIN to the radicale of an environment that has it")
        }
    }

    /// A configuration in `folder` syncing storage `a` into storage `b` (one collection each), discovered.
    func pair(in folder: String, a: String, b: String) throws -> Pair {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let configuration = """
            [general]
            status_path = "\(folder)/status/"

            [pair bench]
            a = "bench_a"
            b = "bench_b"
            collections = null

            [storage bench_a]
            \(a)

            [storage bench_b]
            \(b)

            """
        let path = (folder as NSString).appendingPathComponent("config")
        try configuration.write(toFile: path, atomically: true, encoding: .utf8)
        for storage in [a, b] where storage.contains("filesystem") {
            if let line = storage.split(separator: "\n").first(where: { $0.hasPrefix("path = ") }) {
                let folder = line.dropFirst("path = \"".count).dropLast()
                try FileManager.default.createDirectory(atPath: String(folder), withIntermediateDirectories: true)
            }
        }
        let pair = Pair(program: program, configuration: path)
        try pair.run(["discover", "bench"])
        return pair
    }

    struct Pair {
        let program: String
        let configuration: String

        func sync() throws { try run(["sync"]) }

        func run(_ arguments: [String]) throws {
            let run = try ProcessRunner.run(program, ["--verbosity", "WARNING", "--config", configuration] + arguments)
            guard run.status == 0 else {
                throw BenchError("vdirsyncer \(arguments.joined(separator: " ")) failed (\(run.status)): \(run.error)")
            }
        }
    }
}

/// The requests Radicale logged (at level info it logs each one as `METHOD request for 'PATH' ...`).
struct RadicaleLog {
    struct Request: Equatable {
        var method: String
        var path: String
    }

    let requests: [Request]

    init(_ server: RadicaleServer) throws {
        let text = try String(contentsOfFile: server.directory.path("log"), encoding: .utf8)
        requests = text.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: " request for '") else { return nil }
            let method = line[..<range.lowerBound].split(separator: " ").last.map(String.init) ?? ""
            let rest = line[range.upperBound...]
            guard let end = rest.firstIndex(of: "'") else { return nil }
            return Request(method: method, path: String(rest[..<end]))
        }
    }

    /// The requests logged after `earlier` was read.
    func requests(since earlier: RadicaleLog) -> [Request] { Array(requests.dropFirst(earlier.requests.count)) }
}

struct PIMBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pim", abstract: "The PIM sync beside vdirsyncer: a vdir folder, then a local Radicale.")
    @Option(help: "Contacts written into a vdir folder.") var contacts = 10_000
    @Option(help: "Contacts written to a local Radicale.") var davContacts = 1_000
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await output.measure { report in
            try await PIMBench.run(contacts: contacts, davContacts: davContacts, report: report)
        }
    }
}
