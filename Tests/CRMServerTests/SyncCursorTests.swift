import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import GRDB
import Testing

/// Cursors are the server's own signed words: anything it cannot continue gets a "reset", a lost answer is
/// answered again, and a reset device rebuilds its replica from scratch.
@Suite("Sync cursors")
struct SyncCursorTests {
    @Test func aForgedCursorGetsAReset() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let first = try await api.create("Account", ["name": "First"], token: token)
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            try await rita.pullAll()
            _ = try await api.create("Account", ["name": "Second"], token: token)
            let cursor = try #require(rita.cursor)

            // The payload rewritten to start the feed from the beginning, with the old signature.
            let parts = cursor.split(separator: ".").map(String.init)
            #expect(parts.count == 2)
            let payloadData = try #require(CursorText.decode(parts[0]))
            var payload = try #require(try JSONSerialization.jsonObject(with: payloadData) as? [String: Any])
            #expect(payload["seq"] != nil)
            payload["seq"] = 0
            let rewritten = CursorText.encode(try JSONSerialization.data(withJSONObject: payload)) + "." + parts[1]
            // The signature's first character changed.
            let signature = parts[1]
            let flipped = (signature.first == "A" ? "B" : "A") + signature.dropFirst()
            let resigned = parts[0] + "." + flipped

