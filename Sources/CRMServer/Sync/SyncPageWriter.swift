import CRMModel
import CRMSyncProtocol

/// Writes a pull page as JSON by hand (DESIGN section 7): the shape of `SyncPage`, without Codable per record.
enum SyncPageWriter {
    /// The page around its upserts, written beforehand (`upserts(_:)`, such as by a page built ahead).
    static func bytes(_ page: PullPage, upserts: [UInt8], cursor: String, more: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + page.removes.count * 80 + upserts.count)
        bytes.append(contentsOf: "{\"cursor\":".utf8)
        FieldJSON.writeString(cursor, into: &bytes)
        bytes.append(contentsOf: ",\"more\":\(more),\"protocolVersion\":\(ProtocolVersion.current),\"removes\":[".utf8)
        for (index, remove) in page.removes.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: "{\"id\":".utf8)
            FieldJSON.writeString(remove.id, into: &bytes)
            bytes.append(contentsOf: ",\"reason\":\"\(remove.reason.rawValue)\",\"type\":".utf8)
            FieldJSON.writeString(remove.type, into: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(contentsOf: "],\"upserts\":[".utf8)
        bytes.append(contentsOf: upserts)
        bytes.append(contentsOf: "]}".utf8)
        return bytes
    }

    /// The page's upserts, comma-separated: the bulk of a page, which does not depend on its cursor (written
    /// as the page was built).
    static func upserts(_ page: PullPage) -> [UInt8] {
        page.upsertJSON
    }
}
