import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes
import Testing

/// The REST API applies the package's global keys and duplicate rules as a push does: one record per global key
/// whoever creates it and however many at once, updates cannot take another record's key, and a duplicate is
/// refused unless the caller insists.
@Suite struct RecordKeyRuleTests {
    static func email(_ messageId: String, subject: String = "Offer") -> RecordWrite {
        RecordWrite(fields: ["subject": .string(subject), "display": "email", "messageId": .string(messageId)])
    }

    @Test func concurrentRestCreatesWithOneGlobalKeyMakeOneRecord() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            // Users who cannot see each other's records, so only the key (not visibility) can tie them.
            var tokens: [String] = []
            for user in ["rita", "peter", "tom", "tess"] { tokens.append(try await api.login(user)) }
            let replies = try await withThrowingTaskGroup(of: TestAPI.Reply.self) { group in
                for (index, token) in tokens.enumerated() {
                    for copy in 0..<2 {
                        let id = index % 2 == copy ? "<Offer-7@Example.com>" : "<offer-7@example.com>"
                        group.addTask { try await api.send(.post, "/api/v1/records/Activity", token: token, json: Self.email(id)) }
                    }
                }
                var all: [TestAPI.Reply] = []
                for try await reply in group { all.append(reply) }
                return all
            }
            let created = replies.filter { $0.status == .created }
            #expect(created.count == 1, "\(replies.map(\.text))")
            let id = try #require(try created.first?.decode(Record.self).id)
            for refused in replies where refused.status != .created {
                #expect(refused.status == .conflict, "\(refused.text)")
                #expect(refused.text.contains(id) && refused.text.contains("\"field\":\"messageId\""), "\(refused.text)")
            }
            let admin = try await api.login("ada")
            let list = try await api.send(.get, "/api/v1/records/Activity?limit=100", token: admin)
            let keyed = try list.decode(RecordList.self).records.filter {
                $0.fields["messageId"]?.stringValue?.lowercased() == "<offer-7@example.com>"
            }
            #expect(keyed.map(\.id) == [id])
        }
    }

    @Test func anUpdateOntoAnotherRecordsGlobalKeyIsRefused() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let peter = try await api.login("peter")
            let first = try await api.send(.post, "/api/v1/records/Activity", token: rita, json: Self.email("<a@x.example>"))
            let firstID = try first.decode(Record.self).id
            let second = try await api.send(.post, "/api/v1/records/Activity", token: peter, json: Self.email("<b@x.example>"))
            let secondID = try second.decode(Record.self).id
            let moved = try await api.send(
                .patch, "/api/v1/records/Activity/\(secondID)", token: peter,
                json: RecordWrite(fields: ["messageId": "<A@X.example>"]))
            #expect(moved.status == .conflict, "\(moved.text)")
            #expect(moved.text.contains(firstID) && moved.text.contains("\"field\":\"messageId\""), "\(moved.text)")
            let read = try await api.send(.get, "/api/v1/records/Activity/\(secondID)", token: peter)
            #expect(try read.decode(Record.self).fields["messageId"] == "<b@x.example>")
        }
    }

    @Test func aRestCreateMatchingADuplicateRuleIsRefusedUnlessTheCallerInsists() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let first = try await api.create("Contact", ["lastName": "Scorpio", "email": "hank@globex.example"], token: rita)
            let write = RecordWrite(fields: ["lastName": "Scorpio", "email": "HANK@globex.example"])
            let again = try await api.send(.post, "/api/v1/records/Contact", token: rita, json: write)
            #expect(again.status == .conflict, "\(again.text)")
            #expect(again.text.contains(first.id) && again.text.contains("\"field\":\"email\""), "\(again.text)")
            let insisted = try await api.send(.post, "/api/v1/records/Contact?insist=true", token: rita, json: write)
            #expect(insisted.status == .created, "\(insisted.text)")
            // Someone who cannot see the first contact is not told about it.
            let peter = try await api.login("peter")
            let other = try await api.send(.post, "/api/v1/records/Contact", token: peter, json: write)
            #expect(other.status == .created, "\(other.text)")
        }
    }

    @Test func aPushedUpdateOntoAnotherRecordsGlobalKeyIsRefusedAloneAndTheBatchGoesOn() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let first = try await api.send(.post, "/api/v1/records/Activity", token: rita, json: Self.email("<a@x.example>"))
            let firstID = try first.decode(Record.self).id
            let peter = try await TestDesktop.ready(api, "peter")
            let own = SyncOp.create("Activity", ["subject": "Mine", "display": "email", "messageId": "<b@x.example>"])
            #expect(try await peter.push([own]).first?.status == .applied)
            // Peter cannot see rita's email, so only the store's key rows know the key is taken.
            let moved = SyncOp.update("Activity", own.id, base: 1, ["messageId": "<A@X.example>"])
            let note = SyncOp.create("Activity", ["subject": "Call back", "display": "todo"])
            let results = try await peter.push([moved, note])
            #expect(results.map(\.status) == [.rejected, .applied], "\(results)")
            #expect(results.first?.issues?.first?.field == "messageId")
            #expect(results.first?.message?.contains(firstID) == true, "\(results)")
            let kept = try #require(try await api.record("Activity", own.id, token: peter.token))
            #expect(kept.fields["messageId"] == "<b@x.example>")
        }
    }
}
