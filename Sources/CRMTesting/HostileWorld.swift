import CRMModel
import CRMServer
import CRMStore
import CRMSyncProtocol
import Foundation
import HTTPTypes

/// What a hostile client probes: the demo users (`DemoDataGenerator.users`) with demo records, and for each user
/// a device, an open sync session, a sync log row, an attachment listed on their own activity, and conflicts
/// between each sales rep and their manager. Which user may see what is computed here from owners, teams and the
/// hierarchy (not asked of the server), so a server that leaks cannot also vouch for itself. The API's probe
/// (`HostileProbeTests`) and the web UI's (`WebHostileProbeTests`) share it.
public struct HostileWorld: Sendable {
    /// One demo user's things.
    public struct Holdings: Sendable {
        public var token: String
        public var device: Device
        public var session: String
        public var sha256: String
        public var size: Int
        public var activity: String
        /// A contact of the user's own, to link from.
        public var contact: Record
    }

    public var users: [DemoDataGenerator.DemoUser]
    public var holdings: [String: Holdings] = [:]
    /// Every record and conflict at the end of the set-up, by id (read from the store, not the API).
    public var records: [String: Record] = [:]

    /// The demo users and `total` demo records on the test server, and each user's holdings.
    public static func make(_ server: TestServer, _ api: TestAPI, total: Int = 40) async throws -> HostileWorld {
        let package = try DefaultPackage.load()
        let generator = DemoDataGenerator(package: package, seed: 9, today: Date())
        let hash = try await PasswordHasher(cost: 4).hash(TestServer.password)
        _ = try await generator.addUsers(to: server.store, passwordHash: hash)
        try await generator.addRecords(total: total, to: server.store)
        var world = HostileWorld(users: generator.users)
        for (index, user) in generator.users.enumerated() {
            var desktop = try await TestDesktop.connect(api, user.name, name: "\(user.name)'s laptop")
            try await desktop.sync(filter: "my-records")
            try await desktop.begin(filter: "my-records")
            let content = Data("the private file of \(user.name), number \(index)".utf8)
            let sha = SHA256Digest.hex(of: content)
            var headers: HTTPFields = [.contentType: "application/pdf"]
            headers[HTTPField.Name(AttachmentHeader.uploadLength)!] = String(content.count)
            let put = try await api.send(
                .put, "/api/v1/attachments/\(sha)", token: desktop.token,
                body: String(decoding: content, as: UTF8.self), headers: headers)
            guard put.status == .created else { throw TestAPIError.refused(put.status.code, put.text) }
            let listing = AttachmentRef.value([
                AttachmentRef(sha256: sha, name: "\(user.name).pdf", mediaType: "application/pdf", size: content.count)
            ])
            let activity = try await api.create(
                "Activity", ["subject": .string("Private \(user.name)"), "display": "email", "attachments": listing],
                token: desktop.token)
            let contact = try await api.create(
                "Contact", ["lastName": .string("Own \(user.name)")], token: desktop.token)
            world.holdings[user.name] = Holdings(
                token: desktop.token, device: desktop.device, session: try requireSession(desktop), sha256: sha,
                size: content.count, activity: activity.id, contact: contact)
        }
        try await world.makeConflicts(api)
        world.records = try await Self.everything(server.store)
        return world
    }

    /// A field conflict between each sales rep and their manager on the rep's own contact.
    private mutating func makeConflicts(_ api: TestAPI) async throws {
        for rep in users where rep.role == "sales-rep" {
            guard let manager = rep.manager, let own = holdings[rep.name]?.contact else { continue }
            for (name, phone) in [(rep.name, "+1 100"), (manager, "+1 200")] {
                let reply = try await api.send(
                    .post, "/api/v1/sync/push", token: holdings[name]!.token,
                    json: SyncPushRequest(
                        session: holdings[name]!.session,
                        ops: [
                            SyncOp(
                                opId: UUID().uuidString, kind: .update, type: "Contact", id: own.id, baseVersion: 1,
                                fields: ["phone": .string(phone)], editedAt: Date())
                        ]))
                guard reply.status == .ok else { throw TestAPIError.refused(reply.status.code, reply.text) }
            }
        }
    }

    /// Every live record of the store, conflicts included.
    public static func everything(_ store: any ServerStore) async throws -> [String: Record] {
        try await store.liveRecords(types: try DefaultPackage.load().types.keys.sorted() + [ConflictRecord.typeName])
    }

    // MARK: - Who may see what

    /// The users whose records `user` sees: themselves, and for the team visibility everyone below them.
    public func scope(of user: String) -> Set<String>? {
        guard let demo = users.first(where: { $0.name == user }) else { return [] }
        switch demo.role {
        case "admin": return nil
        case "sales-manager":
            var found: Set<String> = [user]
            var grew = true
            while grew {
                grew = false
                for other in users where other.manager.map(found.contains) == true && !found.contains(other.name) {
                    found.insert(other.name)
                    grew = true
                }
            }
            return found
        default: return [user]
        }
    }

    /// Whether `user` may see `record`: conflicts only their authors (and administrators), records their owner
    /// and team inside the user's scope, of a type the user's role shows.
    public func maySee(_ user: String, _ record: Record) -> Bool {
        guard let scope = scope(of: user) else { return true }
        if record.type == ConflictRecord.typeName { return record.owner == user || record.team.contains(user) }
        let role = users.first { $0.name == user }?.role
        if role == "service-agent" && record.type == "Opportunity" { return false }
        return scope.contains(record.owner) || !scope.isDisjoint(with: record.team)
    }

    /// The live records and conflicts `user` may not see.
    public func hidden(from user: String) -> [Record] {
        records.values.filter { !$0.deleted && !maySee(user, $0) }.sorted { $0.id < $1.id }
    }

    /// Other users' holdings.
    public func others(of user: String) -> [(name: String, holdings: Holdings)] {
        holdings.filter { $0.key != user }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// The open session of a test desktop, or an error naming the user.
private func requireSession(_ desktop: TestDesktop) throws -> String {
    guard let session = desktop.session else { throw TestAPIError.refused(0, "\(desktop.user) has no open session") }
    return session
}
