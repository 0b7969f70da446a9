import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// Push semantics through real HTTP (DESIGN section 3): ops applied, exactly once, merged field by field,
/// refused whole with field issues, held behind a refused op, and the limits of a batch.
@Suite("Sync push")
struct SyncPushTests {
    @Test func createUpdateLinkUnlinkAndDeleteOpsAreApplied() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            var desktop = try await TestDesktop.ready(api, "rita")
            let account = SyncOp.create("Account", ["name": "Acme", "city": "Lyon"])
            let other = SyncOp.create("Account", ["name": "Globex"])
            let contact = SyncOp.create("Contact", ["lastName": "Doe"])
            let deal = SyncOp.create("Opportunity", ["name": "Big deal", "stage": "Prospecting"])
            let created = try await desktop.push([account, other, contact, deal])
            #expect(created.map(\.status) == [.applied, .applied, .applied, .applied])
            #expect(created.map(\.id) == [account.id, other.id, contact.id, deal.id])
            #expect(created.map(\.version) == [1, 1, 1, 1])

            let results = try await desktop.push([
                .update("Account", account.id, base: 1, ["city": "Paris", "phone": "+33 1 23 45"]),
                .link("Contact", contact.id, base: 1, "accountId", account.id),
                .link("Opportunity", deal.id, base: 1, "contactIds", contact.id),
                .link("Opportunity", deal.id, base: 2, "accountId", account.id),
                .unlink("Contact", contact.id, base: 2, "accountId", account.id),
                .delete("Account", other.id, base: 1),
            ])
            #expect(results.map(\.status) == [.applied, .applied, .applied, .applied, .applied, .applied])

            let storedAccount = try #require(try await api.record("Account", account.id, token: desktop.token))
            #expect(storedAccount.version == 2)
            #expect(storedAccount.fields["city"] == "Paris")
            #expect(storedAccount.fields["phone"] == "+33 1 23 45")
            let storedDeal = try #require(try await api.record("Opportunity", deal.id, token: desktop.token))
            #expect(storedDeal.fields["contactIds"] == .array([.string(contact.id)]))
            #expect(storedDeal.fields["accountId"] == .string(account.id))
            #expect(storedDeal.version == 3)
            let storedContact = try #require(try await api.record("Contact", contact.id, token: desktop.token))
            #expect(storedContact.fields["accountId"] == nil)
            #expect(storedContact.version == 3)
            #expect(try await api.record("Account", other.id, token: desktop.token) == nil)

