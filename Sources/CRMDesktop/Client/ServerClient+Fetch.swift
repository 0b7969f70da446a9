import CRMModel
import Foundation
import NIOCore

extension ServerClient {
    /// Holds a record by hand on the device (`PUT /api/v1/devices/{id}/fetched/{record}`); answers the record.
    public func fetch(record id: String, device: String, token: String) async throws -> Record {
        let path = "/api/v1/devices/\(Self.segment(device))/fetched/\(Self.segment(id))"
        var request = request(path, query: [], token: token)
        request.method = .PUT
        return try await send(request, route: "PUT \(path)", timeout: timeout).decode(Record.self)
    }

    /// Ends holding a record by hand on the device (`DELETE /api/v1/devices/{id}/fetched/{record}`).
    public func drop(record id: String, device: String, token: String) async throws {
        let path = "/api/v1/devices/\(Self.segment(device))/fetched/\(Self.segment(id))"
        var request = request(path, query: [], token: token)
        request.method = .DELETE
        let answer = try await send(request, route: "DELETE \(path)", timeout: timeout)
        guard answer.isSuccess else { throw answer.refusal() }
    }
}
