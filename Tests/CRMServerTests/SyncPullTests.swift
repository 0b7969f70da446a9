import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// What a pull brings: the records the filter and the user's visibility select, in pages of any size, then only
/// the changes; referenced records outside the filter come read-only, invisible ones stay bare ids.
@Suite("Sync pull")
struct SyncPullTests {
    @Test func aFirstSyncBringsExactlyTheRecordsTheFilterAndVisibilitySelect() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            var made: [String: String] = [:]
            for user in ["maria", "rita", "tom", "tess", "peter"] {
                let token = try await api.login(user)
                made[user] = try await api.create("Account", ["name": .string("\(user)'s account")], token: token).id
            }

            var rita = try await TestDesktop.connect(api, "rita")
            let ritaBegun = try await rita.begin()
            #expect(ritaBegun.filter == "my-records")
            #expect(ritaBegun.preview["Account"] == 1)
            try await rita.pullAll()
            #expect(Set(rita.replica.keys) == [made["rita"]!])

            // A manager's default is her team's records: her own and those of everyone below her, at any depth.
            var maria = try await TestDesktop.connect(api, "maria")
            let mariaBegun = try await maria.begin()
            #expect(mariaBegun.filter == "my-team")
            #expect(mariaBegun.preview["Account"] == 4)
            try await maria.pullAll()
            #expect(Set(maria.replica.keys) == Set(["maria", "rita", "tom", "tess"].map { made[$0]! }))
            #expect(maria.replica.values.allSatisfy { !$0.incomplete })

            var tom = try await TestDesktop.connect(api, "tom")
            try await tom.sync()
            #expect(Set(tom.replica.keys) == [made["tom"]!, made["tess"]!])

