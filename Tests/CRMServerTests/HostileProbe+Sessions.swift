import CRMModel
import CRMStore
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes

/// The probes of sync sessions, devices, logins, conflicts, attachments and lists.
extension HostileProbe {
    /// Another user's session in pull, push, end and wait; another user's device in begin; hidden records in
    /// pushed updates, deletes, links and creates.
    mutating func sync(as user: String) async throws {
        let holdings = world.holdings[user]!
        let token = holdings.token
        let api = self.api
        let admin = world.scope(of: user) == nil
        for (other, theirs) in world.others(of: user) where !admin {
            let what = "\(other)'s session"
            try await compare("\(user) pull", hidden: theirs.session, unknown: Self.unknownRecord(), what: what) {
                try await api.send(.post, "/api/v1/sync/pull", token: token, json: SyncPullRequest(session: $0, cursor: nil))
            }
            try await compare("\(user) push", hidden: theirs.session, unknown: Self.unknownRecord(), what: what) {
                try await api.send(.post, "/api/v1/sync/push", token: token, json: SyncPushRequest(session: $0, ops: []))
            }
            try await compare("\(user) wait", hidden: theirs.session, unknown: Self.unknownRecord(), what: what) {
                try await api.send(
                    .post, "/api/v1/sync/wait", token: token, json: SyncWaitRequest(session: $0, cursor: "", timeout: 0))
            }
            try await compare("\(user) end", hidden: theirs.session, unknown: Self.unknownRecord(), what: what) {
                try await api.send(
                    .post, "/api/v1/sync/end", token: token, json: SyncEndRequest(session: $0, counts: SyncCounts()))
            }
            try await compare(
                "\(user) begin", hidden: theirs.device.id, unknown: Self.unknownRecord(), what: "\(other)'s device"
            ) {
                try await api.send(
                    .post, "/api/v1/sync/begin", token: token, json: SyncBeginRequest(device: $0, timeZone: "UTC"))
            }
        }
        // Ops on hidden records, in the caller's own open session.
        let own = holdings.contact
        for record in world.hidden(from: user) where record.type != ConflictRecord.typeName {
            let type = record.type
            let note = RecordID.make()
            try await compare(
                "\(user) push ops \(type)", hidden: record.id, unknown: Self.unknownRecord(),
                what: "\(type) of \(record.owner)"
            ) { id in
                var ops = [
                    SyncOp(opId: "\(user)-u-\(id)", kind: .update, type: type, id: id, baseVersion: record.version,
                        fields: ["name": "mine", "subject": "mine", "lastName": "mine"], editedAt: Date()),
                    SyncOp(opId: "\(user)-d-\(id)", kind: .delete, type: type, id: id, baseVersion: record.version,
                        editedAt: Date()),
                    SyncOp(opId: "\(user)-n-\(id)", kind: .create, type: "Note", id: note,
                        fields: ["body": "x", "parentId": .string(id)], editedAt: Date()),
                ]
                if type == "Account" {
                    ops.append(
                        SyncOp(opId: "\(user)-l-\(id)", kind: .link, type: "Contact", id: own.id,
                            baseVersion: own.version, field: "accountId", target: id, editedAt: Date()))
                }
                let reply = try await api.send(
                    .post, "/api/v1/sync/push", token: token, json: SyncPushRequest(session: holdings.session, ops: ops))
                return reply.replacing(note, with: "<note>")
            }
        }
    }

    /// Another user's device in a revoke and in a login; another user's devices and sync log by filter.
    mutating func devicesAndLogins(as user: String) async throws {
        let token = token(user)
        let api = self.api
        guard world.scope(of: user) != nil else { return }
        for (other, theirs) in world.others(of: user) {
            let what = "\(other)'s device"
            try await compare("\(user) revoke", hidden: theirs.device.id, unknown: Self.unknownRecord(), what: what) {
                try await api.send(.delete, "/api/v1/devices/\($0)", token: token)
            }
            try await compare("\(user) login", hidden: theirs.device.id, unknown: Self.unknownRecord(), what: what) {
                try await api.send(
                    .post, "/api/v1/sessions",
                    json: LoginRequest(username: user, password: TestServer.password, device: $0))
            }
            let own = world.holdings[user]!.contact.id
            try await compare("\(user) fetch on", hidden: theirs.device.id, unknown: Self.unknownRecord(), what: what) {
                try await api.send(.put, "/api/v1/devices/\($0)/fetched/\(own)", token: token)
            }
            try await compare("\(user) drop on", hidden: theirs.device.id, unknown: Self.unknownRecord(), what: what) {
                try await api.send(.delete, "/api/v1/devices/\($0)/fetched/\(own)", token: token)
            }
            try await compare("\(user) log", hidden: theirs.device.id, unknown: Self.unknownRecord(), what: what) {
                try await api.send(.get, "/api/v1/sync/sessions?device=\($0)", token: token)
            }
            let refused = try await api.send(.get, "/api/v1/devices?user=\(other)", token: token)
            count += 1
            if refused.status != .forbidden { leaks.append("\(user) listing \(other)'s devices got \(refused.status)") }
        }
        let admin = try await api.send(.get, "/api/v1/admin/sync-sessions", token: token)
        count += 1
        if admin.status != .forbidden { leaks.append("\(user) reading the admin sync log got \(admin.status)") }
    }