            try await desktop.pullAll()
            #expect(Set(desktop.records("Account").map(\.id)) == [account.id])
            #expect(desktop.replica[deal.id]?.record.version == 3)
        }
    }

    @Test func anOpPushedAgainIsAppliedOnceAndAnsweredAlike() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await TestDesktop.ready(api, "rita")
            let create = SyncOp.create("Account", ["name": "Once Inc"])
            let first = try await desktop.push([create])
            let update = SyncOp.update("Account", create.id, base: 1, ["city": "Oslo"])
            let updated = try await desktop.push([update])
            #expect(updated.first?.version == 2)

            // The answer was lost: the same ops come again, alone and then inside a batch with a new op.
            #expect(try await desktop.push([create]) == first)
            let newOp = SyncOp.create("Account", ["name": "Twice Inc"])
            let mixed = try await desktop.push([create, update, newOp])
            #expect(mixed[0] == first[0])
            #expect(mixed[1] == updated[0])
            #expect(mixed[2].status == .applied)

            let named = try await api.list("Account", token: desktop.token, query: "name=Once%20Inc")
            #expect(named.map(\.id) == [create.id])
            #expect(named.first?.version == 2)
            #expect(try await api.list("Account", token: desktop.token).count == 2)
        }
    }

    @Test func anUpdateFromAnOldBaseMergesTheFieldsTheServerChangedMeanwhile() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Acme", "city": "Lyon"], token: token)
            let desktop = try await TestDesktop.ready(api, "rita")
            let changed = try await api.send(
                .patch, "/api/v1/records/Account/\(account.id)", token: token,
                json: RecordWrite(fields: ["city": "Paris"]))
            #expect(changed.status == .ok)

            let results = try await desktop.push([.update("Account", account.id, base: 1, ["phone": "+33 4 55 66"])])
            let result = try #require(results.first)
            #expect(result.status == .merged)
            #expect(result.serverFields == ["city"])
            #expect(result.version == 3)
            #expect(result.record?.fields["city"] == "Paris")
            #expect(result.record?.fields["phone"] == "+33 4 55 66")
            let stored = try #require(try await api.record("Account", account.id, token: token))
            #expect(stored.fields["city"] == "Paris")
            #expect(stored.fields["phone"] == "+33 4 55 66")
        }
    }

    @Test func invalidOpsAreRejectedWithFieldIssuesAndChangeNothing() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Acme"], token: token)
            let desktop = try await TestDesktop.ready(api, "rita")
            let noName = SyncOp.create("Account", ["city": "Lyon"])
            let backwards = SyncOp.create(
                "Activity",
                ["subject": "Call", "display": "todo", "start": "2026-05-04T10:00:00Z", "end": "2026-05-04T09:00:00Z"])
            let unknown = SyncOp.update("Account", account.id, base: 1, ["nickname": "ACME", "city": "Nice"])
            let results = try await desktop.push([noName, backwards, unknown])

            #expect(results.map(\.status) == [.rejected, .rejected, .rejected])
            #expect(results[0].issues?.map(\.field) == ["name"])
            #expect(results[0].issues?.first?.code == .required)
            #expect(results[1].issues?.map(\.field) == ["end"])
            #expect(results[1].issues?.first?.code == .rule)
            #expect(results[2].issues?.map(\.field) == ["nickname"])
            #expect(results[2].issues?.first?.code == .unknownField)
            #expect(results.allSatisfy { $0.record == nil && $0.version == nil })

            #expect(try await api.list("Account", token: token).map(\.id) == [account.id])
            #expect(try await api.list("Activity", token: token).isEmpty)
            let stored = try #require(try await api.record("Account", account.id, token: token))
            #expect(stored.version == 1)
            #expect(stored.fields["city"] == nil)
        }
    }

    @Test func opsThatDependOnARejectedCreateAreHeldAndNamed() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await TestDesktop.ready(api, "rita")
            let refused = SyncOp.create("Account", ["city": "Lyon"])
            let later = SyncOp.update("Account", refused.id, base: 1, ["name": "Named late"])
            let referring = SyncOp.create("Contact", ["lastName": "Doe", "accountId": .string(refused.id)])
            let linking = SyncOp.create("Opportunity", ["name": "Deal", "stage": "Prospecting"])
            let link = SyncOp.link("Opportunity", linking.id, base: 1, "accountId", refused.id)
            let independent = SyncOp.create("Contact", ["lastName": "Roe"])
            let results = try await desktop.push([refused, later, referring, linking, link, independent])

            #expect(results.map(\.status) == [.rejected, .held, .held, .applied, .held, .applied])
            #expect(results[1].heldBy == refused.opId)
            #expect(results[2].heldBy == refused.opId)
            #expect(results[4].heldBy == refused.opId)
            #expect(results[0].heldBy == nil && results[3].heldBy == nil && results[5].heldBy == nil)

            #expect(try await api.list("Account", token: desktop.token).isEmpty)
            #expect(try await api.list("Contact", token: desktop.token).map(\.id) == [independent.id])
            let deal = try #require(try await api.record("Opportunity", linking.id, token: desktop.token))
            #expect(deal.version == 1)
            #expect(deal.fields["accountId"] == nil)
        }
    }

    @Test func anOpReferringToADeletedRecordIsRejectedNamingTheField() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Gone"], token: token)
            let contact = try await api.create("Contact", ["lastName": "Doe"], token: token)
            let deleted = try await api.send(.delete, "/api/v1/records/Account/\(account.id)", token: token)
            #expect(deleted.status == .ok)

            let desktop = try await TestDesktop.ready(api, "rita")
            let results = try await desktop.push([
                .create("Contact", ["lastName": "Roe", "accountId": .string(account.id)]),
                .update("Contact", contact.id, base: 1, ["accountId": .string(account.id)]),
            ])
            #expect(results.map(\.status) == [.rejected, .rejected])
            #expect(results.map { $0.issues?.map(\.field) } == [["accountId"], ["accountId"]])
            #expect(results.allSatisfy { $0.issues?.first?.code == .reference })
            #expect(try await api.list("Contact", token: token).map(\.id) == [contact.id])
            #expect(try await api.record("Contact", contact.id, token: token)?.version == 1)
        }
    }

    @Test func anOpOnARecordTheUserMayNotSeeIsRejectedExactlyLikeAMissingOne() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let peterToken = try await api.login("peter")
            let hidden = try await api.create("Account", ["name": "Peter's secret"], token: peterToken)
            let desktop = try await TestDesktop.ready(api, "rita")
            let missing = RecordID.make()
            let results = try await desktop.push([
                .update("Account", hidden.id, base: 1, ["city": "Lyon"]),
                .update("Account", missing, base: 1, ["city": "Lyon"]),
            ]) + desktop.push([.delete("Account", hidden.id, base: 1)])
            #expect(results.map(\.status) == [.rejected, .rejected, .rejected])
            #expect(results[2].message == results[0].message)
            #expect(results[0].issues?.map(\.field) == ["id"])
            #expect(results[0].message == results[1].message?.replacingOccurrences(of: missing, with: hidden.id))
            #expect(results[0].issues?.first?.message
                == results[1].issues?.first?.message.replacingOccurrences(of: missing, with: hidden.id))
            for result in results {
                #expect(result.record == nil && result.version == nil)
                #expect(!(result.message ?? "").contains("Peter's secret"))
                #expect(!(result.message ?? "").contains("peter"))
            }
            let stored = try #require(try await api.record("Account", hidden.id, token: peterToken))
            #expect(stored.version == 1)
            #expect(stored.fields["city"] == nil)
        }
    }

    @Test func aBatchOverTheOpLimitIsRefusedWith413NamingOps() async throws {
        var configuration = ServerConfiguration(bcryptCost: 4)
        configuration.sync.maxOpsPerPush = 3
        let server = try await TestServer.make(configuration: configuration)
        try await server.run { api in
            let desktop = try await TestDesktop.ready(api, "rita")
            let ops = (1...4).map { SyncOp.create("Account", ["name": .string("Account \($0)")]) }
            let reply = try await desktop.pushReply(ops)
            #expect(reply.status == .contentTooLarge)
            #expect(reply.errorField == "ops")
            #expect(reply.text.contains("3"))
            #expect(try await api.list("Account", token: desktop.token).isEmpty)
            #expect(try await desktop.push(Array(ops.prefix(3))).map(\.status) == [.applied, .applied, .applied])
        }
    }

    @Test func aBatchNamingOneOpIdTwiceIsRefusedWith400() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await TestDesktop.ready(api, "rita")
            let first = SyncOp.create("Account", ["name": "First"])
            var second = SyncOp.create("Account", ["name": "Second"])
            second.opId = first.opId
            let reply = try await desktop.pushReply([first, second])
            #expect(reply.status == .badRequest)
            #expect(reply.errorCode == "malformed")
            #expect(reply.errorField == "ops[1].opId")
            #expect(try await api.list("Account", token: desktop.token).isEmpty)
        }
    }

    @Test func anOpMadeUnderAnOlderPackageWithARemovedFieldIsRejectedNamingBothVersions() async throws {
        let server = try await TestServer.make()
        let current = try DefaultPackage.load().version
        try await server.run { api in
            let token = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Acme"], token: token)
            let desktop = try await TestDesktop.ready(api, "rita")
            var op = SyncOp.update("Account", account.id, base: 1, ["fax": "+33 1 00 00"])
            op.packageVersion = 0
            let result = try #require(try await desktop.push([op]).first)
            #expect(result.status == .rejected)
            #expect(result.issues?.map(\.field) == ["fax"])
            let message = try #require(result.message)
            #expect(message.contains("package version 0"))
            #expect(message.contains("current version is \(current)"))
            #expect(try await api.record("Account", account.id, token: token)?.version == 1)
        }
    }

    @Test func linksFromTwoDevicesToOneSetKeepBothAndAnUnlinkRemovesOnlyItsId() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let first = try await api.create("Contact", ["lastName": "First"], token: token)
            let second = try await api.create("Contact", ["lastName": "Second"], token: token)
            let third = try await api.create("Contact", ["lastName": "Third"], token: token)
            let deal = try await api.create(
                "Opportunity", ["name": "Deal", "stage": "Prospecting", "contactIds": .array([.string(third.id)])],
                token: token)
            var laptop = try await TestDesktop.ready(api, "rita", name: "laptop")
            var phone = try await TestDesktop.ready(api, "rita", name: "phone")

            let linkedByLaptop = try await laptop.push([.link("Opportunity", deal.id, base: 1, "contactIds", first.id)])
            let linkedByPhone = try await phone.push([.link("Opportunity", deal.id, base: 1, "contactIds", second.id)])
            #expect(linkedByLaptop.first?.status == .applied)
            #expect(linkedByPhone.first?.status == .merged)
            #expect(linkedByPhone.first?.serverFields == ["contactIds"])
            let both = try #require(try await api.record("Opportunity", deal.id, token: token))
            #expect(both.fields["contactIds"]?.stringArray.map(Set.init) == [first.id, second.id, third.id])

            let unlinked = try await laptop.push([.unlink("Opportunity", deal.id, base: 1, "contactIds", third.id)])
            #expect(unlinked.first?.status == .merged)
            let after = try #require(try await api.record("Opportunity", deal.id, token: token))
            #expect(after.fields["contactIds"]?.stringArray.map(Set.init) == [first.id, second.id])

            try await laptop.pullAll()
            try await phone.pullAll()
            #expect(laptop.replica[deal.id]?.record == after)
            #expect(phone.replica[deal.id]?.record == after)
        }
    }
}

