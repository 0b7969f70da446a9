import CRMDesktop
import CRMTesting
import Foundation
import PIMBridge
import Testing

/// `crm-desktop setup --pim`, `pim set|sync|status`, `share` and `sync --force`, run as a user runs them against a
/// real `crm-server` (and a real Radicale for the DAV target).
@Suite("crm-desktop PIM commands", .serialized)
struct PIMCommandTests {
    static func desktop(_ home: String, _ arguments: [String], stdin: String? = nil) throws -> Processes.Run {
        try Processes.run("crm-desktop", ["--home", home] + arguments, stdin: stdin)
    }

    static func setUp(_ home: String, _ server: ServerProcess, _ extra: [String] = []) throws -> Processes.Run {
        try desktop(
            home, ["setup", "--server", server.url, "--user", "liam", "--password-stdin", "--yes"] + extra,
            stdin: ServerProcess.password + "\n")
    }

    /// The item files of a collection folder.
    static func items(_ folder: String, _ collection: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/" + collection)) ?? []
        return names.filter { $0.hasSuffix(".vcf") || $0.hasSuffix(".ics") }.sorted()
    }

    static func json(_ run: Processes.Run) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "\(run.output)")
    }

    @Test func setupWritesTheChosenFolderDuringTheFirstSyncAndTheHomeFolderByDefault() async throws {
        let server = try await ServerProcess(records: 100)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-pim-cli")
        defer { directory.remove() }

        let chosen = directory.path("khal")
        let setup = try Self.setUp(directory.path("laptop"), server, ["--pim", "vdir:" + chosen])
        #expect(setup.status == 0, "\(setup.error)")
        #expect(setup.output.contains("PIM: "), "\(setup.output)")
        #expect(setup.output.contains("Contacts, events and tasks: in \(chosen)"))
        #expect(!Self.items(chosen, "contacts").isEmpty)
        let status = try Self.json(try Self.desktop(directory.path("laptop"), ["status", "--format", "json"]))
        #expect((status["pim"] as? [String: Any])?["target"] as? String == "vdir:" + chosen)

        let home = directory.path("tablet")
        let byDefault = try Self.setUp(home, server)
        #expect(byDefault.status == 0, "\(byDefault.error)")
        #expect(Self.items(home + "/pim", "contacts") == Self.items(chosen, "contacts"))
        #expect(try Self.desktop(home, ["status"]).output.contains("PIM:        vdir:\(home)/pim"))
    }

    @Test func aDAVServerThatCannotBeReachedFailsSetupNamingPimBeforeAnythingIsSetUp() async throws {
        let server = try await ServerProcess(records: 20)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-pim-cli")
        defer { directory.remove() }
        let home = directory.path("home")

        let unreachable = try Self.setUp(home, server, ["--pim", "dav:http://127.0.0.1:1/"])
        #expect(unreachable.status == 1)
        #expect(unreachable.error.contains("--pim"), "\(unreachable.error)")
        #expect(!DesktopHome(path: home).isSetUp)
        let wrong = try Self.setUp(home, server, ["--pim", "calendar"])
        #expect(wrong.status != 0)
        #expect(wrong.error.contains("--pim"))
        let noFile = try Self.setUp(home, server, ["--pim", "none", "--pim-password-file", directory.path("nothing")])
        #expect(noFile.status == 1)
        #expect(noFile.error.contains("--pim-password-file"))
    }

    @Test func setupWithADAVServerWritesThereAndKeepsThePasswordOwnerOnly() async throws {
        let server = try await ServerProcess(records: 100)
        defer { server.stop() }
        let radicale = try await RadicaleServer.start()
        defer { radicale.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-pim-cli")
        defer { directory.remove() }
        let home = DesktopHome(path: directory.path("home"))
        let passwordFile = directory.path("dav-password")
        try (RadicaleServer.password + "\nignored\n").write(toFile: passwordFile, atomically: true, encoding: .utf8)

        let setup = try Self.setUp(
            home.path, server,
            ["--pim", "dav:" + radicale.url.absoluteString, "--pim-user", RadicaleServer.user, "--pim-password-file",
                passwordFile])
        #expect(setup.status == 0, "\(setup.output)\(setup.error)")
        #expect(setup.output.contains("Contacts, events and tasks: on \(radicale.url.absoluteString)"))
        #expect(try home.settings().pimUser == RadicaleServer.user)
        #expect(home.pimPassword() == RadicaleServer.password)
        let permissions = try FileManager.default.attributesOfItem(atPath: home.pimPasswordPath)[.posixPermissions]
        #expect(permissions as? Int == 0o600)
        #expect(try !String(contentsOfFile: home.settingsPath, encoding: .utf8).contains(RadicaleServer.password))

        let store = DAVStore(url: radicale.url, user: RadicaleServer.user, password: RadicaleServer.password)
        let contacts = try await store.changes(in: .contacts, since: nil)
        let cards = try JSONSerialization.jsonObject(
            with: Data(try Self.desktop(home.path, ["list", "Contact", "--format", "json"]).output.utf8)) as? [Any]
        #expect(contacts.changed.count == cards?.count, "\(contacts.changed)")
        #expect(!contacts.changed.isEmpty)
    }

    @Test func aSharedCardIsCreatedSentByTheNextSyncAndSharingItAgainLinks() async throws {
        let server = try await ServerProcess(records: 100)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-pim-cli")
        defer { directory.remove() }
        let home = directory.path("home")
        #expect(try Self.setUp(home, server).status == 0)
        let card = directory.path("grace.vcf")
        try "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-7\r\nN:Hopper;Grace;;;\r\nFN:Grace Hopper\r\nEMAIL;TYPE=work:grace@navy.example\r\nEND:VCARD\r\n"
            .write(toFile: card, atomically: true, encoding: .utf8)
        let broken = directory.path("broken.vcf")
        try "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Broken\r\nthis line has no colon\r\nEND:VCARD\r\n"
            .write(toFile: broken, atomically: true, encoding: .utf8)

        // One unreadable file: its path and line are named, and the good file is not shared either.
        let refused = try Self.desktop(home, ["share", card, broken])
        #expect(refused.status == 1)
        #expect(refused.error.contains("\(broken), line 4"), "\(refused.error)")
        #expect(try Self.json(try Self.desktop(home, ["status", "--format", "json"]))["unsent"] as? Int == 0)
        let email = try Self.desktop(home, ["share", directory.path("offer.eml")])
        // A missing email file is reported by name; it is the only file, so nothing is shared (exit 2).
        #expect(email.status == 2)
        #expect(email.error.contains("offer.eml: cannot be read"), "\(email.error)")

        let shared = try Self.desktop(home, ["share", card])
        #expect(shared.status == 0, "\(shared.error)")
        #expect(shared.output.hasPrefix("created Contact "), "\(shared.output)")
        let id = String(try #require(shared.output.split(separator: " ").dropFirst(2).first))
        let sync = try Self.desktop(home, ["sync"])
        #expect(sync.status == 0, "\(sync.output)\(sync.error)")
        #expect(sync.output.contains("pushed 1 (applied 1"), "\(sync.output)")
        #expect(Self.items(home + "/pim", "contacts").contains("\(id).vcf"))

        let again = try Self.desktop(home, ["share", card])
        #expect(again.status == 0)
        #expect(again.output.hasPrefix("linked Contact \(id)"), "\(again.output)")
        #expect(try Self.json(try Self.desktop(home, ["status", "--format", "json"]))["unsent"] as? Int == 0)
    }

    @Test func pimStatusListsAMalformedFileWithItsLineAndPimSyncSaysSo() async throws {
        let server = try await ServerProcess(records: 100)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-pim-cli")
        defer { directory.remove() }
        let home = directory.path("home")
        #expect(try Self.setUp(home, server).status == 0)
        let file = home + "/pim/contacts/broken.vcf"
        try "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Broken\r\nCATEGORIES:CRM\r\nthis line has no colon\r\nEND:VCARD\r\n"
            .write(toFile: file, atomically: true, encoding: .utf8)

        let sync = try Self.desktop(home, ["pim", "sync"])
        #expect(sync.status == 2, "\(sync.output)\(sync.error)")
        #expect(sync.output.contains("1 unreadable"))
        let status = try Self.desktop(home, ["pim", "status"])
        #expect(status.status == 0)
        #expect(status.output.contains("\(file), line 5"), "\(status.output)")
        let overall = try Self.desktop(home, ["status"])
        #expect(overall.output.contains("Unreadable: 1"))
        let json = try Self.json(try Self.desktop(home, ["status", "--format", "json"]))
        let problems = try #require((json["pim"] as? [String: Any])?["problems"] as? [[String: Any]])
        #expect(problems.first?["path"] as? String == file)
        #expect(problems.first?["line"] as? Int == 5)

        // Mended (and not shared): read, no longer reported, and not taken into the CRM.
        try "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Mended\r\nN:Mended;;;;\r\nEND:VCARD\r\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try Self.desktop(home, ["pim", "sync"]).status == 0)
        #expect(!(try Self.desktop(home, ["status"]).output.contains("Unreadable")))
    }

    @Test func aNewTargetGetsEverythingWrittenExceptWhatTheUserUnshared() async throws {
        let server = try await ServerProcess(records: 100)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-pim-cli")
        defer { directory.remove() }
        let home = directory.path("home")
        #expect(try Self.setUp(home, server).status == 0)
        let first = Self.items(home + "/pim", "contacts")
        #expect(first.count >= 2)
        try FileManager.default.removeItem(atPath: home + "/pim/contacts/" + first[0])
        let unshare = try Self.desktop(home, ["sync"])
        #expect(unshare.output.contains("1 unshared"), "\(unshare.output)")

        #expect(try Self.desktop(home, ["pim", "set", "none"]).status == 0)
        #expect(try Self.desktop(home, ["sync"]).status == 0)
        let noPIM = try Self.desktop(home, ["pim", "sync"])
        #expect(noPIM.status == 1)
        #expect(noPIM.error.contains("pim set"))

        let other = directory.path("other")
        let set = try Self.desktop(home, ["pim", "set", "vdir:" + other])
        #expect(set.status == 0, "\(set.error)")
        #expect(set.output.contains(other))
        let sync = try Self.desktop(home, ["pim", "sync"])
        #expect(sync.status == 0, "\(sync.output)\(sync.error)")
        #expect(Self.items(other, "contacts") == Array(first.dropFirst()))
        #expect(Self.items(other, "calendar") == Self.items(home + "/pim", "calendar"))
        let status = try Self.json(try Self.desktop(home, ["pim", "status", "--format", "json"]))
        #expect(status["target"] as? String == "vdir:" + other)
        #expect(status["unshared"] as? Int == 1)

        let unreachable = try Self.desktop(home, ["pim", "set", "dav:http://127.0.0.1:1/"])
        #expect(unreachable.status == 1)
        #expect(try Self.json(try Self.desktop(home, ["pim", "status", "--format", "json"]))["target"] as? String
            == "vdir:" + other)
    }

    @Test func syncForceTakesAnEmptiedFolderPastTheSafetyStop() async throws {
        let server = try await ServerProcess(records: 100)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-pim-cli")
        defer { directory.remove() }
        let home = directory.path("home")
        #expect(try Self.setUp(home, server).status == 0)
        let contacts = Self.items(home + "/pim", "contacts")
        #expect(contacts.count > 2)
        for name in contacts { try FileManager.default.removeItem(atPath: home + "/pim/contacts/" + name) }

        let stopped = try Self.desktop(home, ["sync"])
        #expect(stopped.status == 2, "\(stopped.output)\(stopped.error)")
        #expect(stopped.output.contains("--force"))
        let forced = try Self.desktop(home, ["sync", "--force"])
        #expect(forced.status == 0, "\(forced.output)\(forced.error)")
        #expect(forced.output.contains("\(contacts.count) unshared"), "\(forced.output)")
        #expect(Self.items(home + "/pim", "contacts").isEmpty)
        #expect(try Self.desktop(home, ["sync", "--force", "--watch", "5"]).status != 0)
    }
}

