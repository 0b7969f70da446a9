import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `crm-desktop` run as a script runs it: flags, exit statuses, output formats, against a real `crm-server`.
@Suite("crm-desktop commands", .serialized)
struct DesktopCommandTests {
    static func desktop(_ home: String, _ arguments: [String], stdin: String? = nil) async throws -> Processes.Run {
        try await Processes.run("crm-desktop", ["--home", home] + arguments, stdin: stdin)
    }

    static func setUp(_ home: String, _ server: ServerProcess, user: String = "liam") async throws -> Processes.Run {
        try await desktop(
            home, ["setup", "--server", server.url, "--user", user, "--password-stdin", "--yes", "--pim", "none"],
            stdin: ServerProcess.password + "\n")
    }

    @Test func scriptsSetUpWithFlagsAndAMissingOrWrongAnswerIsNamed() async throws {
        let server = try await ServerProcess(records: 500)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-cli")
        defer { directory.remove() }
        let home = directory.path("home")

        let noUser = try await Self.desktop(home, ["setup", "--server", server.url, "--password-stdin"], stdin: "x\n")
        #expect(noUser.status == 1)
        #expect(noUser.error.contains("--user"))
        let wrong = try await Self.desktop(
            home, ["setup", "--server", server.url, "--user", "liam", "--password-stdin", "--yes"], stdin: "wrong\n")
        #expect(wrong.status == 1)
        #expect(wrong.error.lowercased().contains("password"))
        let pim = try await Self.desktop(
            home, ["setup", "--server", server.url, "--user", "liam", "--password-stdin", "--pim", "nowhere:x"],
            stdin: ServerProcess.password + "\n")
        #expect(pim.status != 0)
        #expect(pim.error.contains("--pim"))

        let setup = try await Self.setUp(home, server)
        #expect(setup.status == 0, "\(setup.error)")
        #expect(setup.output.contains("success: pulled"))
        let status = try await Self.desktop(home, ["status", "--format", "json"])
        #expect(status.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any]
        #expect(json?["user"] as? String == "liam")
    }

    @Test func listFormatsAnEditAndTheExitStatusOfSuccessOfflineAndConflict() async throws {
        let server = try await ServerProcess(records: 500)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-cli")
        defer { directory.remove() }
        let laptop = directory.path("laptop")
        let tablet = directory.path("tablet")
        #expect(try await Self.setUp(laptop, server).status == 0)
        #expect(try await Self.setUp(tablet, server).status == 0)

        let csv = try await Self.desktop(laptop, ["list", "Opportunity", "--format", "csv", "--limit", "2"])
        #expect(csv.status == 0)
        let lines = csv.output.split(separator: "\r\n")
        #expect(lines.count == 3)
        let id = String(try #require(lines.dropFirst().first?.split(separator: ",").first))
        let json = try await Self.desktop(laptop, ["list", "Opportunity", "--format", "json"])
        let records = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]]
        #expect(records?.contains { $0["id"] as? String == id } == true)

        let bad = try await Self.desktop(laptop, ["edit", "Opportunity", id, "amount=lots", "stage=Dreaming"])
        #expect(bad.status == 1)
        #expect(bad.error.contains("amount") && bad.error.contains("stage"))

        // `stage` is settled by a person: the same field changed on two desktops is a conflict (exit 2).
        #expect(try await Self.desktop(laptop, ["edit", "Opportunity", id, "stage=Proposal"]).status == 0)
        #expect(try await Self.desktop(tablet, ["edit", "Opportunity", id, "stage=Negotiation"]).status == 0)
        let first = try await Self.desktop(laptop, ["sync"])
        #expect(first.status == 0, "\(first.output)\(first.error)")
        #expect(first.output.contains("applied 1"))
        let second = try await Self.desktop(tablet, ["sync"])
        #expect(second.status == 2, "\(second.output)\(second.error)")
        #expect(second.output.contains("conflicts 1"))
        let conflicts = try await Self.desktop(tablet, ["conflicts", "--format", "json"])
        #expect(conflicts.output.contains("stage"))

        // Offline: the edit stays queued, the exit status says failure.
        server.pause()
        defer { server.resume() }
        #expect(try await Self.desktop(laptop, ["new", "Account", "name=Queued Ltd"]).status == 0)
        let offline = try await Self.desktop(laptop, ["sync"])
        #expect(offline.status == 1)
        #expect(offline.error.contains("cannot reach"))
        #expect(offline.error.contains("1 unsent"))
    }

    @Test func deletingAnAccountWithoutATerminalNeedsToBeToldWhichDelete() async throws {
        let server = try await ServerProcess(records: 300)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-cli")
        defer { directory.remove() }
        let home = directory.path("home")
        #expect(try await Self.setUp(home, server).status == 0)
        let csv = try await Self.desktop(home, ["list", "Account", "--format", "csv"]).output.split(separator: "\r\n")
        let listed = String(try #require(csv.dropFirst().first?.split(separator: ",").first))

        let ask = try await Self.desktop(home, ["delete", "Account", listed])
        #expect(ask.status == 1)
        #expect(ask.error.contains("--yes") && ask.error.contains("--local-only"))
        #expect(try await Self.desktop(home, ["delete", "Account", listed, "--local-only"]).status == 0)

        let made = try await Self.desktop(home, ["new", "Account", "name=Short Lived Ltd"])
        let madeID = String(try #require(made.output.split(separator: "\n").last))
        #expect(try await Self.desktop(home, ["sync"]).status == 0)
        #expect(try await Self.desktop(home, ["delete", "Account", madeID, "--yes"]).status == 0)
        let sync = try await Self.desktop(home, ["sync"])
        #expect(sync.status == 0, "\(sync.output)\(sync.error)")
        let after = try await Self.desktop(home, ["list", "Account", "--format", "csv"]).output
        #expect(!after.contains(listed) && !after.contains(madeID))
        #expect(try await Self.desktop(home, ["filters"]).output.contains(listed))

        // An account with opportunities may not be deleted (`restrict`): the refused delete leaves it visible.
        let deals = try await Self.desktop(home, ["list", "Opportunity", "--format", "json"]).output
        let records = try JSONSerialization.jsonObject(with: Data(deals.utf8)) as? [[String: Any]] ?? []
        let kept = try #require(
            records.compactMap { ($0["fields"] as? [String: Any])?["accountId"] as? String }.first { $0 != listed })
        #expect(try await Self.desktop(home, ["delete", "Account", kept, "--yes"]).status == 0)
        let refused = try await Self.desktop(home, ["sync"])
        #expect(refused.status == 2)
        #expect(try await Self.desktop(home, ["list", "Account", "--format", "csv"]).output.contains(kept))
        let status = try await Self.desktop(home, ["status"]).output
        #expect(status.contains(kept) || status.contains(String(kept.prefix(8))))
    }

    @Test func watchStopsCleanlyOnSIGTERMAndSIGINT() async throws {
        let server = try await ServerProcess(records: 100)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-cli")
        defer { directory.remove() }
        let home = directory.path("home")
        #expect(try await Self.setUp(home, server).status == 0)
        for signal in [SIGTERM, SIGINT] {
            let watch = try Processes.start("crm-desktop", ["--home", home, "sync", "--watch", "60"])
            try await Task.sleep(for: .seconds(1.5))
            kill(watch.processIdentifier, signal)
            let stopped = Date()
            watch.waitUntilExit()
            #expect(watch.terminationReason == .exit)
            #expect(watch.terminationStatus == 0)
            #expect(Date().timeIntervalSince(stopped) < 10)
        }
    }
}
