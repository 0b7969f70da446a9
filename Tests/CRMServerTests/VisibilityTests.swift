import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// Who sees what: owner, team member, manager (directly and through another manager), peer, the "all" role.
@Suite struct VisibilityTests {
    /// Records by owner, with their names, created for the matrix.
    struct World: Sendable {
        var ids: [String: String] = [:]  // account name -> id
    }

    /// rita's account; tess's account; peter's account shared with rita; peter's private account; sam's account.
    static func makeWorld(_ api: TestAPI) async throws -> World {
        var world = World()
        let rita = try await api.login("rita")
        let tess = try await api.login("tess")
        let peter = try await api.login("peter")
        let sam = try await api.login("sam")
        world.ids["rita"] = try await api.create("Account", ["name": "Rita's account"], token: rita).id
        world.ids["tess"] = try await api.create("Account", ["name": "Tess's account"], token: tess).id
        world.ids["shared"] = try await api.create("Account", ["name": "Peter's shared account"], token: peter, team: ["rita"]).id
        world.ids["peter"] = try await api.create("Account", ["name": "Peter's account"], token: peter).id
        world.ids["sam"] = try await api.create("Account", ["name": "Sam's account"], token: sam).id
        return world
    }

    /// Which of the world's accounts each user sees.
    static let expected: [String: Set<String>] = [
        "rita": ["rita", "shared"],  // owner, and team member of peter's shared account
        "tess": ["tess"],
        "tom": ["tess"],  // manager of tess
        "maria": ["rita", "tess", "shared"],  // manager of rita and tom, so of tess through tom; rita's team records
        "peter": ["shared", "peter"],
        "sam": ["sam"],
        "ada": ["rita", "tess", "shared", "peter", "sam"],  // admin: all
    ]