extension PIMCommandTests {
    @Test func pimSetMaxDeleteShareIsKeptAndShownByPimStatus() async throws {
        let server = try await ServerProcess(records: 20)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-pim-cli")
        defer { directory.remove() }
        let home = directory.path("laptop")
        #expect(try Self.setUp(home, server).status == 0)
        #expect(try Self.desktop(home, ["pim", "status"]).output.contains("at most 50% of a collection"))

        let set = try Self.desktop(home, ["pim", "set", "--max-delete-share", "0.8"])
        #expect(set.status == 0, "\(set.error)")
        #expect(set.output.contains("at most 80% of a collection"), "\(set.output)")
        let json = try Self.json(try Self.desktop(home, ["pim", "status", "--format", "json"]))
        #expect(json["maxDeleteShare"] as? Double == 0.8, "\(json)")
        #expect(try DesktopHome(path: home).settings().pimMaxDeleteShare == 0.8)
        #expect(try Self.desktop(home, ["status"]).output.contains("at most 80% of a collection"))

        let wrong = try Self.desktop(home, ["pim", "set", "--max-delete-share", "1.5"])
        #expect(wrong.status != 0)
        #expect(wrong.error.contains("--max-delete-share"), "\(wrong.error)")
        let nothing = try Self.desktop(home, ["pim", "set"])
        #expect(nothing.status != 0)
        #expect(try DesktopHome(path: home).settings().pimMaxDeleteShare == 0.8)
    }
}
