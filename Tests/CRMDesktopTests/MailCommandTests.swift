import CRMDesktop
import CRMTesting
import Foundation
import Testing

/// `crm-desktop share FILE.eml`, `mail track|scan|status` and the sync that sends what they shared, run as a user
/// runs them against a real `crm-server`.
@Suite("crm-desktop mail commands", .serialized)
struct MailCommandTests {
    static func desktop(_ home: String, _ arguments: [String], stdin: String? = nil) throws -> Processes.Run {
        try Processes.run("crm-desktop", ["--home", home] + arguments, stdin: stdin)
    }

    @Test func sharedEmailIsListedInStatusSentWithItsAttachmentAndTrackingSharesAMaildir() async throws {
        let server = try await ServerProcess(records: 50)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-mail-cli")
        defer { directory.remove() }
        let home = directory.path("home")
        let setup = try Self.desktop(
            home, ["setup", "--server", server.url, "--user", "liam", "--password-stdin", "--yes", "--pim", "none"],
            stdin: ServerProcess.password + "\n")
        #expect(setup.status == 0, "\(setup.error)")

        let offer = directory.path("offer.eml")
        try MailMessages.message(
            from: "Nora North <nora@north.example>", to: ["liam@crm-demo.example"], subject: "Offer",
            id: "offer-cli@north.example", attachments: [MailMessages.offer]
        ).write(to: URL(fileURLWithPath: offer))
        let broken = directory.path("broken.eml")
        try Data([0, 1, 2, 3]).write(to: URL(fileURLWithPath: broken))

        let shared = try Self.desktop(home, ["share", offer, broken, "--format", "json"])
        #expect(shared.status == 2, "\(shared.error)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(shared.output.utf8)) as? [[String: Any]])
        #expect(results.map { $0["outcome"] as? String } == ["shared", "failed"])
        #expect(results.first?["direction"] as? String == "inbound")
        #expect((results.last?["problem"] as? String)?.contains("broken.eml") == true)

        let status = try Self.desktop(home, ["status"])
        #expect(status.output.contains("Mail:       1 emails shared"), "\(status.output)")
        #expect(status.output.contains("\"Offer\" (queued)"), "\(status.output)")
        #expect(status.output.contains("broken.eml"), "\(status.output)")

        let sync = try Self.desktop(home, ["sync"])
        #expect(sync.status == 0, "\(sync.output)\(sync.error)")
        #expect(sync.output.contains("files: sent 1"), "\(sync.output)")
        let synced = try Self.desktop(home, ["status"])
        #expect(synced.output.contains("\"Offer\" (synced)"), "\(synced.output)")

        let maildir = directory.path("Mail/CRM")
        _ = try MailMessages.deliver(
            MailMessages.message(from: "liam@crm-demo.example", to: ["nora@north.example"], subject: "Re: Offer", id: "re-cli@crm-demo.example"),
            to: maildir, name: "1764000100.M1P1.host")
        let track = try Self.desktop(home, ["mail", "track", "--maildir", maildir])
        #expect(track.status == 0, "\(track.error)")
        #expect(track.output.contains("shared"), "\(track.output)")
        #expect(track.output.contains("outbound"), "\(track.output)")
        let mailStatus = try Self.desktop(home, ["mail", "status", "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(mailStatus.output.utf8)) as? [String: Any])
        #expect(json["shareFolder"] as? String == maildir)
        #expect(json["sharedCount"] as? Int == 2)
        let again = try Self.desktop(home, ["sync"])
        #expect(again.output.contains("pushed 1 (applied 1"), "\(again.output)")
    }

    @Test func trackingAgainKeepsTheFoldersTrackedUntilToldToForgetThem() async throws {
        let server = try await ServerProcess(records: 10)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-mail-track")
        defer { directory.remove() }
        let home = directory.path("home")
        let setup = try Self.desktop(
            home, ["setup", "--server", server.url, "--user", "liam", "--password-stdin", "--yes", "--pim", "none"],
            stdin: ServerProcess.password + "\n")
        #expect(setup.status == 0, "\(setup.error)")
        let inbox = directory.path("Mail/INBOX")
        let sent = directory.path("Mail/Sent")
        let share = directory.path("Mail/CRM")
        for folder in [inbox, sent, share] {
            _ = try MailMessages.deliver(
                MailMessages.message(from: "x@else.example", to: ["y@else.example"], subject: "Hi", id: nil),
                to: folder, name: "1764000200.M1P1.host")
        }
        func tracked() throws -> (share: String?, folders: [String]) {
            let run = try Self.desktop(home, ["mail", "status", "--format", "json"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
            return (json["shareFolder"] as? String, json["folders"] as? [String] ?? [])
        }

        #expect(try Self.desktop(home, ["mail", "track", "--folder", inbox]).status == 0)
        #expect(try tracked().folders == [inbox])
        #expect(try Self.desktop(home, ["mail", "track", "--maildir", share]).status == 0)
        #expect(try tracked().share == share)
        #expect(try tracked().folders == [inbox], "--maildir alone keeps the folders")
        #expect(try Self.desktop(home, ["mail", "track", "--folder", sent]).status == 0)
        #expect(try tracked().folders == [inbox, sent])
        #expect(try tracked().share == share, "--folder alone keeps the share folder")
        #expect(try Self.desktop(home, ["mail", "track", "--no-folders", "--folder", sent]).status == 0)
        #expect(try tracked().folders == [sent])
        #expect(try Self.desktop(home, ["mail", "track", "--no-folders"]).status == 0)
        #expect(try tracked().folders == [])
        #expect(try tracked().share == share)
    }
}
