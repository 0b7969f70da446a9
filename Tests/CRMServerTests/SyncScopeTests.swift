import CRMModel
import CRMServer
import CRMStore
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// What a device holds follows owners, teams, managers, filters and date windows: a move sends only the
/// difference, with the reason a record leaves.
@Suite("Sync scope")
struct SyncScopeTests {
    @Test func aRecordReassignedAwayLeavesTheOldOwnersDeviceAndReachesTheNewOnes() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let ritaToken = try await api.login("rita")
            let moved = try await api.create("Account", ["name": "Moving"], token: ritaToken)
            let stays = try await api.create("Account", ["name": "Staying"], token: ritaToken)
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            try await rita.pullAll()
            var peter = try await TestDesktop.connect(api, "peter")
            try await peter.begin()
            try await peter.pullAll()
            #expect(peter.replica.isEmpty)

            try await SyncPullSupport.patch(
                api, moved, RecordWrite(fields: [:], owner: "peter"), token: try await api.login("ada"))

            let ritaPages = try await rita.pullAll()
            #expect(
                ritaPages.flatMap(\.removes) == [SyncRemove(id: moved.id, type: "Account", reason: .lostVisibility)])
            #expect(ritaPages.flatMap(\.upserts).isEmpty)
            #expect(Set(rita.replica.keys) == [stays.id])

            let peterPages = try await peter.pullAll()
            #expect(peterPages.flatMap(\.upserts).map(\.record.id) == [moved.id])
            #expect(peterPages.flatMap(\.removes).isEmpty)
            #expect(peter.replica[moved.id]?.record.owner == "peter")
        }
    }

    @Test func aUserTakenOffARecordsTeamLosesItAndGetsItBackWhenPutOn() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let ritaToken = try await api.login("rita")
            let shared = try await api.create("Account", ["name": "Shared"], token: ritaToken, team: ["peter"])
            var peter = try await TestDesktop.connect(api, "peter")
            try await peter.begin()
            try await peter.pullAll()
            #expect(Set(peter.replica.keys) == [shared.id])

            try await SyncPullSupport.patch(api, shared, RecordWrite(fields: [:], team: []), token: ritaToken)
            let off = try await peter.pullAll()
            #expect(off.flatMap(\.removes) == [SyncRemove(id: shared.id, type: "Account", reason: .lostVisibility)])
            #expect(peter.replica.isEmpty)

            try await SyncPullSupport.patch(api, shared, RecordWrite(fields: [:], team: ["peter"]), token: ritaToken)
            let on = try await peter.pullAll()
            #expect(on.flatMap(\.upserts).map(\.record.id) == [shared.id])
            #expect(on.flatMap(\.removes).isEmpty)
        }
    }

    @Test func changingThePresetSendsOnlyTheDifference() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            var ids: [String: String] = [:]
            for user in ["maria", "rita", "tom", "tess"] {
                ids[user] = try await api.create(
                    "Account", ["name": .string("\(user)'s")], token: try await api.login(user)
                ).id
            }
            let others: Set<String> = [ids["rita"]!, ids["tom"]!, ids["tess"]!]
            var maria = try await TestDesktop.connect(api, "maria")
            #expect(try await maria.begin().rescan)
            try await maria.pullAll()
            #expect(Set(maria.replica.keys) == others.union([ids["maria"]!]))

            let narrowed = try await maria.begin(filter: "my-records")
            #expect(narrowed.rescan)
            #expect(narrowed.preview["Account"] == 1)
            let narrowing = try await maria.pullAll()
            #expect(narrowing.flatMap(\.upserts).isEmpty)
            #expect(Set(narrowing.flatMap(\.removes).map(\.id)) == others)
            #expect(narrowing.flatMap(\.removes).count == 3)
            #expect(narrowing.flatMap(\.removes).allSatisfy { $0.reason == .leftFilter })
            #expect(Set(maria.replica.keys) == [ids["maria"]!])

            // The same filter again: nothing to re-evaluate, nothing sent.
            #expect(try await maria.begin(filter: "my-records").rescan == false)
            let same = try await maria.pullAll()
            #expect(same.flatMap(\.upserts).isEmpty && same.flatMap(\.removes).isEmpty)

            #expect(try await maria.begin(filter: "my-team").rescan)
            let widening = try await maria.pullAll()
            #expect(widening.flatMap(\.removes).isEmpty)
            #expect(Set(widening.flatMap(\.upserts).map(\.record.id)) == others)
            #expect(widening.flatMap(\.upserts).count == 3)
        }
    }

    @Test func aPresetWithoutATypeRemovesThatTypesRecordsAndKeepsTheRest() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Kept"], token: token)
            let request = try await api.create("ServiceRequest", ["title": "Broken", "status": "Open"], token: token)
            let note = try await api.create("Note", ["body": "Remember"], token: token)
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.sync()
            #expect(Set(rita.replica.keys) == [account.id, request.id, note.id])

            try await rita.begin(filter: "my-open-pipeline")
            let pages = try await rita.pullAll()
            #expect(pages.flatMap(\.upserts).isEmpty)
            #expect(
                Set(pages.flatMap(\.removes).map { "\($0.type) \($0.id) \($0.reason.rawValue)" })
                    == ["ServiceRequest \(request.id) left-filter", "Note \(note.id) left-filter"])
            #expect(Set(rita.replica.keys) == [account.id])
        }
    }

    @Test func activitiesOutsideTheWindowStayOffTheDeviceUntilTheWindowWidens() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let recent = try await api.create("Activity", SyncPullSupport.activity(daysFromNow: -10), token: token)
            let older = try await api.create("Activity", SyncPullSupport.activity(daysFromNow: -45), token: token)
            let later = try await api.create("Activity", SyncPullSupport.activity(daysFromNow: 100), token: token)
            var rita = try await TestDesktop.connect(api, "rita")
            let begun = try await rita.begin(timeZone: "Europe/Berlin")
            #expect(begun.parameters == ["daysBack": "30", "daysAhead": "60"])
            #expect(begun.preview["Activity"] == 1)
            try await rita.pullAll()
            #expect(Set(rita.replica.keys) == [recent.id])

            let back = try await rita.begin(parameters: ["daysBack": "60"], timeZone: "Europe/Berlin")
            #expect(back.rescan)
            #expect(back.parameters == ["daysBack": "60", "daysAhead": "60"])
            let widened = try await rita.pullAll()
            #expect(widened.flatMap(\.upserts).map(\.record.id) == [older.id])
            #expect(widened.flatMap(\.removes).isEmpty)

            try await rita.begin(parameters: ["daysBack": "5", "daysAhead": "120"], timeZone: "Europe/Berlin")
            let moved = try await rita.pullAll()
            #expect(moved.flatMap(\.upserts).map(\.record.id) == [later.id])
            #expect(Set(moved.flatMap(\.removes).map(\.id)) == [recent.id, older.id])
            #expect(moved.flatMap(\.removes).allSatisfy { $0.reason == .leftFilter })
            #expect(Set(rita.replica.keys) == [later.id])

            let bad = try await rita.beginReply(parameters: ["daysBack": "soon"], timeZone: "Europe/Berlin")
            #expect(bad.status == .unprocessableContent)
            #expect(bad.errorField == "daysBack")
        }
    }

    @Test func aFilterBringingMoreThanATypesLimitIsRefusedNamingTheTypeAndCount() async throws {
        let server = try await TestServer.make()
        // The default package with every limit of 10,000 lowered to 2.
        let yaml = try DefaultPackage.yaml().replacingOccurrences(of: "limit: 10000", with: "limit: 2")
            .replacingOccurrences(of: "\nversion: 1\n", with: "\nversion: 2\n")
        let published = try await PackageService(store: server.store).publish(yaml: yaml, file: "limited.yaml")
        #expect(published.version == 2)
        try await server.run { api in
            let token = try await api.login("rita")
            for subject in ["One", "Two"] {
                _ = try await api.create(
                    "Activity", SyncPullSupport.activity(daysFromNow: -1, subject: subject), token: token)
            }
            var first = try await TestDesktop.connect(api, "rita", name: "first")
            #expect(try await first.begin().preview["Activity"] == 2)

            _ = try await api.create(
                "Activity", SyncPullSupport.activity(daysFromNow: -1, subject: "Three"), token: token)
            let second = try await TestDesktop.connect(api, "rita", name: "second")
            let refused = try await second.beginReply()
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorCode == "validation")
            #expect(refused.errorField == "filter")
            let message = ((refused.json["error"] as? [String: Any])?["message"] as? String) ?? ""
            #expect(message.contains("3 Activity records"), "\(message)")
            #expect(message.contains("at most 2"), "\(message)")

            // The first device chose its filter under the limit; growing past it through the feed does not
            // lock it out (its unsent edits must still go), but choosing the filter again is refused.
            try await first.pullAll()
            #expect(first.records("Activity").count == 3)
            try await first.end()
            #expect(try await first.begin().preview["Activity"] == 3)
            let rechosen = try await first.beginReply(filter: "my-records", parameters: ["daysBack": "10"])
            #expect(rechosen.status == .unprocessableContent)
        }
    }

    @Test func aManagerChangeChangesWhatTheManagersNextSessionBrings() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            var ids: [String: String] = [:]
            for user in ["maria", "rita", "tess", "peter"] {
                ids[user] = try await api.create(
                    "Account", ["name": .string("\(user)'s")], token: try await api.login(user)
                ).id
            }
            var maria = try await TestDesktop.connect(api, "maria")
            try await maria.sync()
            #expect(Set(maria.replica.keys) == [ids["maria"]!, ids["rita"]!, ids["tess"]!])

            // Tess no longer reports (through tom) to maria; peter now reports to her.
            _ = try await server.store.updateUser(named: "tess") { $0.manager = nil }
            _ = try await server.store.updateUser(named: "peter") { $0.manager = "maria" }

            let begun = try await maria.begin()
            #expect(begun.rescan)
            #expect(begun.preview["Account"] == 3)
            let pages = try await maria.pullAll()
            #expect(pages.flatMap(\.upserts).map(\.record.id) == [ids["peter"]!])
            #expect(
                pages.flatMap(\.removes) == [SyncRemove(id: ids["tess"]!, type: "Account", reason: .lostVisibility)])
            #expect(Set(maria.replica.keys) == [ids["maria"]!, ids["rita"]!, ids["peter"]!])
            try await maria.end()

            #expect(try await maria.begin().rescan == false)
        }
    }

    @Test func aRevokedDeviceIsRefusedAtBeginAndPull() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            _ = try await api.create("Account", ["name": "Secret"], token: token)
            var lost = try await TestDesktop.connect(api, "rita", name: "lost laptop")
            var kept = try await TestDesktop.connect(api, "rita", name: "desk")
            try await lost.begin()
            try await lost.pullAll()

            let revoke = try await api.send(.delete, "/api/v1/devices/\(lost.device.id)", token: token)
            #expect(revoke.status == .ok)

            let pull = try await lost.pullReply(cursor: lost.cursor)
            #expect(pull.status == .forbidden)
            #expect(pull.errorCode == "revoked")
            let begin = try await lost.beginReply()
            #expect(begin.status == .forbidden)
            #expect(begin.errorCode == "revoked")

            try await kept.sync()
            #expect(kept.replica.count == 1)
        }
    }
}
