import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// Conflicts through real HTTP (DESIGN section 3): the four field policies, conflict records that reach both
/// authors and are resolved with a new version, update-vs-delete and delete-vs-update, duplicates among the
/// records the user may see, and global keys that join an existing record.
@Suite("Sync conflicts")
struct SyncConflictTests {
    @Test func phoneEditedOnTwoDevicesKeepsTheLaterEditAndARecordOfBoth() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let account = try await api.create("Account", ["name": "Acme", "phone": "+1 100"], token: api.login("rita"))
            let rita = try await TestDesktop.ready(api, "rita")
            let maria = try await TestDesktop.ready(api, "maria")
            let now = Date()
            // Rita edited first but syncs first; Maria edited later and syncs after her.
            let early = try await rita.push([
                .update("Account", account.id, base: 1, ["phone": "+1 200"], at: now - 60)
            ])
            #expect(early.first?.status == .applied)
            let late = try #require(
                try await maria.push([.update("Account", account.id, base: 1, ["phone": "+1 300"], at: now - 30)])
                    .first)
            #expect(late.status == .conflict)
            #expect(late.record?.fields["phone"] == "+1 300")
            #expect(late.version == 3)

            let conflict = try #require(late.conflicts?.first)
            #expect(conflict.type == ConflictRecord.typeName)
            #expect(conflict.fields["kind"] == "field")
            #expect(conflict.fields["recordId"] == .string(account.id))
            #expect(conflict.fields["field"] == "phone")
            #expect(conflict.fields["rule"] == "newest-wins")
            #expect(conflict.fields["status"] == "resolved")
            #expect(conflict.fields["winner"] == "client")
            #expect(conflict.fields["serverValue"] == "+1 200")
            #expect(conflict.fields["clientValue"] == "+1 300")
            #expect(conflict.fields["serverVersion"] == 2)
            #expect(conflict.fields["baseVersion"] == 1)
            #expect(conflict.fields["serverAuthor"] == "rita")
            #expect(conflict.fields["clientAuthor"] == "maria")
            #expect(try await api.record("Account", account.id, token: rita.token)?.fields["phone"] == "+1 300")

            // The other order: the later edit already on the server stays.
            let older = try #require(
                try await rita.push([.update("Account", account.id, base: 3, ["phone": "+1 400"], at: now - 90)]).first)
            #expect(older.status == .applied)
            let stale = try #require(
                try await maria.push([.update("Account", account.id, base: 3, ["phone": "+1 500"], at: now - 120)])
                    .first)
            #expect(stale.status == .conflict)
            #expect(stale.record?.fields["phone"] == "+1 400")
            #expect(stale.conflicts?.first?.fields["winner"] == "server")
            #expect(stale.conflicts?.first?.fields["clientValue"] == "+1 500")
        }
    }

    @Test func anEditTimeInTheFutureIsClampedAndDoesNotBeatALaterRealEdit() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let account = try await api.create("Account", ["name": "Acme", "phone": "+1 100"], token: api.login("rita"))
            let rita = try await TestDesktop.ready(api, "rita")
            let maria = try await TestDesktop.ready(api, "maria")
            let future = Date() + 86_400
            let ahead = try await rita.push([.update("Account", account.id, base: 1, ["phone": "+1 200"], at: future)])
            #expect(ahead.first?.status == .applied)
            try await Task.sleep(for: .milliseconds(20))
            let result = try #require(
                try await maria.push([.update("Account", account.id, base: 1, ["phone": "+1 300"], at: Date())]).first)
            #expect(result.status == .conflict)
            #expect(result.record?.fields["phone"] == "+1 300")
            let conflict = try #require(result.conflicts?.first)
            #expect(conflict.fields["winner"] == "client")
            let serverTime = try #require(conflict.fields["serverTime"]?.stringValue.flatMap(Timestamp.date))
            #expect(serverTime < Date())

            // A future edit time that meets a server change is recorded as the server's clock, not the device's.
            let pushedAt = Date()
            let again = try #require(
                try await rita.push([.update("Account", account.id, base: 2, ["phone": "+1 400"], at: future)]).first)
            let clientTime = try #require(
                again.conflicts?.first?.fields["clientTime"]?.stringValue.flatMap(Timestamp.date))
            #expect(clientTime < pushedAt + 60)
        }
    }

    @Test func accountNameKeepsTheServerValueAndTheConflictKeepsTheDevices() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let account = try await api.create("Account", ["name": "Acme"], token: api.login("rita"))
            let rita = try await TestDesktop.ready(api, "rita")
            let maria = try await TestDesktop.ready(api, "maria")
            _ = try await rita.push([.update("Account", account.id, base: 1, ["name": "Acme Server"])])
            let result = try #require(
                try await maria.push([.update("Account", account.id, base: 1, ["name": "Acme Device", "city": "Oslo"])])
                    .first)
            #expect(result.status == .conflict)
            #expect(result.serverFields == ["name"])
            let conflict = try #require(result.conflicts?.first)
            #expect(conflict.fields["rule"] == "server-wins")
            #expect(conflict.fields["winner"] == "server")
            #expect(conflict.fields["status"] == "resolved")
            #expect(conflict.fields["clientValue"] == "Acme Device")
            #expect(conflict.fields["serverValue"] == "Acme Server")
            let stored = try #require(try await api.record("Account", account.id, token: rita.token))
            #expect(stored.fields["name"] == "Acme Server")
            #expect(stored.fields["city"] == "Oslo")
        }
    }

    @Test func contactMobileTakesTheDevicesValueAndTheConflictKeepsTheOverwrittenOne() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let contact = try await api.create(
                "Contact", ["lastName": "Doe", "mobile": "+1 100"], token: api.login("rita"))
            let rita = try await TestDesktop.ready(api, "rita")
            let maria = try await TestDesktop.ready(api, "maria")
            _ = try await rita.push([.update("Contact", contact.id, base: 1, ["mobile": "+1 200"])])
            let result = try #require(
                try await maria.push([.update("Contact", contact.id, base: 1, ["mobile": "+1 300"])]).first)
            #expect(result.status == .conflict)
            let conflict = try #require(result.conflicts?.first)
            #expect(conflict.fields["rule"] == "client-wins")
            #expect(conflict.fields["winner"] == "client")
            #expect(conflict.fields["serverValue"] == "+1 200")
            #expect(conflict.fields["clientValue"] == "+1 300")
            #expect(try await api.record("Contact", contact.id, token: rita.token)?.fields["mobile"] == "+1 300")
        }
    }

    @Test func aManualStageConflictStaysOpenAndReachesBothAuthorsOnly() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let deal = try await api.create(
                "Opportunity", ["name": "Deal", "stage": "Prospecting"], token: api.login("rita"))
            var rita = try await TestDesktop.ready(api, "rita")
            var maria = try await TestDesktop.ready(api, "maria")
            _ = try await rita.push([.update("Opportunity", deal.id, base: 1, ["stage": "Proposal"])])
            let result = try #require(
                try await maria.push([.update("Opportunity", deal.id, base: 1, ["stage": "Negotiation"])]).first)
            #expect(result.status == .conflict)
            #expect(result.record?.fields["stage"] == "Proposal")
            let conflict = try #require(result.conflicts?.first)
            #expect(conflict.fields["rule"] == "manual")
            #expect(conflict.fields["status"] == "open")
            #expect(conflict.fields["clientValue"] == "Negotiation")
            #expect(conflict.owner == "maria")
            #expect(conflict.team == ["rita"])
            #expect(try await api.record("Opportunity", deal.id, token: rita.token)?.fields["stage"] == "Proposal")

            try await rita.pullAll()
            try await maria.pullAll()
            #expect(rita.records(ConflictRecord.typeName).map(\.id) == [conflict.id])
            #expect(maria.records(ConflictRecord.typeName).map(\.id) == [conflict.id])
            #expect(rita.replica[conflict.id]?.record.fields["status"] == "open")

            for user in ["rita", "maria"] {
                let open = try await api.conflicts(token: api.login(user), status: "open")
                #expect(open.map(\.id) == [conflict.id], "\(user)")
                #expect(try await api.conflicts(token: api.login(user), status: "resolved").isEmpty, "\(user)")
            }
            for user in ["peter", "tom"] {
                #expect(try await api.conflicts(token: api.login(user)).isEmpty, "\(user)")
                var outsider = try await TestDesktop.ready(api, user)
                #expect(outsider.records(ConflictRecord.typeName, includingIncomplete: true).isEmpty, "\(user)")
                try await outsider.end()
            }
        }
    }

    @Test(arguments: [
        (ConflictResolution(choose: .client), "Negotiation"),
        (ConflictResolution(choose: .value, value: "Needs Analysis"), "Needs Analysis"),
    ])
    func resolvingAConflictWritesANewVersionThatReachesBothDevices(resolution: ConflictResolution, stage: String)
        async throws
    {
        let server = try await TestServer.make()
        try await server.run { api in
            let deal = try await api.create(
                "Opportunity", ["name": "Deal", "stage": "Prospecting"], token: api.login("rita"))
            let rita = try await TestDesktop.ready(api, "rita")
            let maria = try await TestDesktop.ready(api, "maria")
            _ = try await rita.push([.update("Opportunity", deal.id, base: 1, ["stage": "Proposal"])])
            let pushed = try await maria.push([.update("Opportunity", deal.id, base: 1, ["stage": "Negotiation"])])
            let conflict = try #require(pushed.first?.conflicts?.first)

            let resolved = try await api.resolve(conflict.id, resolution, token: rita.token)
            #expect(resolved.conflict.fields["status"] == "resolved")
            #expect(resolved.conflict.fields["resolvedBy"] == "rita")
            #expect(resolved.conflict.version == conflict.version + 1)
            #expect(resolved.record?.fields["stage"] == .string(stage))
            #expect(resolved.record?.version == 3)
            #expect(try await api.record("Opportunity", deal.id, token: maria.token)?.version == 3)
            #expect(try await api.conflicts(token: maria.token, status: "open").isEmpty)

            for desktop in [rita, maria] {
                var device = desktop
                try await device.pullAll()
                #expect(device.replica[deal.id]?.record.version == 3, "\(device.user)")
                #expect(device.replica[deal.id]?.record.fields["stage"] == .string(stage), "\(device.user)")
                #expect(device.replica[conflict.id]?.record.fields["status"] == "resolved", "\(device.user)")
            }
        }
    }

    @Test func resolvingOnTheServersSideKeepsItsValueAndClosesTheConflict() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let deal = try await api.create(
                "Opportunity", ["name": "Deal", "stage": "Prospecting"], token: api.login("rita"))
            let rita = try await TestDesktop.ready(api, "rita")
            let maria = try await TestDesktop.ready(api, "maria")
            _ = try await rita.push([.update("Opportunity", deal.id, base: 1, ["stage": "Proposal"])])
            let pushed = try await maria.push([.update("Opportunity", deal.id, base: 1, ["stage": "Negotiation"])])
            let conflict = try #require(pushed.first?.conflicts?.first)
            let resolved = try await api.resolve(conflict.id, ConflictResolution(choose: .server), token: maria.token)
            #expect(resolved.conflict.fields["status"] == "resolved")
            #expect(resolved.conflict.fields["choice"] == "server")
            #expect(try await api.record("Opportunity", deal.id, token: rita.token)?.fields["stage"] == "Proposal")
            #expect(try await api.conflicts(token: rita.token, status: "resolved").map(\.id) == [conflict.id])
        }
    }

    @Test func anUpdateOfARecordDeletedMeanwhileIsKeptInAConflictAndCanRestoreIt() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let account = try await api.create("Account", ["name": "Acme", "city": "Lyon"], token: api.login("rita"))
            var rita = try await TestDesktop.ready(api, "rita")
            var maria = try await TestDesktop.ready(api, "maria")
            #expect(try await rita.push([.delete("Account", account.id, base: 1)]).first?.status == .applied)
            let result = try #require(
                try await maria.push([.update("Account", account.id, base: 1, ["city": "Oslo", "phone": "+47 22"])])
                    .first)
            #expect(result.status == .conflict)
            let conflict = try #require(result.conflicts?.first)
            #expect(conflict.fields["kind"] == "update-deleted")
            #expect(conflict.fields["clientValue"] == .object(["city": "Oslo", "phone": "+47 22"]))
            #expect(conflict.fields["serverAuthor"] == "rita")
            #expect(try await api.record("Account", account.id, token: rita.token) == nil)

            try await rita.pullAll()
            #expect(rita.replica[account.id] == nil)
            let resolved = try await api.resolve(conflict.id, ConflictResolution(choose: .client), token: maria.token)
            let restored = try #require(try await api.record("Account", account.id, token: rita.token))
            #expect(resolved.record?.id == account.id)
            #expect(restored.fields["city"] == "Oslo")
            #expect(restored.fields["phone"] == "+47 22")
            #expect(restored.fields["name"] == "Acme")
            try await rita.pullAll()
            try await maria.pullAll()
            #expect(rita.replica[account.id]?.record == restored)
            #expect(maria.replica[account.id]?.record == restored)
        }
    }

    @Test func restoringADeletedRecordAppliesALinkAsASetAndRefusesAnInvalidEdit() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Acme"], token: token)
            let contact = try await api.create("Contact", ["lastName": "Doe"], token: token)
            let deal = try await api.create(
                "Opportunity", ["name": "Deal", "stage": "Proposal", "accountId": .string(account.id)], token: token)
            let rita = try await TestDesktop.ready(api, "rita")
            let maria = try await TestDesktop.ready(api, "maria")
            #expect(try await rita.push([.delete("Opportunity", deal.id, base: 1)]).first?.status == .applied)
            let linked = try #require(
                try await maria.push([.link("Opportunity", deal.id, base: 1, "contactIds", contact.id)]).first)
            let conflict = try #require(linked.conflicts?.first)
            _ = try await api.resolve(conflict.id, ConflictResolution(choose: .client), token: maria.token)
            let restored = try #require(try await api.record("Opportunity", deal.id, token: token))
            #expect(restored.fields["contactIds"] == .array([.string(contact.id)]))

            // An edit that is no longer valid (its account was deleted meanwhile) cannot restore the record.
            #expect(try await rita.push([.delete("Opportunity", deal.id, base: restored.version)]).first?.status == .applied)
            let edited = try #require(
                try await maria.push([.update("Opportunity", deal.id, base: restored.version, ["stage": "Negotiation"])]).first)
            let second = try #require(edited.conflicts?.first)
            let accountNow = try #require(try await api.record("Account", account.id, token: token))
            #expect(try await rita.push([.delete("Account", account.id, base: accountNow.version)]).first?.status == .applied)
            let refused = try await api.send(
                .post, "/api/v1/conflicts/\(second.id)/resolve", token: maria.token, json: ConflictResolution(choose: .client))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.issueFields == ["accountId"])
            #expect(try await api.record("Opportunity", deal.id, token: token) == nil)
        }
    }

    @Test func aDeleteOfARecordChangedMeanwhileKeepsItUntilResolvedForTheDelete() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let account = try await api.create("Account", ["name": "Acme"], token: api.login("rita"))
            var rita = try await TestDesktop.ready(api, "rita")
            var maria = try await TestDesktop.ready(api, "maria")
            _ = try await rita.push([.update("Account", account.id, base: 1, ["city": "Lyon"])])
            let result = try #require(try await maria.push([.delete("Account", account.id, base: 1)]).first)
            #expect(result.status == .conflict)
            #expect(result.serverFields == ["city"])
            let conflict = try #require(result.conflicts?.first)
            #expect(conflict.fields["kind"] == "delete-updated")
            #expect(conflict.fields["status"] == "open")
            let kept = try #require(try await api.record("Account", account.id, token: rita.token))
            #expect(kept.fields["city"] == "Lyon")
            #expect(kept.version == 2)

            _ = try await api.resolve(conflict.id, ConflictResolution(choose: .client), token: maria.token)
            #expect(try await api.record("Account", account.id, token: rita.token) == nil)
            try await rita.pullAll()
            try await maria.pullAll()
            #expect(rita.replica[account.id] == nil)
            #expect(maria.replica[account.id] == nil)
            #expect(maria.replica[conflict.id]?.record.fields["status"] == "resolved")
        }
    }

    @Test func aCreateMatchingAVisibleDuplicateIsAConflictUntilTheDeviceInsists() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let jane = try await api.create("Contact", ["lastName": "Doe", "email": "jane@example.com"], token: token)
            let rita = try await TestDesktop.ready(api, "rita")
            let copy = SyncOp.create("Contact", ["lastName": "Smith", "email": "jane@example.com"])
            let result = try #require(try await rita.push([copy]).first)
            #expect(result.status == .conflict)
            #expect(result.existing == jane.id)
            #expect(result.record == nil)
            #expect(try await api.list("Contact", token: token).map(\.id) == [jane.id])

            var insisting = copy
            insisting.opId = TestDesktop.opID()
            insisting.insist = true
            let created = try #require(try await rita.push([insisting]).first)
            #expect(created.status == .applied)
            #expect(created.id == copy.id)
            #expect(Set(try await api.list("Contact", token: token).map(\.id)) == [jane.id, copy.id])
        }
    }

    @Test func aDuplicateAmongRecordsTheUserMayNotSeeIsNeitherReportedNorNamed() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let secret = try await api.create(
                "Contact", ["lastName": "Hidden", "email": "shared@example.com"], token: api.login("peter"))
            let rita = try await TestDesktop.ready(api, "rita")
            let op = SyncOp.create("Contact", ["lastName": "Doe", "email": "shared@example.com"])
            let reply = try await rita.pushReply([op])
            let result = try #require(try reply.decode(SyncPushResponse.self).results.first)
            #expect(result.status == .applied)
            #expect(result.existing == nil)
            #expect(!reply.text.contains(secret.id))
            #expect(try await api.list("Contact", token: rita.token).map(\.id) == [op.id])
        }
    }

    @Test func twoUsersPushingOneMeetingByItsCalendarUIDShareOneRecord() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let meeting: [String: FieldValue] = [
                "subject": "Kick-off", "display": "todo", "icalUid": "uid-42@example.com",
            ]
            let rita = try await TestDesktop.ready(api, "rita")
            let peter = try await TestDesktop.ready(api, "peter")
            let first = SyncOp.create("Activity", meeting)
            #expect(try await rita.push([first]).first?.status == .applied)
            let second = SyncOp.create("Activity", meeting)
            let result = try #require(try await peter.push([second]).first)
            #expect(result.status == .merged)
            #expect(result.id == first.id)
            #expect(result.existing == first.id)
            #expect(result.record?.team.contains("peter") == true)

            let seen = try await api.list("Activity", token: peter.token)
            #expect(seen.map(\.id) == [first.id])
            #expect(seen.first?.owner == "rita")
            #expect(try await api.record("Activity", second.id, token: peter.token) == nil)
            #expect(try await api.list("Activity", token: rita.token).map(\.id) == [first.id])
        }
    }

    @Test func aConflictCannotBeResolvedByAnAuthorWhoNoLongerSeesItsRecord() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let account = try await api.create("Account", ["name": "Acme"], token: api.login("rita"))
            let rita = try await TestDesktop.ready(api, "rita")
            let maria = try await TestDesktop.ready(api, "maria")
            _ = try await maria.push([.update("Account", account.id, base: 1, ["name": "Acme Corp"])])
            let result = try #require(try await rita.push([.update("Account", account.id, base: 1, ["name": "Acme Ltd"])]).first)
            let conflict = try #require(result.conflicts?.first)
            // The administrator gives the account to peter: rita no longer sees it.
            let moved = try await api.send(
                .patch, "/api/v1/records/Account/\(account.id)", token: api.login("ada"), json: RecordWrite(fields: [:], owner: "peter"))
            #expect(moved.status == .ok)
            let refused = try await api.send(
                .post, "/api/v1/conflicts/\(conflict.id)/resolve", token: rita.token,
                json: ConflictResolution(choose: .client))
            #expect(refused.status == .notFound)
            #expect(try await api.record("Account", account.id, token: api.login("peter"))?.fields["name"] == "Acme Corp")
        }
    }
}

extension TestAPI {
    /// Resolves conflict `id`; throws when the server refuses.
    func resolve(_ id: String, _ resolution: ConflictResolution, token: String) async throws -> ResolvedConflict {
        let reply = try await send(.post, "/api/v1/conflicts/\(id)/resolve", token: token, json: resolution)
        guard reply.status == .ok else { throw TestAPIError.refused(reply.status.code, reply.text) }
        return try reply.decode(ResolvedConflict.self)
    }
}