// MARK: - Helpers shared by the sync push, conflict and convergence suites

extension SyncOp {
    /// A create of a new record with a device-minted id.
    static func create(
        _ type: String, _ fields: [String: FieldValue], id: String = RecordID.make(), owner: String? = nil,
        team: [String]? = nil, at time: Date = Date()
    ) -> SyncOp {
        SyncOp(
            opId: TestDesktop.opID(), kind: .create, type: type, id: id, fields: fields, owner: owner, team: team,
            editedAt: time)
    }

    /// An update of the changed fields only, made from version `base`.
    static func update(_ type: String, _ id: String, base: Int, _ fields: [String: FieldValue], at time: Date = Date())
        -> SyncOp
    {
        SyncOp(
            opId: TestDesktop.opID(), kind: .update, type: type, id: id, baseVersion: base, fields: fields,
            editedAt: time)
    }

    static func delete(_ type: String, _ id: String, base: Int, at time: Date = Date()) -> SyncOp {
        SyncOp(opId: TestDesktop.opID(), kind: .delete, type: type, id: id, baseVersion: base, editedAt: time)
    }

    static func link(_ type: String, _ id: String, base: Int, _ field: String, _ target: String, at time: Date = Date())
        -> SyncOp
    {
        SyncOp(
            opId: TestDesktop.opID(), kind: .link, type: type, id: id, baseVersion: base, field: field, target: target,
            editedAt: time)
    }

