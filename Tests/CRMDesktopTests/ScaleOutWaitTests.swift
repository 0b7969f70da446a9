import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import Synchronization
import Testing

/// Long-polls and pushes across two `crm-server` processes on one PostgreSQL database, spoken to over HTTP: a
/// waiter on one node wakes from a write on the other within seconds (the re-check is 300 s and the wait 120 s,
/// so only NOTIFY can do it), sleeps through changes its user cannot see, and a push retried on the other node
/// gets the stored answer byte for byte.
@Suite("Scale-out: waits and retries across nodes", .serialized)
struct ScaleOutWaitTests {
    typealias Node = ScaleOutTests.Node

    /// A long-poll running in a task, with when it returned.
    final class Waiter: Sendable {
        /// The answer and when it came, set by the task.
        final class Returned: Sendable {
            let value = Mutex<(changed: Bool, at: ContinuousClock.Instant)?>(nil)
        }
        private let returned = Returned()
        private let task: Task<Void, any Error>

        init(_ client: NodeClient, token: String, session: String, cursor: String) {
            let returned = self.returned
            task = Task {
                let changed = try await client.wait(token: token, session: session, cursor: cursor, timeout: 120)
                returned.value.withLock { $0 = (changed, ContinuousClock.now) }
            }
        }

        var outcome: (changed: Bool, at: ContinuousClock.Instant)? { returned.value.withLock { $0 } }

        /// Waits for the long-poll's answer; throws what it threw.
        func finish() async throws -> (changed: Bool, at: ContinuousClock.Instant) {
            try await task.value
            return try #require(outcome)
        }
    }

    /// A waiting long-poll of `user` on `node`, after a first full pull.
    static func waiter(_ user: String, on node: Node) async throws -> Waiter {
        let client = NodeClient(url: node.url)
        let token = try await client.login(user, password: ServerProcess.password)
        let (_, session) = try await client.beginSession(token: token, device: "\(user)-watcher")
        let cursor = try await client.pullAll(token: token, session: session)
        let waiter = Waiter(client, token: token, session: session, cursor: cursor)
        // Gives the long-poll time to go to sleep; if it took longer, it would find the write on its first look
        // and answer at once, which the bound allows too.
        try await Task.sleep(for: .seconds(2))
        #expect(waiter.outcome == nil, "the long-poll answered before any change")
        return waiter
    }

    @Test func aLongPollOnOneNodeWakesFromAWriteOnTheOtherOnlyWhenItsUserSeesIt() async throws {
        let (first, second, cleanup) = try await ScaleOutTests.nodes()
        defer { cleanup() }
        // liam and emma are peers: neither sees the other's records.
        let waiter = try await Self.waiter("liam", on: first)
        let other = NodeClient(url: second.url)
        let emma = try await other.login("emma", password: ServerProcess.password)
        _ = try await other.create("Account", ["name": "Emma's own account"], token: emma)
        // Emma's write is announced to every node; liam's waiter re-queries and finds nothing for him. Nothing
        // tells the test when that is over, so it gives it the time a wake takes.
        try await Task.sleep(for: ScaleOutTests.wakeBound)
        #expect(waiter.outcome == nil, "a change liam cannot see woke his long-poll")

        let liam = try await other.login("liam", password: ServerProcess.password)
        let written = ContinuousClock.now
        _ = try await other.create("Account", ["name": "Liam's new account"], token: liam)
        let outcome = try await waiter.finish()
        #expect(outcome.changed)
        #expect(outcome.at - written < ScaleOutTests.wakeBound, "woke \(outcome.at - written) after the write")
    }

    @Test func aPushRetriedOnTheOtherNodeGetsTheStoredAnswerByteForByte() async throws {
        let (first, second, cleanup) = try await ScaleOutTests.nodes()
        defer { cleanup() }
        let one = NodeClient(url: first.url), two = NodeClient(url: second.url)
        let token = try await one.login("liam", password: ServerProcess.password)
        let (_, session) = try await one.beginSession(token: token, device: "liam-laptop")
        let id = RecordID.make()
        let ops = [
            SyncOp(
                opId: UUID().uuidString.lowercased(), kind: .create, type: "Account", id: id,
                fields: ["name": "Pushed once"], editedAt: Date()),
            SyncOp(
                opId: UUID().uuidString.lowercased(), kind: .create, type: "Note", id: RecordID.make(),
                fields: ["body": "About the account", "parentId": .string(id)], editedAt: Date()),
        ]
        let answer = try await one.push(token: token, session: session, ops: ops)
        // The answer was lost; the desktop, sent to the other node, retries the same ops in the same session.
        let retried = try await two.push(token: token, session: session, ops: ops)
        #expect(retried.body == answer.body, "\(answer.text)\n\(retried.text)")
        #expect(answer.text.contains("\"status\":\"applied\""), "\(answer.text)")
        let list = try await two.get("/api/v1/records/Account?name=Pushed%20once", token: token)
        #expect(list.text.components(separatedBy: id).count == 2, "one record, listed once: \(list.text)")
    }
}
