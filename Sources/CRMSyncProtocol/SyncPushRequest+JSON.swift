import CRMModel
import Foundation

extension SyncPushRequest {
    /// Reads a push request by hand (a thousand ops through `JSONDecoder` cost the server about as much as
    /// storing their answers). Returns nil for anything it does not read exactly as `CRMJSON.decoder()` would
    /// (a malformed body, a repeated key, a number where a whole one is expected written with a fraction or
    /// an exponent): the caller then decodes with `CRMJSON.decoder()`, which gives the same request or names
    /// what is wrong. Unknown keys are skipped, as the decoder skips them.
    public static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> SyncPushRequest? {
        // The decoder refuses text that is not UTF-8; the reader would repair it.
        guard String(validating: bytes, as: UTF8.self) != nil else { return nil }
        var reader = JSONReader(bytes)
        var protocolVersion: Int?
        var session: String?
        var ops: [SyncOp]?
        do {
            try reader.readObject { key, reader in
                switch key {
                case "protocolVersion":
                    guard protocolVersion == nil else { throw Unread() }
                    protocolVersion = try readWhole(&reader)
                case "session":
                    guard session == nil else { throw Unread() }
                    session = try reader.readString()
                case "ops":
                    guard ops == nil else { throw Unread() }
                    var read: [SyncOp] = []
                    try reader.readArray { reader in read.append(try readOp(&reader)) }
                    ops = read
                default:
                    try reader.skipValue()
                }
            }
            try reader.expectEnd()
        } catch {
            return nil
        }
        guard let protocolVersion, let session, let ops else { return nil }
        return SyncPushRequest(protocolVersion: protocolVersion, session: session, ops: ops)
    }

    /// Whatever the hand-written reader leaves to `JSONDecoder`.
    private struct Unread: Error {}

    private static func readOp(_ reader: inout JSONReader) throws -> SyncOp {
        var opId: String?
        var kind: SyncOp.Kind?
        var type: String?
        var id: String?
        var editedAt: Date?
        var op = SyncOp(opId: "", kind: .create, type: "", id: "", editedAt: Date(timeIntervalSince1970: 0))
        var seen = Set<String>()
        try reader.readObject { key, reader in
            guard seen.insert(key).inserted else { throw Unread() }
            switch key {
            case "opId": opId = try reader.readString()
            case "kind":
                guard let value = SyncOp.Kind(rawValue: try reader.readString()) else { throw Unread() }
                kind = value
            case "type": type = try reader.readString()
            case "id": id = try reader.readString()
            case "editedAt":
                guard let date = Timestamp.date(from: try reader.readString()) else { throw Unread() }
                editedAt = date
            case "baseVersion": op.baseVersion = try optional(&reader) { try readWhole(&$0) }
            case "fields":
                op.fields = try optional(&reader) { reader in
                    guard case .object(let fields) = try reader.readValue() else { throw Unread() }
                    return fields
                }
            case "field": op.field = try optional(&reader) { try $0.readString() }
            case "target": op.target = try optional(&reader) { try $0.readString() }
            case "owner": op.owner = try optional(&reader) { try $0.readString() }
            case "team":
                op.team = try optional(&reader) { reader in
                    var team: [String] = []
                    try reader.readArray { team.append(try $0.readString()) }
                    return team
                }
            case "packageVersion": op.packageVersion = try optional(&reader) { try readWhole(&$0) }
            case "insist": op.insist = try optional(&reader) { try $0.readBool() }
            default: try reader.skipValue()
            }
        }
        guard let opId, let kind, let type, let id, let editedAt else { throw Unread() }
        op.opId = opId
        op.kind = kind
        op.type = type
        op.id = id
        op.editedAt = editedAt
        return op
    }

    /// An optional member: `null` is nil, as `decodeIfPresent` reads it.
    private static func optional<T>(_ reader: inout JSONReader, _ read: (inout JSONReader) throws -> T) throws -> T? {
        reader.readNull() ? nil : try read(&reader)
    }

    /// A whole number written as digits only (with an optional minus); anything else is left to the decoder.
    private static func readWhole(_ reader: inout JSONReader) throws -> Int {
        reader.skipWhitespace()
        var probe = reader
        let range = try probe.skipValue()
        let text = reader.text(range)
        guard let value = Int(text), text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 48 && $0 <= 57) }),
            !text.hasPrefix("0") || text == "0", !text.hasPrefix("-0")
        else {
            throw Unread()
        }
        reader = probe
        return value
    }
}
