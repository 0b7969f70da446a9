import CRMModel
import CRMSyncProtocol
import Foundation

/// A pull page as the replica applies it: the envelope read by hand, and each record kept as the JSON text the
/// server wrote, with only the columns the replica indexes read out of it. The replica stores a server copy as
/// JSON anyway, so a first sync decodes and re-encodes no record (DESIGN section 7: no Codable per record on the
/// pull path).
public struct PulledPage: Sendable {
    /// A record to store: its indexed columns and its JSON as the server wrote it.
    public struct Upsert: Sendable, Equatable {
        public var id: String
        public var type: String
        public var version: Int
        public var deleted: Bool
        public var incomplete: Bool
        public var json: String
    }

    public var protocolVersion: Int
    public var upserts: [Upsert]
    public var removes: [SyncRemove]
    /// The cursor to send with the next pull; sending it acknowledges this page.
    public var cursor: String
    /// More pages wait.
    public var more: Bool
    /// Some record of the page names an attachment (its JSON holds a `"sha256"` key): only then has the sync
    /// files to fetch.
    public var mentionsAttachments: Bool

    /// Upserts and removes.
    public var count: Int { upserts.count + removes.count }

    /// The page of a decoded `SyncPage`, each record written as the server writes it.
    public init(_ page: SyncPage) {
        protocolVersion = page.protocolVersion
        removes = page.removes
        cursor = page.cursor
        more = page.more
        mentionsAttachments = page.upserts.contains { upsert in
            upsert.record.fields.values.contains { !AttachmentRef.list($0).isEmpty }
        }
        upserts = page.upserts.map { upsert in
            var bytes: [UInt8] = []
            RecordJSON.write(upsert.record, into: &bytes)
            return Upsert(
                id: upsert.record.id, type: upsert.record.type, version: upsert.record.version,
                deleted: upsert.record.deleted, incomplete: upsert.incomplete,
                json: String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Reads a page's JSON (the shape of `SyncPage`, keys in any order).
    public init(reading bytes: UnsafeBufferPointer<UInt8>) throws {
        var reader = JSONReader(bytes)
        var protocolVersion: Int64?
        var upserts: [Upsert] = []
        var removes: [SyncRemove] = []
        var cursor: String?
        var more: Bool?
        try reader.readObject { key, reader in
            switch key {
            case "protocolVersion": protocolVersion = try reader.readInt()
            case "cursor": cursor = try reader.readString()
            case "more": more = try reader.readBool()
            case "removes": try reader.readArray { reader in removes.append(try Self.remove(&reader)) }
            case "upserts":
                upserts.reserveCapacity(1000)
                try reader.readArray { reader in upserts.append(try Self.upsert(&reader)) }
            default: try reader.skipValue()
            }
        }
        try reader.expectEnd()
        guard let protocolVersion, let cursor, let more else { throw reader.error("a page's cursor, more and version") }
        self.protocolVersion = Int(protocolVersion)
        self.upserts = upserts
        self.removes = removes
        self.cursor = cursor
        self.more = more
        mentionsAttachments = Self.contains(bytes, Self.attachmentKey)
    }

    static let attachmentKey = Array("\"sha256\"".utf8)

    /// Whether `pattern` occurs in `bytes` (a plain search: a page holds it rarely, so most of the time the
    /// search runs through once).
    static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ pattern: [UInt8]) -> Bool {
        guard let first = pattern.first, bytes.count >= pattern.count else { return false }
        var index = 0
        let last = bytes.count - pattern.count
        while index <= last {
            if bytes[index] == first {
                var offset = 1
                while offset < pattern.count, bytes[index + offset] == pattern[offset] { offset += 1 }
                if offset == pattern.count { return true }
            }
            index += 1
        }
        return false
    }

    /// Reads a page's JSON from bytes.
    public init(reading data: Data) throws {
        self = try data.withUnsafeBytes { raw in try PulledPage(reading: raw.bindMemory(to: UInt8.self)) }
    }

    private static func remove(_ reader: inout JSONReader) throws -> SyncRemove {
        var id: String?
        var type: String?
        var reason: RemoveReason?
        try reader.readObject { key, reader in
            switch key {
            case "id": id = try reader.readString()
            case "type": type = try reader.readString()
            case "reason":
                let text = try reader.readString()
                guard let value = RemoveReason(rawValue: text) else { throw reader.error("a remove reason") }
                reason = value
            default: try reader.skipValue()
            }
        }
        guard let id, let type, let reason else { throw reader.error("a remove's id, type and reason") }
        return SyncRemove(id: id, type: type, reason: reason)
    }

    private static func upsert(_ reader: inout JSONReader) throws -> Upsert {
        var incomplete: Bool?
        var record: Upsert?
        try reader.readObject { key, reader in
            switch key {
            case "incomplete": incomplete = try reader.readBool()
            case "record": record = try Self.record(&reader)
            default: try reader.skipValue()
            }
        }
        guard var record, let incomplete else { throw reader.error("an upsert's record and incomplete flag") }
        record.incomplete = incomplete
        return record
    }

    /// The record's indexed columns, read from its top level; its text kept whole.
    private static func record(_ reader: inout JSONReader) throws -> Upsert {
        var id: String?
        var type: String?
        var version: Int64?
        var deleted: Bool?
        reader.skipWhitespace()
        let start = reader.index
        try reader.readObject { key, reader in
            switch key {
            case "id": id = try reader.readString()
            case "type": type = try reader.readString()
            case "version": version = try reader.readInt()
            case "deleted": deleted = try reader.readBool()
            default: try reader.skipValue()
            }
        }
        guard let id, let type, let version, let deleted else {
            throw reader.error("a record's id, type, version and deleted flag")
        }
        let json = reader.text(start..<reader.index)
        return Upsert(id: id, type: type, version: Int(version), deleted: deleted, incomplete: false, json: json)
    }
}