            var ada = try await TestDesktop.connect(api, "ada")
            try await ada.sync(filter: "my-team")
            #expect(Set(ada.replica.keys) == Set(made.values))
        }
    }

    @Test func pagesOfOneTwoOrThreeRecordsBuildTheSameReplicaAsOneBigPageWithoutRepeats() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            var expected: [String: Bool] = [:]  // id: incomplete
            var accounts: [String] = []
            for name in ["Alpha", "Beta", "Gamma"] {
                let account = try await api.create("Account", ["name": .string(name)], token: token)
                accounts.append(account.id)
                expected[account.id] = false
            }
            for (index, last) in ["Doe", "Roe"].enumerated() {
                let contact = try await api.create(
                    "Contact", ["lastName": .string(last), "accountId": .string(accounts[index])], token: token)
                expected[contact.id] = false
            }
            let recent = try await api.create("Activity", SyncPullSupport.activity(daysFromNow: -3), token: token)
            expected[recent.id] = false
            // Outside the 30-day window, but a note in scope refers to it: it comes along, read-only.
            let old = try await api.create("Activity", SyncPullSupport.activity(daysFromNow: -45), token: token)
            expected[old.id] = true
            let note = try await api.create(
                "Note", ["body": "about the old call", "parentId": .string(old.id)], token: token)
            expected[note.id] = false

            var replicas: [Int?: [String: SyncPullSupport.Held]] = [:]
            for limit in [nil, 1, 2, 3] as [Int?] {
                var desktop = try await TestDesktop.connect(api, "rita", name: "pages-\(limit ?? 0)")
                try await desktop.begin()
                let pages = try await desktop.pullAll(limit: limit)
                let sent = pages.flatMap { $0.upserts.map(\.record.id) + $0.removes.map(\.id) }
                #expect(sent.count == Set(sent).count, "limit \(limit ?? 0) repeated a record: \(sent)")
                #expect(pages.flatMap(\.removes).isEmpty)
                if let limit {
                    #expect(pages.allSatisfy { $0.upserts.count + $0.removes.count <= limit })
                    #expect(pages.count >= expected.count / limit)
                }
                #expect(pages.last?.more == false)
                #expect(desktop.replica.mapValues(\.incomplete) == expected, "limit \(limit ?? 0)")
                replicas[limit] = desktop.replica.mapValues {
                    SyncPullSupport.Held(version: $0.record.version, incomplete: $0.incomplete)
                }
            }
            for limit in [1, 2, 3] { #expect(replicas[limit] == replicas[nil]) }
        }
    }

    @Test func anIncrementalPullBringsExactlyTheRestCreatesUpdatesAndDeletes() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let kept = try await api.create("Account", ["name": "Kept"], token: token)
            let renamed = try await api.create("Account", ["name": "Before"], token: token)
            let doomed = try await api.create("Contact", ["lastName": "Gone"], token: token)
            var desktop = try await TestDesktop.connect(api, "rita")
            try await desktop.begin()
            try await desktop.pullAll()
            #expect(Set(desktop.replica.keys) == [kept.id, renamed.id, doomed.id])

            let created = try await api.create("Contact", ["lastName": "New"], token: token)
            let updated = try await SyncPullSupport.patch(
                api, renamed, RecordWrite(fields: ["name": "After"]), token: token)
            try await SyncPullSupport.delete(api, doomed, token: token)

            let pages = try await desktop.pullAll()
            #expect(pages.count == 1)
            #expect(pages[0].more == false)
            #expect(Set(pages[0].upserts.map(\.record.id)) == [created.id, renamed.id])
            #expect(pages[0].upserts.count == 2)
            #expect(pages[0].upserts.allSatisfy { !$0.incomplete })
            #expect(pages[0].removes == [SyncRemove(id: doomed.id, type: "Contact", reason: .deleted)])
            #expect(desktop.replica[renamed.id]?.record.fields["name"] == "After")
            #expect(desktop.replica[renamed.id]?.record.version == updated.version)
            #expect(Set(desktop.replica.keys) == [kept.id, renamed.id, created.id])
        }
    }

    @Test func aPullWithNothingChangedIsOneEmptyPageWithoutMore() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            _ = try await api.create("Account", ["name": "Quiet"], token: token)
            var desktop = try await TestDesktop.connect(api, "rita")
            try await desktop.begin()
            try await desktop.pullAll()
            // Someone else's change is no change for rita.
            _ = try await api.create("Account", ["name": "Peter's"], token: try await api.login("peter"))

            let pages = try await desktop.pullAll()
            #expect(pages.count == 1)
            #expect(pages[0].upserts.isEmpty)
            #expect(pages[0].removes.isEmpty)
            #expect(pages[0].more == false)
            #expect(!pages[0].cursor.isEmpty)
        }
    }

    @Test func aRecordReferencedFromTheFilterButOutsideItComesIncompleteAndFollowsItsChanges() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let ritaToken = try await api.login("rita")
            let ritas = try await api.create("Account", ["name": "Rita's customer"], token: ritaToken)
            let unrelated = try await api.create("Account", ["name": "Rita's other"], token: ritaToken)
            let mariaToken = try await api.login("maria")
            let contact = try await api.create(
                "Contact", ["lastName": "Link", "accountId": .string(ritas.id)], token: mariaToken)

            var maria = try await TestDesktop.connect(api, "maria")
            try await maria.begin(filter: "my-records")
            let pages = try await maria.pullAll()
            let upserts = pages.flatMap(\.upserts)
            #expect(Set(maria.replica.keys) == [contact.id, ritas.id])
            #expect(maria.replica[contact.id]?.incomplete == false)
            #expect(maria.replica[ritas.id]?.incomplete == true)
            #expect(maria.replica[unrelated.id] == nil)
            #expect(upserts.filter { $0.record.id == ritas.id }.map(\.incomplete) == [true])

            _ = try await SyncPullSupport.patch(api, ritas, RecordWrite(fields: ["city": "Lyon"]), token: ritaToken)
            let next = try await maria.pullAll()
            #expect(next.flatMap(\.upserts).map(\.record.id) == [ritas.id])
            #expect(next.flatMap(\.upserts).first?.incomplete == true)
            #expect(maria.replica[ritas.id]?.record.fields["city"] == "Lyon")
        }
    }

    @Test func aReferenceToARecordTheUserMayNotSeeStaysABareID() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let mariaToken = try await api.login("maria")
            let hidden = try await api.create("Account", ["name": "Maria's own"], token: mariaToken)
            let reply = try await api.send(
                .post, "/api/v1/records/Contact", token: mariaToken,
                json: RecordWrite(fields: ["lastName": "Handed", "accountId": .string(hidden.id)], owner: "rita"))
            #expect(reply.status == .created)
            let contact = try reply.decode(Record.self)

            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            let pages = try await rita.pullAll()
            #expect(pages.flatMap(\.upserts).map(\.record.id) == [contact.id])
            #expect(Set(rita.replica.keys) == [contact.id])
            #expect(rita.replica[contact.id]?.record.fields["accountId"] == .string(hidden.id))
        }
    }

    @Test func conflictRecordsGoOnlyToTheDevicesOfTheirAuthors() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let ritaToken = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Disputed"], token: ritaToken)
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            try await rita.pullAll()
            // Maria renames it on the server; rita renames it offline from version 1: server-wins, a conflict.
            _ = try await SyncPullSupport.patch(
                api, account, RecordWrite(fields: ["name": "Maria's name"]), token: try await api.login("maria"))
            let results = try await rita.push([
                SyncOp(
                    opId: TestDesktop.opID(), kind: .update, type: "Account", id: account.id, baseVersion: 1,
                    fields: ["name": "Rita's name"], editedAt: Date())
            ])
            #expect(results.first?.status == .conflict)
            let conflict = try #require(results.first?.conflicts?.first)
            #expect(conflict.type == ConflictRecord.typeName)

            try await rita.pullAll()
            #expect(rita.records(ConflictRecord.typeName).map(\.id) == [conflict.id])

            var maria = try await TestDesktop.connect(api, "maria")
            try await maria.sync()
            #expect(maria.records(ConflictRecord.typeName).map(\.id) == [conflict.id])

            for (user, filter) in [("ada", "my-team"), ("tom", "my-team"), ("peter", "my-records")] {
                var other = try await TestDesktop.connect(api, user)
                try await other.sync(filter: filter)
                #expect(other.replica.values.allSatisfy { $0.record.type != ConflictRecord.typeName }, "\(user)")
            }
        }
    }

    @Test func aPullLimitOverTheServersCapIsCappedAndZeroIsRefused() async throws {
        var configuration = ServerConfiguration(bcryptCost: 4)
        configuration.sync = SyncConfiguration(defaultPageSize: 2, maxPageSize: 3)
        let server = try await TestServer.make(configuration: configuration)
        try await server.run { api in
            let token = try await api.login("rita")
            for index in 1...5 {
                _ = try await api.create("Account", ["name": .string("Account \(index)")], token: token)
            }
            var desktop = try await TestDesktop.connect(api, "rita")
            try await desktop.begin()

            let capped = try await desktop.pullReply(cursor: nil, limit: 1000)
            #expect(capped.status == .ok)
            let page = try capped.decode(SyncPage.self)
            #expect(page.upserts.count == 3)
            #expect(page.more)

            let byDefault = try await desktop.pullReply(cursor: nil)
            #expect(try byDefault.decode(SyncPage.self).upserts.count == 2)

            let zero = try await desktop.pullReply(cursor: nil, limit: 0)
            #expect(zero.status == .badRequest)
            #expect(zero.errorCode == "malformed")
            #expect(zero.errorField == "limit")
        }
    }

    @Test func pagesFullInBytesEndEarlyAndTheNextPageGoesOnFromTheirLastRecord() async throws {
        var configuration = ServerConfiguration(bcryptCost: 4)
        // Any record fills a page: every page of the walk and the feed holds one.
        configuration.sync = SyncConfiguration(maxPageBytes: 1)
        let server = try await TestServer.make(configuration: configuration)
        try await server.run { api in
            let token = try await api.login("rita")
            var accounts: [Record] = []
            for index in 1...5 {
                accounts.append(try await api.create("Account", ["name": .string("Account \(index)")], token: token))
            }
            var desktop = try await TestDesktop.connect(api, "rita")
            try await desktop.begin()
            let first = try await desktop.pullAll()
            #expect(first.allSatisfy { $0.upserts.count + $0.removes.count <= 1 })
            #expect(Set(desktop.records("Account").map(\.id)) == Set(accounts.map(\.id)))

            for account in accounts.prefix(3) {
                try await SyncPullSupport.patch(api, account, RecordWrite(fields: ["name": .string("Renamed")]), token: token)
            }
            try await desktop.begin()
            let next = try await desktop.pullAll()
            #expect(next.filter { !$0.upserts.isEmpty }.count == 3)
            #expect(next.allSatisfy { $0.upserts.count <= 1 })
            let renamed = desktop.records("Account").filter { $0.fields["name"] == .string("Renamed") }
            #expect(Set(renamed.map(\.id)) == Set(accounts.prefix(3).map(\.id)))
            #expect(renamed.allSatisfy { $0.version == 2 })
        }
    }
}

