import CRMModel
import Foundation

extension Desktop {
    /// Asks the server to keep `id` on this device by hand, outside the filter, and notes it here; the record
    /// arrives (and then follows the server's changes) with the next sync. Needs the server.
    @discardableResult
    public func fetch(type: String, id: String) async throws -> CRMModel.Record {
        let device = settings.device
        let record = try await connection.call { client, token in
            try await client.fetch(record: id, device: device, token: token)
        }
        guard record.type == type else {
            throw DesktopError(.notFound, "\(id) is a \(record.type) record, not a \(type) record")
        }
        try replica.setFetched(id: record.id, type: record.type, held: true)
        return record
    }

    /// Tells the server this device no longer holds `id` by hand; the record leaves with the next sync unless
    /// the filter selects it. Needs the server.
    public func drop(type: String, id: String) async throws {
        let device = settings.device
        try await connection.call { client, token in
            try await client.drop(record: id, device: device, token: token)
        }
        try replica.setFetched(id: id, type: type, held: false)
    }
}
