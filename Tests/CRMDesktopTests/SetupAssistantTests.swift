import CRMDesktop
import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import Synchronization
import Testing

/// What the assistant wrote, stream by stream.
private final class SetupTranscript: Sendable {
    private let parts = Mutex<[(text: String, stream: ConsoleSink.Stream)]>([])

    var sink: ConsoleSink { ConsoleSink { text, stream in self.parts.withLock { $0.append((text, stream)) } } }
    var output: String { text(of: .output) }
    var diagnostics: String { text(of: .diagnostics) }

    private func text(of stream: ConsoleSink.Stream) -> String {
        parts.withLock { $0.filter { $0.stream == stream }.map(\.text).joined() }
    }
}

private func permissions(_ path: String) throws -> Int {
    try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
}

@Suite struct SetupAssistantTests {
    @Test func aPersonAnswersEveryQuestionAndAWrongServerIsAskedAgain() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            _ = try await api.create("Account", ["name": "Acme", "city": "Berlin"], token: rita)
            let directory = try TemporaryDirectory(prefix: "crm-setup-test")
            defer { directory.remove() }
            let home = DesktopHome(path: directory.path("home"))
            let transcript = SetupTranscript()
            let console = Console(
                input: .lines([
                    "http://127.0.0.1:1", api.baseURL.absoluteString + "/", "rita", TestServer.password, "", "", "2",
                    "", "n", "1", "14", "", "",
                ]),
                output: transcript.sink, isInteractive: true)
            let outcome = try await SetupAssistant(
                home: home, console: console, answers: .init(deviceName: "laptop"), showsProgress: true
            ).run()

            #expect(transcript.diagnostics.contains("cannot reach the CRM server at http://127.0.0.1:1"))
            #expect(transcript.diagnostics.contains("CRM server address (like https://crm.example.com): "))
            #expect(transcript.diagnostics.contains("Password for rita: "))
            #expect(!transcript.diagnostics.contains(TestServer.password))
            #expect(transcript.diagnostics.contains("1) my-records"))
            #expect(transcript.diagnostics.contains("your role's default; daysBack 30, daysAhead 60"))
            #expect(transcript.diagnostics.contains("Receiving"))
            // The preview of the first choice was declined; the second was taken.
            #expect(transcript.diagnostics.contains("The filter brings 1 records: Account 1"))
            #expect(transcript.diagnostics.contains("2) my-open-pipeline"))
            #expect(transcript.diagnostics.contains("Sync them now"))
            #expect(outcome.settings.server == api.baseURL.absoluteString)
            #expect(outcome.settings.user == "rita")
            #expect(outcome.settings.deviceName == "laptop")
            #expect(transcript.diagnostics.contains("Where should CRM contacts, events and tasks go? [vdir]"))
            #expect(outcome.settings.pim == "vdir:" + home.defaultPIMFolder)
            #expect(outcome.filter.name == "my-records")
            #expect(outcome.filter.parameters == ["daysBack": "14", "daysAhead": "60"])
            #expect(!outcome.filter.pending)
            #expect(outcome.receipt.outcome == .success)
            #expect(outcome.counts == ["Account": 1])
            #expect(transcript.output.contains("success: pulled 1, pushed 0"))
            #expect(transcript.output.contains("Records on this desktop: Account 1"))