    static func unlink(
        _ type: String, _ id: String, base: Int, _ field: String, _ target: String, at time: Date = Date()
    ) -> SyncOp {
        SyncOp(
            opId: TestDesktop.opID(), kind: .unlink, type: type, id: id, baseVersion: base, field: field,
            target: target, editedAt: time)
    }
}

extension TestDesktop {
    /// A device of `user` that has begun a session and pulled everything.
    static func ready(_ api: TestAPI, _ user: String, name: String = "test-desktop", filter: String? = nil)
        async throws -> TestDesktop
    {
        var desktop = try await TestDesktop.connect(api, user, name: name)
        try await desktop.begin(filter: filter)
        try await desktop.pullAll()
        return desktop
    }
}

extension TestAPI {
    /// The live record through REST as `token`'s user sees it; nil when it is not found (deleted or not visible).
    func record(_ type: String, _ id: String, token: String) async throws -> Record? {
        let reply = try await send(.get, "/api/v1/records/\(type)/\(id)", token: token)
        if reply.status == .notFound { return nil }
        guard reply.status == .ok else { throw TestAPIError.refused(reply.status.code, reply.text) }
        return try reply.decode(Record.self)
    }

    /// Every live record of `type` the user may see (one page of up to 1,000), optionally filtered.
    func list(_ type: String, token: String, query: String? = nil) async throws -> [Record] {
        let reply = try await send(
            .get, "/api/v1/records/\(type)?limit=1000" + (query.map { "&" + $0 } ?? ""), token: token)
        guard reply.status == .ok else { throw TestAPIError.refused(reply.status.code, reply.text) }
        return try reply.decode(RecordList.self).records
    }

    /// The user's conflict records, optionally only `open` or `resolved` ones.
    func conflicts(token: String, status: String? = nil) async throws -> [Record] {
        let reply = try await send(
            .get, "/api/v1/conflicts?limit=1000" + (status.map { "&status=" + $0 } ?? ""), token: token)
        guard reply.status == .ok else { throw TestAPIError.refused(reply.status.code, reply.text) }
        return try reply.decode(RecordList.self).records
    }
}
