import CRMModel
import CRMSyncProtocol
import Foundation
import GRDB

/// One email shared from this desktop, as `status` lists it.
public struct MailShare: Sendable, Equatable, Codable {
    public var messageID: String
    public var recordID: String
    /// The file it was read from.
    public var source: String
    public var subject: String
    /// `inbound` or `outbound`.
    public var direction: String
    public var sharedAt: String
    /// The record (or this user's joining of it) has edits the server does not have yet: it goes with the next
    /// sync. False once the server has it all.
    public var queued: Bool

    public init(
        messageID: String, recordID: String, source: String, subject: String, direction: String, sharedAt: String,
        queued: Bool = false
    ) {
        self.messageID = messageID
        self.recordID = recordID
        self.source = source
        self.subject = subject
        self.direction = direction
        self.sharedAt = sharedAt
        self.queued = queued
    }
}

/// A message that could not be shared: its file and why.
public struct MailProblem: Sendable, Equatable, Codable {
    public var source: String
    public var message: String
    public var seenAt: String
}

extension Replica {
    /// Remembers that `share` became `share.recordID`.
    public func recordMailShare(_ share: MailShare) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO mail_shares (message_id, record_id, source, subject, direction, shared_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(message_id) DO UPDATE SET record_id = excluded.record_id
                    """,
                arguments: [share.messageID, share.recordID, share.source, share.subject, share.direction, share.sharedAt])
        }
    }

    /// The emails shared from this desktop, newest first.
    public func mailShares(limit: Int = 20) throws -> [MailShare] {
        try mailShares(where: "1", [], limit: limit)
    }

    private func mailShares(where condition: String, _ arguments: [String], limit: Int) throws -> [MailShare] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT *, EXISTS (SELECT 1 FROM outbox WHERE outbox.record_id = mail_shares.record_id) AS queued
                    FROM mail_shares WHERE \(condition) ORDER BY shared_at DESC, message_id LIMIT ?
                    """,
                arguments: StatementArguments(arguments.map { $0 as (any DatabaseValueConvertible)? } + [limit])
            ).map { row in
                MailShare(
                    messageID: row["message_id"], recordID: row["record_id"], source: row["source"],
                    subject: row["subject"], direction: row["direction"], sharedAt: row["shared_at"],
                    queued: row["queued"])
            }
        }
    }

    /// How many emails this desktop has shared.
    public func mailShareCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mail_shares") ?? 0 }
    }

    /// The record a message became when this desktop shared it; follows the id the server gave it.
    public func mailShare(messageID: String) throws -> MailShare? {
        try mailShares(where: "message_id = ?", [messageID], limit: 1).first
    }

    /// What tracking last saw of a maildir file (its fingerprint), nil when never.
    public func mailSeen(folder: String, name: String) throws -> String? {
        try read { db in
            try String.fetchOne(
                db, sql: "SELECT fingerprint FROM mail_seen WHERE folder = ? AND name = ?", arguments: [folder, name])
        }
    }

    /// Every file of `folder` tracking has seen, with its fingerprint.
    public func mailSeen(folder: String) throws -> [String: String] {
        try read { db in
            var seen: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, fingerprint FROM mail_seen WHERE folder = ?", arguments: [folder]) {
                seen[row["name"]] = row["fingerprint"]
            }
            return seen
        }
    }

    public func markMailSeen(folder: String, name: String, fingerprint: String) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO mail_seen (folder, name, fingerprint) VALUES (?, ?, ?)
                    ON CONFLICT(folder, name) DO UPDATE SET fingerprint = excluded.fingerprint
                    """,
                arguments: [folder, name, fingerprint])
        }
    }

    /// Reports (or, with nil, clears) the problem of the message in `source`.
    public func reportMailProblem(_ message: String?, source: String, at time: Date = Date()) throws {
        try write { db in
            if let message {
                try db.execute(
                    sql: """
                        INSERT INTO mail_problems (source, message, seen_at) VALUES (?, ?, ?)
                        ON CONFLICT(source) DO UPDATE SET message = excluded.message, seen_at = excluded.seen_at
                        """,
                    arguments: [source, message, Timestamp.string(from: time)])
            } else {
                try db.execute(sql: "DELETE FROM mail_problems WHERE source = ?", arguments: [source])
            }
        }
    }

    public func mailProblems() throws -> [MailProblem] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM mail_problems ORDER BY source").map { row in
                MailProblem(source: row["source"], message: row["message"], seenAt: row["seen_at"])
            }
        }
    }

    /// The user's own email addresses, as the server last told them (they tell inbound mail from outbound).
    public func userAddresses() throws -> [String] {
        try read { db in
            try Self.meta(db, "user.emails").map { try CRMJSON.decoder().decode([String].self, from: Data($0.utf8)) } ?? []
        }
    }

    /// When the addresses were last asked of the server (nil: never).
    public func userAddressesCheckedAt() throws -> Date? {
        try read { db in try Self.meta(db, "user.emails.at").flatMap(Timestamp.date(from:)) }
    }

    public func setUserAddresses(_ addresses: [String], at time: Date = Date()) throws {
        let text = String(decoding: try CRMJSON.encoder().encode(addresses), as: UTF8.self)
        try write { db in
            try Self.setMeta(db, "user.emails", text)
            try Self.setMeta(db, "user.emails.at", Timestamp.string(from: time))
        }
    }
}

extension Replica {
    /// Whether the last sync could not bring some attachment content (the next one tries again).
    public func attachmentsMissing() throws -> Bool {
        try read { db in try Self.meta(db, "attachments.missing") == "1" }
    }

    public func setAttachmentsMissing(_ missing: Bool) throws {
        try write { db in try Self.setMeta(db, "attachments.missing", missing ? "1" : nil) }
    }

    /// Every attachment the held records list (server copies and unsent edits), each content once.
    public func attachmentRefs() throws -> [AttachmentRef] {
        let (records, ops) = try read { db in
            (
                try String.fetchAll(db, sql: "SELECT json FROM records WHERE json LIKE '%\"sha256\"%'"),
                try String.fetchAll(db, sql: "SELECT json FROM outbox WHERE json LIKE '%\"sha256\"%'")
            )
        }
        let decoder = CRMJSON.decoder()
        let fields = try records.map { try decoder.decode(Record.self, from: Data($0.utf8)).fields }
            + ops.map { try decoder.decode(SyncOp.self, from: Data($0.utf8)).fields ?? [:] }
        var seen = Set<String>()
        return fields.flatMap { $0.values.flatMap(AttachmentRef.list) }.filter { seen.insert($0.sha256).inserted }
    }
}