    @Test func eachUserSeesExactlyTheRecordsTheirVisibilityAllowsInListsAndReads() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.makeWorld(api)
            for (user, visible) in Self.expected.sorted(by: { $0.key < $1.key }) {
                let token = try await api.login(user)
                let list = try await api.send(.get, "/api/v1/records/Account?limit=100", token: token)
                let listed = Set(try list.decode(RecordList.self).records.map(\.id))
                let wanted = Set(visible.map { world.ids[$0]! })
                #expect(listed == wanted, "\(user) lists \(listed.count), expected \(visible.sorted())")
                for (name, id) in world.ids {
                    let read = try await api.send(.get, "/api/v1/records/Account/\(id)", token: token)
                    #expect(read.status == (visible.contains(name) ? .ok : .notFound), "\(user) reading \(name)")
                }
            }
        }
    }

    @Test func anInvisibleRecordIs404ForUpdateAndDeleteAndStaysUnchanged() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.makeWorld(api)
            let peter = try await api.login("peter")
            let ritaAccount = world.ids["rita"]!
            let patch = try await api.send(
                .patch, "/api/v1/records/Account/\(ritaAccount)", token: peter, json: RecordWrite(fields: ["name": "Mine now"]))
            #expect(patch.status == .notFound)
            #expect(try await api.send(.delete, "/api/v1/records/Account/\(ritaAccount)", token: peter).status == .notFound)
            let stored = try #require(try await server.store.record(id: ritaAccount))
            #expect(stored.version == 1 && !stored.deleted && stored.fields["name"] == "Rita's account")
            // The 404 of an invisible record reads exactly like that of a record that never existed.
            let missing = try await api.send(.get, "/api/v1/records/Account/\(UUID().uuidString.lowercased())", token: peter)
            let hidden = try await api.send(.get, "/api/v1/records/Account/\(ritaAccount)", token: peter)
            #expect(missing.errorCode == hidden.errorCode && missing.status == hidden.status)
        }
    }

    @Test func aReferenceToAnInvisibleOrDeletedRecordIsRefusedNamingTheField() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.makeWorld(api)
            let peter = try await api.login("peter")
            let invisible = try await api.send(
                .post, "/api/v1/records/Contact", token: peter,
                json: RecordWrite(fields: ["lastName": "Spy", "accountId": .string(world.ids["rita"]!)]))
            #expect(invisible.status == .unprocessableContent)
            #expect(invisible.errorField == "accountId")
            let own = world.ids["peter"]!
            #expect(try await api.send(.delete, "/api/v1/records/Account/\(own)", token: peter).status == .ok)
            let deleted = try await api.send(
                .post, "/api/v1/records/Contact", token: peter,
                json: RecordWrite(fields: ["lastName": "Ghost", "accountId": .string(own)]))
            #expect(deleted.status == .unprocessableContent)
            #expect(deleted.errorField == "accountId")
            // A record shared with peter through its team may be referred to.
            let shared = try await api.send(
                .post, "/api/v1/records/Contact", token: peter,
                json: RecordWrite(fields: ["lastName": "Loop", "accountId": .string(world.ids["shared"]!)]))
            #expect(shared.status == .created)
            let contact = try shared.decode(Record.self)
            // accountId may point to an Account only, not to a Contact.
            let wrongType = try await api.send(
                .post, "/api/v1/records/Contact", token: peter,
                json: RecordWrite(fields: ["lastName": "Odd", "accountId": .string(contact.id)]))
            #expect(wrongType.status == .unprocessableContent)
            #expect(wrongType.issueFields == ["accountId"])
            #expect(wrongType.text.contains("cannot refer to a Contact"))
        }
    }

    @Test func onlyUsersWhoSeeBeyondTheirOwnRecordsMayGiveARecordAway() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.makeWorld(api)
            let rita = try await api.login("rita")
            let give = try await api.send(
                .patch, "/api/v1/records/Account/\(world.ids["rita"]!)", token: rita, json: RecordWrite(fields: [:], owner: "peter"))
            #expect(give.status == .forbidden)
            let maria = try await api.login("maria")
            let reassign = try await api.send(
                .patch, "/api/v1/records/Account/\(world.ids["rita"]!)", token: maria, json: RecordWrite(fields: [:], owner: "tess"))
            #expect(reassign.status == .ok)
            #expect(try reassign.decode(Record.self).owner == "tess")
            // rita no longer sees it; tess and tom now do.
            #expect(try await api.send(.get, "/api/v1/records/Account/\(world.ids["rita"]!)", token: rita).status == .notFound)
            let tom = try await api.login("tom")
            #expect(try await api.send(.get, "/api/v1/records/Account/\(world.ids["rita"]!)", token: tom).status == .ok)
            let unknownTeam = try await api.send(
                .patch, "/api/v1/records/Account/\(world.ids["rita"]!)", token: maria, json: RecordWrite(fields: [:], team: ["nobody"]))
            #expect(unknownTeam.status == .unprocessableContent)
            #expect(unknownTeam.errorField == "team")
        }
    }

    @Test func aRoleSeesOnlyItsPackageTypesAndFields() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let sam = try await api.login("sam")
            let package = try await api.send(.get, "/api/v1/package", token: sam)
            let decoded = try package.decode(CustomizationPackage.self)
            #expect(decoded.role?.name == "service-agent")
            #expect(decoded.types["Opportunity"] == nil)
            #expect(try await api.send(.get, "/api/v1/records/Opportunity", token: sam).status == .notFound)
            let rita = try await api.login("rita")
            let ritaPackage = try await api.send(.get, "/api/v1/package", token: rita).decode(CustomizationPackage.self)
            #expect(ritaPackage.role?.visibility == .personal)
            #expect(ritaPackage.types["Opportunity"] != nil)
        }
    }

    @Test func aManagerDoesNotReadTheConflictsOfThePeopleBelowThemById() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let account = try await api.create("Account", ["name": "Disputed"], token: try await api.login("tess"))
            var tess = try await TestDesktop.connect(api, "tess")
            var tom = try await TestDesktop.connect(api, "tom")
            try await tess.begin()
            try await tom.begin()
            _ = try await tess.push([.update("Account", account.id, base: 1, ["phone": "+1 100"])])
            let answer = try await tom.push([.update("Account", account.id, base: 1, ["phone": "+1 200"])])
            let conflict = try #require(answer.first?.conflicts?.first)
            // Its authors read it; maria, who manages tom and so tess, sees their records but not their conflicts.
            #expect(try await api.send(.get, "/api/v1/conflicts", token: tess.token).decode(RecordList.self).records.map(\.id) == [conflict.id])
            let maria = try await api.login("maria")
            #expect(try await api.send(.get, "/api/v1/records/Account/\(account.id)", token: maria).status == .ok)
            let hidden = try await api.send(.get, "/api/v1/records/Conflict/\(conflict.id)", token: maria)
            let unknown = try await api.send(.get, "/api/v1/records/Conflict/\(RecordID.make())", token: maria)
            #expect(hidden.status == .notFound)
            #expect(hidden.text.replacingOccurrences(of: conflict.id, with: "ID").count == unknown.text.count)
            #expect(try await api.send(.get, "/api/v1/conflicts", token: maria).decode(RecordList.self).records.isEmpty)
        }
    }

    @Test func aTypeTheRoleHidesIsNotReadByIdEvenByATeamMember() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let peter = try await api.login("peter")
            let account = try await api.create("Account", ["name": "Shared"], token: peter, team: ["sam"])
            let deal = try await api.create(
                "Opportunity", ["name": "Hidden deal", "stage": "Proposal", "accountId": .string(account.id)], token: peter,
                team: ["sam"])
            let sam = try await api.login("sam")
            #expect(try await api.send(.get, "/api/v1/records/Account/\(account.id)", token: sam).status == .ok)
            let read = try await api.send(.get, "/api/v1/records/Opportunity/\(deal.id)", token: sam)
            #expect(read.status == .notFound, "\(read.text)")
        }
    }
}