            #expect(try home.settings() == outcome.settings)
            #expect(try permissions(home.path) == 0o700)
            #expect(try permissions(home.credentialsPath) == 0o600)
            #expect(home.refreshToken() != nil)
            let settingsText = try String(contentsOfFile: home.settingsPath, encoding: .utf8)
            #expect(!settingsText.contains(TestServer.password))
            let desktop = try Desktop.open(home: home)
            #expect(try desktop.replica.packageVersion() == 1)
            #expect(try desktop.replica.localRecords(type: "Account", user: "rita").map { $0.fields["name"] } == ["Acme"])
        }
    }

    @Test func aFilterThatBringsTooManyRecordsIsChosenAgain() async throws {
        let server = try await TestServer.make()
        // Version 2 of the package: "My records" may bring at most one account.
        let yaml = try DefaultPackage.yaml().replacingOccurrences(of: "version: 1\n", with: "version: 2\n")
        let narrow = try #require(yaml.range(of: "      Account: {records: mine}\n"))
        try await PackageService(store: server.store).publish(
            yaml: yaml.replacingCharacters(in: narrow, with: "      Account: {records: mine, limit: 1}\n"),
            file: "narrow.yaml")
        try await server.run { api in
            let rita = try await api.login("rita")
            for name in ["Acme", "Globex"] { _ = try await api.create("Account", ["name": .string(name)], token: rita) }
            let directory = try TemporaryDirectory(prefix: "crm-setup-test")
            defer { directory.remove() }
            let home = DesktopHome(path: directory.path("home"))
            let answers = SetupAssistant.Answers(
                server: api.baseURL.absoluteString, user: "rita", password: TestServer.password, deviceName: "laptop")

            let refused = await #expect(throws: DesktopError.self) {
                try await SetupAssistant(
                    home: home, console: Console(input: .lines([]), output: SetupTranscript().sink), answers: answers
                ).run()
            }
            #expect(refused?.field == "--filter")
            #expect(refused?.message.contains("2 Account records") == true)

            let transcript = SetupTranscript()
            let console = Console(
                input: .lines(["none", "1", "", "", "2", "", ""]), output: transcript.sink, isInteractive: true)
            let outcome = try await SetupAssistant(home: home, console: console, answers: answers).run()
            #expect(transcript.diagnostics.contains("a device may keep at most 1"))
            #expect(outcome.filter.name == "my-open-pipeline")
            #expect(outcome.counts["Account"] == 2)
            #expect(outcome.settings.pim == "none")
        }
    }

    @Test func aPersonChoosesWhereThePIMGoesAndAServerThatCannotBeReachedIsAskedAgain() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            _ = try await api.create("Contact", ["firstName": "Ada", "lastName": "Lovelace"], token: rita)
            let directory = try TemporaryDirectory(prefix: "crm-setup-test")
            defer { directory.remove() }
            let home = DesktopHome(path: directory.path("home"))
            let folder = directory.path("khard")
            let transcript = SetupTranscript()
            let console = Console(
                input: .lines(["dav", "http://127.0.0.1:1/", "", "secret", "vdir", folder, "", "", "", ""]),
                output: transcript.sink, isInteractive: true)
            let answers = SetupAssistant.Answers(
                server: api.baseURL.absoluteString, user: "rita", password: TestServer.password, deviceName: "laptop")
            let outcome = try await SetupAssistant(home: home, console: console, answers: answers).run()

            #expect(transcript.diagnostics.contains("User name at 127.0.0.1 [rita]"))
            #expect(transcript.diagnostics.contains("cannot use --pim dav:http://127.0.0.1:1/"))
            #expect(transcript.diagnostics.contains("Choose again."))
            #expect(transcript.diagnostics.contains("Folder [\(home.defaultPIMFolder)]"))
            #expect(!transcript.diagnostics.contains("secret"))
            #expect(outcome.settings.pim == "vdir:" + folder)
            #expect(outcome.settings.pimUser == nil)
            #expect(home.pimPassword() == nil)
            #expect(outcome.receipt.pim?.written == 1, "\(outcome.receipt.line)")
            #expect(transcript.output.contains("Contacts, events and tasks: in \(folder)"))
            let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/contacts")
            #expect(files.filter { $0.hasSuffix(".vcf") }.count == 1)
        }
    }

    @Test func withoutATerminalAMissingAnswerNamesItsFlag() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let directory = try TemporaryDirectory(prefix: "crm-setup-test")
            defer { directory.remove() }
            let home = DesktopHome(path: directory.path("home"))
            let console = Console(input: .lines([]), output: SetupTranscript().sink, isInteractive: false)
            let noUser = await #expect(throws: DesktopError.self) {
                try await SetupAssistant(
                    home: home, console: console,
                    answers: .init(server: api.baseURL.absoluteString, password: TestServer.password, deviceName: "ci")
                ).run()
            }
            #expect(noUser?.field == "--user")
            #expect(noUser?.message.contains("--user") == true)
            #expect(!home.isSetUp)

            let noPassword = await #expect(throws: DesktopError.self) {
                try await SetupAssistant(
                    home: home, console: console,
                    answers: .init(server: api.baseURL.absoluteString, user: "rita", deviceName: "ci")
                ).run()
            }
            #expect(noPassword?.field == "--password-stdin")

            let noServer = await #expect(throws: DesktopError.self) {
                try await SetupAssistant(home: home, console: console, answers: .init(user: "rita", deviceName: "ci")).run()
            }
            #expect(noServer?.field == "--server")

            let badFilter = await #expect(throws: DesktopError.self) {
                try await SetupAssistant(
                    home: home, console: console,
                    answers: .init(
                        server: api.baseURL.absoluteString, user: "rita", password: TestServer.password,
                        filter: "everything", deviceName: "ci")
                ).run()
            }
            #expect(badFilter?.field == "--filter")
        }
    }

    @Test func settingUpForAnotherUserWithUnsentEditsNeedsDiscardUnsent() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let peter = try await api.login("peter")
            _ = try await api.create("Account", ["name": "Peter's"], token: peter)
            let directory = try TemporaryDirectory(prefix: "crm-setup-test")
            defer { directory.remove() }
            let home = DesktopHome(path: directory.path("home"))
            let transcript = SetupTranscript()
            let console = Console(input: .lines([]), output: transcript.sink, isInteractive: false)
            let answers = SetupAssistant.Answers(
                server: api.baseURL.absoluteString, user: "rita", password: TestServer.password,
                filter: "my-records", parameters: ["daysBack": "7"], deviceName: "shared")
            let first = try await SetupAssistant(home: home, console: console, answers: answers).run()
            #expect(first.filter.parameters["daysBack"] == "7")
            let desktop = try Desktop.open(home: home)
            try desktop.editor().create(type: "Account", fields: ["name": "Unsent GmbH"])

            var asPeter = answers
            asPeter.user = "peter"
            asPeter.parameters = [:]
            let refused = await #expect(throws: DesktopError.self) {
                try await SetupAssistant(home: home, console: console, answers: asPeter).run()
            }
            #expect(refused?.code == .unsentEdits)
            #expect(refused?.field == "--discard-unsent")
            #expect(refused?.message.contains("create Account") == true)
            #expect(refused?.message.contains("name=Unsent GmbH") == true)
            #expect(try home.settings().user == "rita")
            #expect(try desktop.replica.outbox().count == 1)

            asPeter.discardUnsent = true
            let second = try await SetupAssistant(home: home, console: console, answers: asPeter).run()
            #expect(second.settings.user == "peter")
            #expect(second.settings.device != first.settings.device)
            #expect(transcript.diagnostics.contains("rebuilds the replica"))
            #expect(transcript.diagnostics.contains("These 1 unsent edits will be dropped"))
            let rebuilt = try Desktop.open(home: home)
            #expect(try rebuilt.replica.outbox().isEmpty)
            #expect(try rebuilt.replica.localRecords(type: "Account", user: "peter").map { $0.fields["name"] } == ["Peter's"])
        }
    }
}
