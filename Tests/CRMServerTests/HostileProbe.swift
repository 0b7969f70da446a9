import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes

/// The probes of `HostileProbeTests`: each request naming another user's thing is sent again naming an unknown id
/// of the same form (once per kind of request, then remembered), and the two answers must be the same once the
/// ids are swapped for a placeholder. Differences are collected as leaks; `count` is the number of probes sent.
struct HostileProbe {
    let api: TestAPI
    let world: HostileWorld
    var count = 0
    var leaks: [String] = []
    /// Differences of a kind the report of issue 9 names as known (stored content found by its hash).
    /// The answer to each kind of request naming an unknown id, normalised.
    private var baselines: [String: Answer] = [:]

    init(api: TestAPI, world: HostileWorld) {
        self.api = api
        self.world = world
    }

    /// An answer with the probed ids replaced and the headers that differ between any two answers left out.
    struct Answer: Equatable, CustomStringConvertible {
        var status: Int
        var headers: [String]
        var body: String

        init(_ reply: TestAPI.Reply, ids: [String]) {
            status = reply.status.code
            // The date and the request's own id (header and error body) differ between any two answers.
            let requestID = reply.headers[.requestID]
            headers = reply.headers.filter { $0.name != .date && $0.name != .requestID }
                .map { "\($0.name): \($0.value)" }.sorted()
            body = (ids + (requestID.map { [$0] } ?? [])).reduce(reply.text) {
                $0.replacingOccurrences(of: $1, with: "<id>")
            }
        }

        var description: String { "\(status) \(headers.joined(separator: ", ")) \(body.prefix(300))" }
    }

    /// Sends `request(hiddenID)` and compares it with `request(unknownID)` (sent once per `kind`).
    mutating func compare(
        _ kind: String, hidden: String, unknown: String, what: String,
        _ request: (String) async throws -> TestAPI.Reply
    ) async throws {
        count += 1
        let answer = Answer(try await request(hidden), ids: [hidden])
        let baseline: Answer
        if let known = baselines[kind] {
            baseline = known
        } else {
            baseline = Answer(try await request(unknown), ids: [unknown])
            baselines[kind] = baseline
        }
        if answer != baseline {
            leaks.append("\(kind) on \(what): hidden answers \(answer), unknown answers \(baseline)")
        }
    }

    /// Records the ids a list or page returned that `user` may not see.
    mutating func expectVisible(_ user: String, _ ids: [String], in what: String) {
        count += 1
        for id in ids {
            guard let record = world.records[id] else { continue }  // created after the set-up, by a probe's user
            if !world.maySee(user, record) {
                leaks.append("\(what) of \(user) holds \(record.type) \(id) of \(record.owner)")
            }
        }
    }

    static func unknownRecord() -> String { RecordID.make() }
    static func unknownDigest() -> String {
        (0..<4).map { _ in String(format: "%016llx", UInt64.random(in: 0...UInt64.max)) }.joined()
    }

    func token(_ user: String) -> String { world.holdings[user]!.token }

    // MARK: - Records

    /// Read, update (with and without If-Match) and delete every hidden record and conflict by its id.
    mutating func records(as user: String) async throws {
        let token = token(user)
        for record in world.hidden(from: user) {
            let type = record.type
            let what = "\(type) of \(record.owner)"
            let api = self.api
            try await compare("\(user) GET \(type)", hidden: record.id, unknown: Self.unknownRecord(), what: what) {
                try await api.send(.get, "/api/v1/records/\(type)/\($0)", token: token)
            }
            let change = #"{"fields": {"name": "mine now", "lastName": "mine now", "subject": "mine now"}}"#
            try await compare("\(user) PATCH \(type)", hidden: record.id, unknown: Self.unknownRecord(), what: what) {
                try await api.send(.patch, "/api/v1/records/\(type)/\($0)", token: token, body: change)
            }
            try await compare(
                "\(user) PATCH If-Match \(type)", hidden: record.id, unknown: Self.unknownRecord(), what: what
            ) {
                try await api.send(
                    .patch, "/api/v1/records/\(type)/\($0)", token: token, body: change,
                    headers: [.ifMatch: "\"\(record.version)\""])
            }
            try await compare("\(user) DELETE \(type)", hidden: record.id, unknown: Self.unknownRecord(), what: what) {
                try await api.send(.delete, "/api/v1/records/\(type)/\($0)", token: token)
            }
            try await compare(
                "\(user) DELETE If-Match \(type)", hidden: record.id, unknown: Self.unknownRecord(), what: what
            ) {
                try await api.send(
                    .delete, "/api/v1/records/\(type)/\($0)", token: token, headers: [.ifMatch: "\"\(record.version)\""])
            }
        }
    }

    /// References to hidden records: a new note about one, an own contact moved to a hidden account, a list
    /// filtered on a hidden account.
    mutating func links(as user: String) async throws {
        let token = token(user)
        let own = world.holdings[user]!.contact
        let api = self.api
        for record in world.hidden(from: user) where record.type != ConflictRecord.typeName {
            let what = "\(record.type) of \(record.owner)"
            try await compare("\(user) note about", hidden: record.id, unknown: Self.unknownRecord(), what: what) {
                try await api.send(
                    .post, "/api/v1/records/Note", token: token, body: #"{"fields": {"body": "x", "parentId": "\#($0)"}}"#)
            }
            let device = world.holdings[user]!.device.id
            try await compare("\(user) fetch", hidden: record.id, unknown: Self.unknownRecord(), what: what) {
                try await api.send(.put, "/api/v1/devices/\(device)/fetched/\($0)", token: token)
            }
            guard record.type == "Account" else { continue }
            try await compare("\(user) contact at", hidden: record.id, unknown: Self.unknownRecord(), what: what) {
                try await api.send(
                    .post, "/api/v1/records/Contact", token: token,
                    body: #"{"fields": {"lastName": "x", "accountId": "\#($0)"}}"#)
            }
            try await compare("\(user) move contact", hidden: record.id, unknown: Self.unknownRecord(), what: what) {
                try await api.send(
                    .patch, "/api/v1/records/Contact/\(own.id)", token: token, body: #"{"fields": {"accountId": "\#($0)"}}"#)
            }
            try await compare("\(user) filter", hidden: record.id, unknown: Self.unknownRecord(), what: what) {
                try await api.send(.get, "/api/v1/records/Contact?accountId=\($0)", token: token)
            }
        }
    }
}
