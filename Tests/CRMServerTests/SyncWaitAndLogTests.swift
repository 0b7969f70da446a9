import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The long-poll answers as soon as the waiting user has something to pull and not for changes they cannot
/// see; every session leaves a receipt in the sync log, which users read for themselves and admins for all.
@Suite("Sync wait and log")
struct SyncWaitAndLogTests {
    @Test func aWaitReturnsSoonAfterAnotherUserCreatesARecordTheWaiterMaySee() async throws {
        // The re-check for other processes' commits is pushed out of reach: only the commit signal can wake it.
        var configuration = ServerConfiguration(bcryptCost: 4)
        configuration.sync.waitRecheck = 60
        let server = try await TestServer.make(configuration: configuration)
        try await server.run { api in
            var maria = try await TestDesktop.connect(api, "maria")
            try await maria.begin()
            try await maria.pullAll()
            let ritaToken = try await api.login("rita")
            let waiter = maria
            let port = try #require(api.client.port)
            let clock = ContinuousClock()
            let waiting = Task { () throws -> (SyncWaitResponse, ContinuousClock.Instant) in
                let answer = try await Self.waitOnItsOwnConnection(port: port, waiter, timeout: 10)
                return (answer, clock.now)
            }
            try await Task.sleep(for: .milliseconds(300))
            let started = clock.now
            _ = try await api.create("Account", ["name": "Rita's new"], token: ritaToken)
            let created = clock.now
            let (answer, finished) = try await waiting.value

            #expect(answer.changed)
            #expect(finished >= started, "the wait answered before anything changed")
            #expect(finished - created < .seconds(2), "\(finished - created)")
            let pages = try await maria.pullAll()
            #expect(pages.flatMap(\.upserts).map(\.record.owner) == ["rita"])
        }
    }