            for forged in [rewritten, resigned, "not-a-cursor", parts[0]] {
                let reply = try await rita.pullReply(cursor: forged)
                #expect(reply.status == .conflict, "\(forged)")
                #expect(reply.errorCode == SyncReset.errorCode, "\(forged)")
                #expect(reply.errorField == "cursor")
            }
            // The true cursor still continues where the device is: only the new account comes.
            let pages = try await rita.pullAll()
            #expect(pages.flatMap(\.upserts).count == 1)
            #expect(pages.flatMap(\.upserts).first?.record.id != first.id)
        }
    }

    @Test func aCursorOfAnotherDeviceOfTheSameUserGetsAReset() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            _ = try await api.create("Account", ["name": "Acme"], token: try await api.login("rita"))
            var laptop = try await TestDesktop.connect(api, "rita", name: "laptop")
            try await laptop.begin()
            try await laptop.pullAll()
            var desk = try await TestDesktop.connect(api, "rita", name: "desk")
            try await desk.begin()

            let reply = try await desk.pullReply(cursor: laptop.cursor)
            #expect(reply.status == .conflict)
            #expect(reply.errorCode == SyncReset.errorCode)
            // The laptop's own session goes on with it.
            #expect(try await laptop.pullReply(cursor: laptop.cursor).status == .ok)
        }
    }

    @Test func aCursorOfAnotherStoreEpochGetsAResetAndPullingFromScratchRebuildsTheReplica() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            var ids: Set<String> = []
            for name in ["One", "Two", "Three"] {
                ids.insert(try await api.create("Account", ["name": .string(name)], token: token).id)
            }
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            try await rita.pullAll()
            #expect(Set(rita.replica.keys) == ids)

            // As if the store were restored from a backup (or copied: a new epoch).
            _ = try await server.transfer.renewEpoch()
            let reply = try await rita.pullReply(cursor: rita.cursor)
            #expect(reply.status == .conflict)
            #expect(reply.errorCode == SyncReset.errorCode)

            rita.replica = [:]
            rita.cursor = nil
            let rebuilt = try await rita.pullAll()
            #expect(Set(rita.replica.keys) == ids)
            #expect(rebuilt.flatMap(\.upserts).count == 3)
            // And the new cursor continues normally.
            let next = try await rita.pullAll()
            #expect(next.flatMap(\.upserts).isEmpty && next.flatMap(\.removes).isEmpty)
        }
    }

    @Test func aCursorOlderThanTheRetentionHorizonGetsAReset() async throws {
        var configuration = ServerConfiguration(bcryptCost: 4)
        configuration.sync = SyncConfiguration(retention: 0.3)
        let server = try await TestServer.make(configuration: configuration)
        try await server.run { api in
            // An empty store: the first pull is a single page, so no cursor ages on the way.
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            let first = try await rita.pullAll()
            #expect(first.count == 1)
            _ = try await api.create("Account", ["name": "Acme"], token: rita.token)
            try await Task.sleep(for: .seconds(1))

            let reply = try await rita.pullReply(cursor: rita.cursor)
            #expect(reply.status == .conflict)
            #expect(reply.errorCode == SyncReset.errorCode)
            let (wait, _) = try await SyncPullSupport.wait(rita, timeout: 0)
            #expect(wait.errorCode == SyncReset.errorCode)
            // Starting over still works, and brings the account.
            rita.cursor = nil
            let rebuilt = try await rita.pullReply(cursor: nil)
            #expect(rebuilt.status == .ok)
            #expect(try rebuilt.decode(SyncPage.self).upserts.count == 1)
        }
    }

    @Test func resendingTheCursorOfALostAnswerGetsTheSamePageAndTheDeviceConverges() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            var ids: Set<String> = []
            for index in 1...5 {
                ids.insert(try await api.create("Account", ["name": .string("A\(index)")], token: token).id)
            }
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            let first = try await rita.pullReply(cursor: nil, limit: 2).decode(SyncPage.self)
            rita.apply(first)

            let lost = try await rita.pullReply(cursor: rita.cursor, limit: 2).decode(SyncPage.self)
            #expect(!lost.upserts.isEmpty)
            let again = try await rita.pullReply(cursor: rita.cursor, limit: 2).decode(SyncPage.self)
            #expect(again.upserts == lost.upserts)
            #expect(again.removes == lost.removes)
            #expect(again.more == lost.more)
            rita.apply(again)
            try await rita.pullAll(limit: 2)
            #expect(Set(rita.replica.keys) == ids)

            // A lost answer in the change feed: the retry brings it together with what changed since.
            let doomed = try #require(rita.replica.values.first?.record)
            try await SyncPullSupport.delete(api, doomed, token: token)
            let created = try await api.create("Account", ["name": "Later"], token: token)
            let lostFeed = try await rita.pullReply(cursor: rita.cursor).decode(SyncPage.self)
            #expect(lostFeed.upserts.map(\.record.id) == [created.id])
            #expect(lostFeed.removes == [SyncRemove(id: doomed.id, type: "Account", reason: .deleted)])
            let latest = try await api.create("Account", ["name": "Latest"], token: token)
            let retried = try await rita.pullReply(cursor: rita.cursor).decode(SyncPage.self)
            #expect(Set(retried.upserts.map(\.record.id)) == [created.id, latest.id])
            #expect(retried.removes == [SyncRemove(id: doomed.id, type: "Account", reason: .deleted)])
            rita.apply(retried)
            #expect(Set(rita.replica.keys) == ids.subtracting([doomed.id]).union([created.id, latest.id]))

            var fresh = try await TestDesktop.connect(api, "rita", name: "fresh")
            try await fresh.sync()
            #expect(Set(fresh.replica.keys) == Set(rita.replica.keys))
            let quiet = try await rita.pullAll()
            #expect(quiet.flatMap(\.upserts).isEmpty && quiet.flatMap(\.removes).isEmpty)
        }
    }

    @Test func anotherUsersSessionIsNotFound() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            var peter = try await TestDesktop.connect(api, "peter")
            peter.session = rita.session

            let pull = try await peter.pullReply(cursor: nil)
            #expect(pull.status == .notFound)
            #expect(pull.errorField == "session")
            let end = try await api.send(
                .post, "/api/v1/sync/end", token: peter.token,
                json: SyncEndRequest(session: rita.session ?? "", counts: SyncCounts()))
            #expect(end.status == .notFound)
            // Rita's session is untouched.
            #expect(try await rita.pullReply(cursor: nil).status == .ok)
        }
    }
}

/// The base64url text a cursor is made of.
private enum CursorText {
    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }

    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