    /// Resolving a conflict of others.
    mutating func conflicts(as user: String) async throws {
        let token = token(user)
        let api = self.api
        for conflict in world.hidden(from: user) where conflict.type == ConflictRecord.typeName {
            try await compare(
                "\(user) resolve", hidden: conflict.id, unknown: Self.unknownRecord(),
                what: "conflict of \(conflict.owner)"
            ) {
                try await api.send(
                    .post, "/api/v1/conflicts/\($0)/resolve", token: token, json: ConflictResolution(choose: .client))
            }
        }
    }

    /// Content listed only on records the caller may not see: HEAD, GET and a PUT without the content.
    mutating func attachments(as user: String) async throws {
        let token = token(user)
        let api = self.api
        for (other, theirs) in world.others(of: user) {
            guard let activity = world.records[theirs.activity], !world.maySee(user, activity) else { continue }
            let what = "\(other)'s attachment"
            try await compare("\(user) HEAD", hidden: theirs.sha256, unknown: Self.unknownDigest(), what: what) {
                try await api.send(.head, "/api/v1/attachments/\($0)", token: token)
            }
            try await compare("\(user) GET", hidden: theirs.sha256, unknown: Self.unknownDigest(), what: what) {
                try await api.send(.get, "/api/v1/attachments/\($0)", token: token)
            }
            var headers: HTTPFields = [.contentType: "application/pdf"]
            headers[HTTPField.Name(AttachmentHeader.uploadLength)!] = "40"
            try await compare("\(user) PUT", hidden: theirs.sha256, unknown: Self.unknownDigest(), what: what) {
                try await api.send(.put, "/api/v1/attachments/\($0)", token: token, body: "", headers: headers)
            }
        }
    }

    /// What lists and sync pages hold: only records, conflicts, devices and log rows the caller may see.
    mutating func lists(as user: String) async throws {
        let holdings = world.holdings[user]!
        let token = holdings.token
        let package = try await api.send(.get, "/api/v1/package", token: token).decode(CustomizationPackage.self)
        for type in package.types.keys.sorted() {
            let list = try await api.send(.get, "/api/v1/records/\(type)?limit=1000", token: token)
            expectVisible(user, try list.decode(RecordList.self).records.map(\.id), in: "the \(type) list")
        }
        // Searching for the words of another user's records finds only what the caller may see.
        for record in world.hidden(from: user) where package.types[record.type] != nil {
            let words = record.fields.values.compactMap(\.stringValue).flatMap { SearchTerms.words(of: $0) }.prefix(3)
            guard !words.isEmpty else { continue }
            let q = words.joined(separator: "+")
            let found = try await api.send(.get, "/api/v1/search/\(record.type)?q=\(q)&limit=100", token: token)
            expectVisible(user, try found.decode(SearchResults.self).results.map(\.id), in: "a \(record.type) search")
        }
        let conflicts = try await api.send(.get, "/api/v1/conflicts?limit=1000", token: token)
        expectVisible(user, try conflicts.decode(RecordList.self).records.map(\.id), in: "the conflict list")
        if world.scope(of: user) != nil {
            let devices = try await api.send(.get, "/api/v1/devices", token: token).decode(DeviceList.self).devices
            count += 1
            for device in devices where device.user != user { leaks.append("\(user)'s device list holds \(device.user)'s") }
            let log = try await api.send(.get, "/api/v1/sync/sessions?limit=1000", token: token)
            count += 1
            for entry in try log.decode(SyncLogList.self).sessions where entry.user != user {
                leaks.append("\(user)'s sync log holds a session of \(entry.user)")
            }
        }
        // A whole pull from scratch in the caller's own session.
        var cursor: String?
        while true {
            let reply = try await api.send(
                .post, "/api/v1/sync/pull", token: token,
                json: SyncPullRequest(session: holdings.session, cursor: cursor, limit: 500))
            let page = try reply.decode(SyncPage.self)
            expectVisible(user, page.upserts.map(\.record.id), in: "a sync page")
            cursor = page.cursor
            if !page.more { break }
        }
    }
}

extension TestAPI.Reply {
    /// The reply with `text` replaced in its body (an id minted for the request, not probed).
    func replacing(_ text: String, with placeholder: String) -> TestAPI.Reply {
        TestAPI.Reply(status: status, headers: headers, text: self.text.replacingOccurrences(of: text, with: placeholder))
    }
}
