import CRMDesktop
import CRMModel
import CRMSyncProtocol
import Foundation
import GRDB

/// A device of a demo user that speaks the sync protocol directly (no replica): it writes for the scenarios
/// (edits another desktop then pulls) and plays the simulated clients of the load scenario.
struct BenchDevice: Sendable {
    let client: ServerClient
    let user: String
    let device: String
    let token: String

    /// Logs `user` in, registers a device and logs in again bound to it.
    static func connect(_ client: ServerClient, user: String, name: String = "bench-writer") async throws -> BenchDevice {
        let login = try await client.login(LoginRequest(username: user, password: Stage.password))
        let device = try await client.registerDevice(name: name, token: login.token)
        let bound = try await client.login(LoginRequest(username: user, password: Stage.password, device: device.id))
        return BenchDevice(client: client, user: user, device: device.id, token: bound.token)
    }

    /// Opens a session; `packageVersion` is the package the device has (nil: none yet, so the answer carries it).
    /// Begins a session; `preview: false` when the device holds a cursor, as the desktop asks.
    func begin(filter: String? = nil, packageVersion: Int? = nil, preview: Bool = true) async throws -> SyncBeginResponse {
        try await client.begin(
            SyncBeginRequest(
                device: device, packageVersion: packageVersion, filter: filter, timeZone: "UTC",
                preview: preview ? nil : false), token: token)
    }

    func end(_ session: String) async throws {
        _ = try await client.end(SyncEndRequest(session: session, counts: SyncCounts()), token: token)
    }

    /// Pushes `ops` in one session, in batches of `batch`; returns the results and the milliseconds the pushes
    /// took (begin and end not included).
    @discardableResult
    func push(_ ops: [SyncOp], batch: Int = 1000) async throws -> (results: [SyncOpResult], milliseconds: Double) {
        let session = try await begin().session
        var results: [SyncOpResult] = []
        let milliseconds = try await timed {
            for start in stride(from: 0, to: ops.count, by: batch) {
                let answer = try await client.push(
                    SyncPushRequest(session: session, ops: Array(ops[start..<min(start + batch, ops.count)])), token: token)
                results += answer.results
            }
        }
        try await end(session)
        return (results, milliseconds)
    }
}

/// The records a replica holds, to edit them from elsewhere: id, type and version.
struct HeldRecord: Sendable {
    var id: String
    var type: String
    var version: Int

    /// `count` records of the replica at `path`, spread over its types, skipping the first `skip` of each walk.
    static func sample(replica path: String, count: Int, skip: Int = 0) throws -> [HeldRecord] {
        try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, type, version FROM records WHERE type IN (\(Edits.fieldByType.keys.map { "'\($0)'" }.joined(separator: ","))) ORDER BY substr(id, 25), id LIMIT ? OFFSET ?",
                arguments: [count, skip]
            ).map { HeldRecord(id: $0[0], type: $0[1], version: $0[2]) }
        }
    }
}

/// Edits the scenarios make: one free-text field per type, which no rule or duplicate check reads.
enum Edits {
    static let fieldByType = [
        "Account": "description", "Contact": "department", "Opportunity": "nextStep", "ServiceRequest": "product",
        "Activity": "location",
    ]

    /// An update of `record`'s free-text field to `text`.
    static func update(_ record: HeldRecord, _ text: String) -> SyncOp {
        SyncOp(
            opId: UUID().uuidString.lowercased(), kind: .update, type: record.type, id: record.id,
            baseVersion: record.version, fields: [fieldByType[record.type]!: .string(text)], editedAt: Date())
    }

    /// A new account (a name no other has, so no duplicate rule holds it).
    static func newAccount(_ name: String, owner: String? = nil) -> SyncOp {
        SyncOp(
            opId: UUID().uuidString.lowercased(), kind: .create, type: "Account", id: RecordID.make(),
            fields: ["name": .string(name)], owner: owner, editedAt: Date())
    }
}