/// Requests and records the pull-side sync tests share.
enum SyncPullSupport {
    /// What a device holds of a record, for comparing replicas.
    struct Held: Equatable {
        var version: Int
        var incomplete: Bool
    }

    /// `PATCH`es a record through the REST API and returns it; throws when refused.
    @discardableResult
    static func patch(_ api: TestAPI, _ record: Record, _ write: RecordWrite, token: String) async throws -> Record {
        let reply = try await api.send(.patch, "/api/v1/records/\(record.type)/\(record.id)", token: token, json: write)
        guard reply.status == .ok else { throw TestAPIError.refused(reply.status.code, reply.text) }
        return try reply.decode(Record.self)
    }

    /// Deletes a record through the REST API; throws when refused.
    static func delete(_ api: TestAPI, _ record: Record, token: String) async throws {
        let reply = try await api.send(.delete, "/api/v1/records/\(record.type)/\(record.id)", token: token)
        guard reply.status == .ok else { throw TestAPIError.refused(reply.status.code, reply.text) }
    }

    /// The fields of a to-do activity starting `days` from now.
    static func activity(daysFromNow days: Double, subject: String = "Call") -> [String: FieldValue] {
        [
            "subject": .string(subject), "display": "todo",
            "start": .string(Timestamp.string(from: Date().addingTimeInterval(days * 86_400))),
        ]
    }

    /// Sends `/sync/wait` for the desktop's session and cursor; returns the reply and how long it took.
    static func wait(_ desktop: TestDesktop, timeout: Double) async throws -> (TestAPI.Reply, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let reply = try await desktop.api.send(
            .post, "/api/v1/sync/wait", token: desktop.token,
            json: SyncWaitRequest(session: desktop.session ?? "", cursor: desktop.cursor ?? "", timeout: timeout))
        return (reply, clock.now - start)
    }
}