    @Test func aWaitWakesForTheDeleteOfARecordThatCameInThePageItsCursorAcknowledges() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            try await rita.pullAll()
            let ritaToken = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Short-lived"], token: ritaToken)
            // The page that brings the account; its cursor is not pulled with again before the wait.
            try await rita.pullAll()
            #expect(rita.records("Account").map(\.id) == [account.id])
            let waiter = rita
            let port = try #require(api.client.port)
            // A wait far longer than a wake takes even on a loaded machine: answering before it ends, with a
            // change, is the wake.
            let waiting = Task { try await Self.waitOnItsOwnConnection(port: port, waiter, timeout: 10) }
            try await Task.sleep(for: .milliseconds(200))
            let maria = try await api.login("maria")
            let deleted = try await api.send(.delete, "/api/v1/records/Account/\(account.id)", token: maria)
            #expect(deleted.status == .ok)
            let clock = ContinuousClock()
            let deletedAt = clock.now
            let answer = try await waiting.value
            #expect(answer.changed)
            #expect(clock.now - deletedAt < .seconds(8))
            let pages = try await rita.pullAll()
            #expect(pages.flatMap(\.removes) == [SyncRemove(id: account.id, type: "Account", reason: .deleted)])
        }
    }

    @Test func aWaitTimesOutUnchangedWhenTheOnlyChangeIsInvisibleToTheWaiter() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            try await rita.pullAll()
            let peterToken = try await api.login("peter")
            let waiter = rita
            let port = try #require(api.client.port)
            let clock = ContinuousClock()
            let start = clock.now
            let waiting = Task { () throws -> (SyncWaitResponse, ContinuousClock.Instant) in
                let answer = try await Self.waitOnItsOwnConnection(port: port, waiter, timeout: 1)
                return (answer, clock.now)
            }
            try await Task.sleep(for: .milliseconds(50))
            _ = try await api.create("Account", ["name": "Peter's own"], token: peterToken)
            let created = clock.now
            let (answer, finished) = try await waiting.value

            #expect(answer.changed == false)
            #expect(finished > created, "the change came after the wait had answered")
            #expect(finished - start >= .milliseconds(990))
            // Nothing held it past its own timeout (a bound far above it: the machine is shared).
            #expect(finished - start < .seconds(30))
            // Afterwards the change feed holds peter's record, yet a wait still finds nothing for rita.
            let (again, _) = try await SyncPullSupport.wait(rita, timeout: 0)
            #expect(try again.decode(SyncWaitResponse.self).changed == false)
        }
    }

    @Test func aWaitReturnsAtOnceWhenTheCursorIsInTheMiddleOfARescan() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            for name in ["One", "Two", "Three"] {
                _ = try await api.create("Account", ["name": .string(name)], token: token)
            }
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            let page = try await rita.pullReply(cursor: nil, limit: 1).decode(SyncPage.self)
            #expect(page.more)
            rita.apply(page)
            // A long timeout that it must not wait out: it answers at once (well within half of it, however loaded
            // the machine).
            let (midway, midwayElapsed) = try await SyncPullSupport.wait(rita, timeout: 60)
            #expect(try midway.decode(SyncWaitResponse.self).changed)
            #expect(midwayElapsed < .seconds(30))

            try await rita.pullAll()
            let (settled, _) = try await SyncPullSupport.wait(rita, timeout: 0.1)
            #expect(try settled.decode(SyncWaitResponse.self).changed == false)

            // A new filter asks for a rescan: the old cursor has something to pull at once.
            try await rita.begin(filter: "my-open-pipeline")
            let (rescan, rescanElapsed) = try await SyncPullSupport.wait(rita, timeout: 60)
            #expect(try rescan.decode(SyncWaitResponse.self).changed)
            #expect(rescanElapsed < .seconds(30))
        }
    }

    @Test func endingWritesTheServersAndTheClientsCountsAndErrorsIntoTheLog() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            for name in ["One", "Two"] { _ = try await api.create("Account", ["name": .string(name)], token: token) }
            var rita = try await TestDesktop.connect(api, "rita")
            let begun = try await rita.begin()
            let results = try await rita.push([
                SyncOp(
                    opId: TestDesktop.opID(), kind: .create, type: "Account", id: RecordID.make(),
                    fields: ["name": "Pushed"], editedAt: Date()),
                SyncOp(
                    opId: TestDesktop.opID(), kind: .create, type: "Account", id: RecordID.make(),
                    fields: ["city": "Nowhere"], editedAt: Date()),
            ])
            #expect(results.map(\.status) == [.applied, .rejected])
            let pages = try await rita.pullAll()
            let pulled = pages.reduce(0) { $0 + $1.upserts.count + $1.removes.count }
            #expect(pulled == 3)

            let told = SyncCounts(pulled: 3, pushed: 2, applied: 1, rejected: 1)
            let entry = try await rita.end(told, errors: ["Account 'Nowhere': name is required"])
            #expect(entry.session == begun.session)
            #expect(entry.user == "rita")
            #expect(entry.device == rita.device.id)
            #expect(entry.counts == SyncCounts(pulled: 3, pushed: 2, applied: 1, merged: 0, conflicts: 0, rejected: 1))
            #expect(entry.clientCounts == told)
            #expect(entry.errors == ["Account 'Nowhere': name is required"])
            let ended = try #require(entry.endedAt)
            #expect(ended >= entry.startedAt)

            let log = try await api.send(.get, "/api/v1/sync/sessions", token: token)
            #expect(log.status == .ok)
            #expect(try log.decode(SyncLogList.self).sessions == [entry])
        }
    }

    @Test func usersReadTheirOwnReceiptsAndNoOneElses() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.sync()
            try await rita.sync()
            var peter = try await TestDesktop.connect(api, "peter")
            try await peter.sync()

            for path in ["/api/v1/sync/sessions", "/api/v1/sync/sessions?user=peter"] {
                let reply = try await api.send(.get, path, token: rita.token)
                #expect(reply.status == .ok)
                let sessions = try reply.decode(SyncLogList.self).sessions
                #expect(sessions.count == 2, "\(path)")
                #expect(sessions.allSatisfy { $0.user == "rita" && $0.device == rita.device.id }, "\(path)")
            }
            let peters = try await api.send(.get, "/api/v1/sync/sessions", token: peter.token).decode(SyncLogList.self)
            #expect(peters.sessions.map(\.user) == ["peter"])
        }
    }

    @Test func anAdminReadsEveryonesLogWithFiltersAndOthersAreForbidden() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            var laptop = try await TestDesktop.connect(api, "rita", name: "laptop")
            try await laptop.begin()
            let first = try await laptop.end()
            try await Task.sleep(for: .milliseconds(20))
            let between = Timestamp.now()
            try await Task.sleep(for: .milliseconds(20))
            var desk = try await TestDesktop.connect(api, "rita", name: "desk")
            try await desk.begin()
            let failed = try await desk.end(errors: ["disk full"])
            try await Task.sleep(for: .milliseconds(5))
            var peter = try await TestDesktop.connect(api, "peter")
            try await peter.begin()
            let peters = try await peter.end()

            let ada = try await api.login("ada")
            func sessions(_ query: String) async throws -> [String] {
                let reply = try await api.send(.get, "/api/v1/admin/sync-sessions" + query, token: ada)
                #expect(reply.status == .ok, "\(query): \(reply.text)")
                return try reply.decode(SyncLogList.self).sessions.map(\.session)
            }
            let since = Timestamp.string(from: between)
            #expect(try await sessions("") == [peters.session, failed.session, first.session])
            #expect(try await sessions("?user=rita") == [failed.session, first.session])
            #expect(try await sessions("?device=\(desk.device.id)") == [failed.session])
            #expect(try await sessions("?errors=true") == [failed.session])
            #expect(try await sessions("?since=\(since)") == [peters.session, failed.session])
            #expect(try await sessions("?until=\(since)") == [first.session])
            #expect(try await sessions("?since=\(since)&user=rita") == [failed.session])
            #expect(try await sessions("?limit=1") == [peters.session])

            let forbidden = try await api.send(.get, "/api/v1/admin/sync-sessions", token: laptop.token)
            #expect(forbidden.status == .forbidden)
            let manager = try await api.send(.get, "/api/v1/admin/sync-sessions", token: try await api.login("maria"))
            #expect(manager.status == .forbidden)
            let bad = try await api.send(.get, "/api/v1/admin/sync-sessions?limit=0", token: ada)
            #expect(bad.status == .badRequest)
            #expect(bad.errorField == "limit")
        }
    }

    @Test func aSessionEndsOnceAndItsLaterRequestsAreConflicts() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            let session = try #require(rita.session)
            let entry = try await rita.end()
            rita.session = session

            let again = try await api.send(
                .post, "/api/v1/sync/end", token: rita.token,
                json: SyncEndRequest(session: session, counts: SyncCounts(pulled: 9)))
            #expect(again.status == .conflict)
            #expect(again.errorCode == "conflict")
            #expect(again.errorField == "session")
            #expect(try await rita.pullReply(cursor: nil).status == .conflict)
            // The receipt kept the first end's counts.
            let log = try await api.send(.get, "/api/v1/sync/sessions", token: rita.token).decode(SyncLogList.self)
            #expect(log.sessions == [entry])
        }
    }

    @Test func aSessionExpiresAfterItsLifetimeWithoutRequests() async throws {
        var configuration = ServerConfiguration(bcryptCost: 4)
        configuration.sync = SyncConfiguration(sessionLifetime: 0.3)
        let server = try await TestServer.make(configuration: configuration)
        try await server.run { api in
            var rita = try await TestDesktop.connect(api, "rita")
            try await rita.begin()
            try await Task.sleep(for: .seconds(1))

            let end = try await api.send(
                .post, "/api/v1/sync/end", token: rita.token,
                json: SyncEndRequest(session: rita.session ?? "", counts: SyncCounts()))
            #expect(end.status == .conflict)
            #expect(end.errorField == "session")
            let pull = try await rita.pullReply(cursor: nil)
            #expect(pull.status == .conflict)
            #expect(pull.errorCode == "conflict")
            let log = try await api.send(.get, "/api/v1/sync/sessions", token: rita.token).decode(SyncLogList.self)
            #expect(log.sessions.map(\.endedAt) == [nil])
        }
    }

    /// Sends `/sync/wait` on a connection of its own, so that the test's other requests are not queued behind it.
    static func waitOnItsOwnConnection(port: Int, _ desktop: TestDesktop, timeout: Double) async throws
        -> SyncWaitResponse
    {
        let body = try CRMJSON.encoder().encode(
            SyncWaitRequest(session: desktop.session ?? "", cursor: desktop.cursor ?? "", timeout: timeout))
        let headers: HTTPFields = [.authorization: "Bearer \(desktop.token)", .contentType: "application/json"]
        return try await TestClient.withClient(host: "localhost", port: port) { client in
            let response = try await client.execute(
                TestClient.Request(
                    "/api/v1/sync/wait", method: .post, authority: "localhost", headers: headers,
                    body: ByteBuffer(bytes: body)))
            guard response.status == .ok else {
                throw TestAPIError.refused(response.status.code, String(buffer: response.body ?? ByteBuffer()))
            }
            return try CRMJSON.decoder().decode(
                SyncWaitResponse.self, from: Data(buffer: response.body ?? ByteBuffer()))
        }
    }
}
