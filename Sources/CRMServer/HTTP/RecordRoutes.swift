import CRMModel
import CRMSyncProtocol
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/records/{type}` (list, create) and `/api/v1/records/{type}/{id}` (read, update, delete).
struct RecordRoutes {
    let records: RecordService
    let configuration: ServerConfiguration

    func add(to group: RouterGroup<CRMRequestContext>) {
        group.get("records/:type") { request, context in
            let caller = try context.requireCaller()
            let type = try context.parameters.require("type")
            let parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
            let page = try await records.list(caller, typeName: type, parameters: parameters)
            return JSONResponse.make(RecordList(records: page.records, nextCursor: page.nextCursor))
        }
        group.post("records/:type") { request, context in
            let caller = try context.requireCaller()
            let type = try context.parameters.require("type")
            let write = try await JSONResponse.decode(RecordWrite.self, from: request, limit: configuration.maxBodyBytes)
            let insist = request.uri.queryParameters["insist"].map { $0 == "true" } ?? false
            let record = try await records.create(caller, typeName: type, write: write, insist: insist)
            var headers = Self.headers(record)
            headers[.location] = "/api/v1/records/\(type)/\(record.id)"
            return JSONResponse.make(record, status: .created, headers: headers)
        }
        group.get("records/:type/:id") { _, context in
            let caller = try context.requireCaller()
            let record = try await records.read(
                caller, typeName: try context.parameters.require("type"), id: try context.parameters.require("id"))
            return JSONResponse.make(record, headers: Self.headers(record))
        }
        group.patch("records/:type/:id") { request, context in
            let caller = try context.requireCaller()
            let write = try await JSONResponse.decode(RecordWrite.self, from: request, limit: configuration.maxBodyBytes)
            let record = try await records.update(
                caller, typeName: try context.parameters.require("type"), id: try context.parameters.require("id"),
                write: write, expectedVersion: try Self.ifMatch(request))
            return JSONResponse.make(record, headers: Self.headers(record))
        }
        group.delete("records/:type/:id") { request, context in
            let caller = try context.requireCaller()
            let outcome = try await records.delete(
                caller, typeName: try context.parameters.require("type"), id: try context.parameters.require("id"),
                expectedVersion: try Self.ifMatch(request))
            return JSONResponse.make(
                DeleteResult(deleted: outcome.deleted.map(\.id), updated: outcome.updated.map(\.id)))
        }
    }

    static func headers(_ record: Record) -> HTTPFields {
        var headers = HTTPFields()
        headers[.eTag] = "\"\(record.version)\""
        return headers
    }

    /// The version an `If-Match` header names (`"3"`, `W/"3"` or `3`); nil when absent or `*`.
    static func ifMatch(_ request: Request) throws -> Int? {
        guard var text = request.headers[.ifMatch]?.trimmingCharacters(in: .whitespaces), text != "*" else {
            return nil
        }
        if text.hasPrefix("W/") { text.removeFirst(2) }
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard let version = Int(text), version >= 1 else {
            throw CRMError(.malformed, "If-Match names a record version such as \"3\"", field: "If-Match")
        }
        return version
    }
}
