import CRMModel

extension ScopeDelta {
    /// The delta as the JSON its `Codable` form has (keys sorted), written by hand: a first sync's pages carry
    /// thousands of entries each, and stores keep the delta as text until the device acknowledges the page.
    public var jsonText: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32 + upserts.count * 96 + removes.count * 40)
        bytes.append(contentsOf: "{\"removes\":[".utf8)
        for (index, id) in removes.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            FieldJSON.writeString(id, into: &bytes)
        }
        bytes.append(contentsOf: "],\"upserts\":[".utf8)
        for (index, entry) in upserts.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: "{\"id\":".utf8)
            FieldJSON.writeString(entry.id, into: &bytes)
            bytes.append(contentsOf: ",\"reason\":".utf8)
            FieldJSON.writeString(entry.reason.rawValue, into: &bytes)
            bytes.append(contentsOf: ",\"type\":".utf8)
            FieldJSON.writeString(entry.type, into: &bytes)
            bytes.append(contentsOf: ",\"version\":\(entry.version)}".utf8)
        }
        bytes.append(contentsOf: "]}".utf8)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads the JSON of `jsonText` (or of the `Codable` form, in any key order) by hand.
    public init(jsonText text: String) throws {
        self.init()
        var upserts: [ScopeEntry] = []
        var removes: [String] = []
        try JSONReader.reading(text) { reader in
            try reader.readObject { key, reader in
                switch key {
                case "removes": try reader.readArray { reader in removes.append(try reader.readString()) }
                case "upserts":
                    try reader.readArray { reader in upserts.append(try Self.entry(&reader)) }
                default: try reader.skipValue()
                }
            }
            try reader.expectEnd()
        }
        self.upserts = upserts
        self.removes = removes
    }

    private static func entry(_ reader: inout JSONReader) throws -> ScopeEntry {
        var id: String?
        var type: String?
        var version: Int64?
        var reason: ScopeReason?
        try reader.readObject { key, reader in
            switch key {
            case "id": id = try reader.readString()
            case "type": type = try reader.readString()
            case "version": version = try reader.readInt()
            case "reason":
                let text = try reader.readString()
                guard let value = ScopeReason(rawValue: text) else { throw reader.error("a scope reason") }
                reason = value
            default: try reader.skipValue()
            }
        }
        guard let id, let type, let version, let reason else { throw reader.error("a whole scope entry") }
        return ScopeEntry(id: id, type: type, version: Int(version), reason: reason)
    }
}
