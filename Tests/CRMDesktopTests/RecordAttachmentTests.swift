import CRMDesktop
import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// Files attached to records of any type (`crm-desktop attach`, `show`, `open-attachment`): uploaded with the
/// sync, brought to the other desktops eagerly or on first open as their filter says, within the package's limits.
@Suite("Record attachments")
struct RecordAttachmentTests {
    /// A text file of `bytes` bytes in `directory`.
    static func file(_ name: String, bytes: Int, in directory: TemporaryDirectory, seed: String = "line") throws -> String {
        let path = directory.path(name)
        var text = ""
        var index = 0
        while text.utf8.count < bytes {
            text += "\(seed) \(index) of the customer's log\n"
            index += 1
        }
        try Data(text.utf8.prefix(bytes)).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aFileAttachedOfflineIsUploadedAndReachesAnotherDesktopOfTheUserWithTheSync() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Attached Industries"], token: rita)
            let (laptop, tablet) = try await DesktopFixture.pair(api, user: "rita")
            let files = try TemporaryDirectory(prefix: "crm-attach")
            defer { files.remove() }
            let source = try Self.file("offer.txt", bytes: 300_000, in: files)

            let ref = try laptop.desktop.attach(type: "Account", id: String(account.id.prefix(8)), file: source)
            #expect(ref.mediaType == "text/plain" && ref.size == 300_000 && ref.name == "offer.txt")
            let held = try #require(try laptop.record(account.id))
            let shown = try RecordPresenter(package: laptop.editor().package).text("attachments", of: held.record)
            #expect(shown.contains("offer.txt (293.0 KB, text/plain, id \(ref.sha256.prefix(8)))"), "\(shown)")
            let sent = try await laptop.sync()
            #expect(sent.files?.uploaded == 1, "\(sent.line)")

            let onServer = try await api.send(.get, "/api/v1/attachments/\(ref.sha256)", token: rita)
            #expect(onServer.status == .ok)
            #expect(onServer.text == (try String(contentsOfFile: source, encoding: .utf8)))
            let record = try await api.send(.get, "/api/v1/records/Account/\(account.id)", token: rita).decode(Record.self)
            #expect(AttachmentRef.list(record.fields["attachments"]) == [ref])

            // The tablet's filter (my-records) brings files with the sync: opening it needs no server.
            let received = try await tablet.sync()
            #expect(received.files?.downloaded == 1, "\(received.line)")
            let opened = try await tablet.desktop.openAttachment(String(ref.sha256.prefix(8)), to: files.path("copy.txt"))
            #expect(!opened.downloaded)
            #expect(FileManager.default.contentsEqual(atPath: opened.path, andPath: source))
        }
    }

    @Test func aTeamFilterBringsFilesOnFirstOpenAndAnInterruptedDownloadResumes() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Opened Later"], token: rita)
            let laptop = try await DesktopFixture.make(api, user: "rita")
            try await laptop.sync()
            let files = try TemporaryDirectory(prefix: "crm-attach")
            defer { files.remove() }
            let source = try Self.file("report.txt", bytes: 200_000, in: files)
            let ref = try laptop.desktop.attach(type: "Account", id: account.id, file: source)
            try await laptop.sync()

            // Maria manages Rita; her default filter, my-team, brings files when they are opened.
            let maria = try await DesktopFixture.make(api, user: "maria")
            let receipt = try await maria.sync()
            #expect(try maria.replica.filter().name == "my-team")
            #expect(try maria.record(account.id) != nil)
            #expect(receipt.files == nil, "\(receipt.line)")
            let cache = AttachmentCache(home: maria.home)
            #expect(!cache.has(ref.sha256))

            // Half the file arrived before the line dropped: the open resumes from there and checks the hash.
            try FileManager.default.createDirectory(atPath: cache.folder, withIntermediateDirectories: true)
            let half = try Data(contentsOf: URL(fileURLWithPath: source)).prefix(100_000)
            try half.write(to: URL(fileURLWithPath: cache.path(ref.sha256) + ".partial"))
            let folder = files.path("opened")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let opened = try await maria.desktop.openAttachment(String(ref.sha256.prefix(10)), to: folder)
            #expect(opened.downloaded)
            #expect(opened.path == folder + "/report.txt")
            #expect(FileManager.default.contentsEqual(atPath: opened.path, andPath: source))
            #expect(FileManager.default.contentsEqual(atPath: cache.path(ref.sha256), andPath: source))

            // An existing file is replaced only when asked.
            let again = files.path("again.txt")
            try Data("keep me".utf8).write(to: URL(fileURLWithPath: again))
            let refused = await #expect(throws: DesktopError.self) {
                try await maria.desktop.openAttachment(String(ref.sha256.prefix(8)), to: again)
            }
            #expect(refused?.message.contains("exists") == true)
            _ = try await maria.desktop.openAttachment(String(ref.sha256.prefix(8)), to: again, overwrite: true)
            #expect(FileManager.default.contentsEqual(atPath: again, andPath: source))
        }
    }

    @Test func filesPastThePackagesLimitsAreRefusedNamingTheLimitAndNothingIsQueued() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Limits"], token: rita)
            let request = try await api.create(
                "ServiceRequest", ["title": "Broken", "status": "Open", "accountId": .string(account.id)], token: rita)
            let laptop = try await DesktopFixture.make(api, user: "rita")
            try await laptop.sync()
            let files = try TemporaryDirectory(prefix: "crm-attach")
            defer { files.remove() }

            let big = try Self.file("big.txt", bytes: 5_242_881, in: files)
            let tooBig = #expect(throws: DesktopError.self) {
                try laptop.desktop.attach(type: "Account", id: account.id, file: big)
            }
            #expect(tooBig?.message.contains("limited to 5.0 MB (5242880 bytes, the package's maxFileSize)") == true,
                "\(tooBig?.message ?? "")")
            #expect(tooBig?.field == "FILE")

            let program = files.path("setup.exe")
            try Data("MZ".utf8).write(to: URL(fileURLWithPath: program))
            let wrongType = #expect(throws: DesktopError.self) {
                try laptop.desktop.attach(type: "ServiceRequest", id: request.id, file: program)
            }
            #expect(wrongType?.message.contains("may be image/*, text/*, application/pdf") == true,
                "\(wrongType?.message ?? "")")
            // The same program on an account (no list of types there) is taken.
            #expect(try laptop.replica.outbox().isEmpty)
            _ = try laptop.desktop.attach(type: "Account", id: account.id, file: program)
            #expect(try laptop.replica.outbox().count == 1)

            let missing = #expect(throws: DesktopError.self) {
                try laptop.desktop.attach(type: "Account", id: account.id, file: files.path("nothing-here.pdf"))
            }
            #expect(missing?.message.contains("is not a file") == true)
        }
    }

    /// Content is stored once by its hash. A user sends it once, whatever records list it; another user sends it
    /// too (the server never tells one user what another stored), and it is still stored once.
    @Test func theSameContentIsStoredOnceAndEachUserSendsItOnce() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let first = try await api.create("Account", ["name": "First"], token: rita)
            let second = try await api.create("Account", ["name": "Second"], token: rita)
            let peter = try await api.login("peter")
            let petersFirst = try await api.create("Account", ["name": "Peter's"], token: peter)
            let petersSecond = try await api.create("Account", ["name": "Peter's other"], token: peter)
            let ritas = try await DesktopFixture.make(api, user: "rita")
            let peters = try await DesktopFixture.make(api, user: "peter")
            try await ritas.sync()
            try await peters.sync()
            let files = try TemporaryDirectory(prefix: "crm-attach")
            defer { files.remove() }
            let source = try Self.file("terms.txt", bytes: 50_000, in: files)

            let ref = try ritas.desktop.attach(type: "Account", id: first.id, file: source)
            try ritas.desktop.attach(type: "Account", id: second.id, file: source)
            let once = try await ritas.sync()
            #expect(once.files?.uploaded == 1, "\(once.line)")
            try peters.desktop.attach(type: "Account", id: petersFirst.id, file: source)
            #expect(try await peters.sync().files?.uploaded == 1)
            try peters.desktop.attach(type: "Account", id: petersSecond.id, file: source)
            let none = try await peters.sync()
            #expect(none.outcome == .success && none.files == nil, "\(none.line)")

            let stored = try #require(try await server.store.storedAttachment(sha256: ref.sha256))
            #expect(stored.size == 50_000)
            #expect(try await server.store.attachmentHolders(sha256: ref.sha256).count == 4)
        }
    }

    @Test func theCommandsAttachAndOpenThroughTheRealExecutable() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Command Line"], token: rita)
            let laptop = try await DesktopFixture.make(api, user: "rita")
            try await laptop.sync()
            let files = try TemporaryDirectory(prefix: "crm-attach")
            defer { files.remove() }
            let source = try Self.file("minutes.txt", bytes: 1000, in: files)
            let home = laptop.home.path

            let attached = try await Processes.run("crm-desktop", ["--home", home, "attach", "Account", account.id, source])
            #expect(attached.status == 0, "\(attached.error)")
            let id = attached.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(id.count == 8)
            let shown = try await Processes.run("crm-desktop", ["--home", home, "show", "Account", account.id])
            #expect(shown.output.contains("minutes.txt (1000 B, text/plain, id \(id))"), "\(shown.output)")
            #expect(try await Processes.run("crm-desktop", ["--home", home, "sync"]).status == 0)
            let opened = try await Processes.run(
                "crm-desktop", ["--home", home, "open-attachment", id, "--to", files.path("out.txt")])
            #expect(opened.status == 0, "\(opened.error)")
            #expect(FileManager.default.contentsEqual(atPath: files.path("out.txt"), andPath: source))
            let unknown = try await Processes.run("crm-desktop", ["--home", home, "open-attachment", "abcdef12"])
            #expect(unknown.status == 1)
            #expect(unknown.error.contains("no record on this desktop has an attachment with id abcdef12"), "\(unknown.error)")
        }
    }
}
