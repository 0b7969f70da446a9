import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation
import Hummingbird
import NIOCore

/// `/api/v1/sync/...`: begin, pull, push, end, wait, and the caller's own sync log (`sessions`).
struct SyncRoutes {
    let sync: SyncService
    let configuration: ServerConfiguration

    func add(to group: RouterGroup<CRMRequestContext>) {
        let limit = configuration.maxBodyBytes
        group.post("sync/begin") { request, context in
            let caller = try context.requireCaller()
            let body = try await JSONResponse.decode(SyncBeginRequest.self, from: request, limit: limit)
            return JSONResponse.make(try await sync.begin(caller, body), status: .created)
        }
        group.post("sync/pull") { request, context in
            let caller = try context.requireCaller()
            let body = try await JSONResponse.decode(SyncPullRequest.self, from: request, limit: limit)
            let bytes = try await sync.pull(caller, body)
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        group.post("sync/push") { request, context in
            let caller = try context.requireCaller()
            let buffer = try await JSONResponse.body(of: request, limit: sync.configuration.maxPushBytes)
            // Read by hand; what the reader leaves (a malformed body) goes through the decoder, which names the fault.
            let read = buffer.readableBytesView.withContiguousStorageIfAvailable(SyncPushRequest.read) ?? nil
            let body = try read ?? JSONResponse.decode(SyncPushRequest.self, from: buffer)
            let bytes = try await sync.pushBody(caller, body)
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        group.post("sync/end") { request, context in
            let caller = try context.requireCaller()
            let body = try await JSONResponse.decode(SyncEndRequest.self, from: request, limit: limit)
            return JSONResponse.make(try await sync.end(caller, body))
        }
        group.post("sync/wait") { request, context in
            let caller = try context.requireCaller()
            let body = try await JSONResponse.decode(SyncWaitRequest.self, from: request, limit: limit)
            return JSONResponse.make(try await sync.wait(caller, body))
        }
        group.get("sync/sessions") { request, context in
            let caller = try context.requireCaller()
            var query = try Self.query(request)
            query.user = caller.user.name
            return JSONResponse.make(SyncLogList(sessions: try await sync.log(caller, query: query)))
        }
        group.get("admin/sync-sessions") { request, context in
            let caller = try context.requireCaller()
            guard caller.isAdmin else { throw CRMError(.forbidden, "only administrators read everyone's sync log") }
            return JSONResponse.make(SyncLogList(sessions: try await sync.log(caller, query: try Self.query(request))))
        }
    }

    /// `user`, `device`, `since`, `until` (RFC 3339), `errors=true`, `limit` (1...1000, default 100).
    static func query(_ request: Request) throws -> SyncSessionQuery {
        var query = SyncSessionQuery()
        for (key, value) in request.uri.queryParameters {
            let text = String(value)
            switch String(key) {
            case "user": query.user = text
            case "device": query.device = text
            case "since", "until":
                guard let date = Timestamp.date(from: text) else {
                    throw CRMError(.malformed, "'\(text)' is not an RFC 3339 time", field: String(key))
                }
                if key == "since" { query.since = date } else { query.until = date }
            case "errors":
                guard text == "true" || text == "false" else {
                    throw CRMError(.malformed, "errors is true or false", field: "errors")
                }
                query.withErrors = text == "true"
            case "limit":
                guard let number = Int(text), (1...1000).contains(number) else {
                    throw CRMError(.malformed, "limit is a whole number from 1 to 1000", field: "limit")
                }
                query.limit = number
            default:
                throw CRMError(.malformed, "unknown parameter '\(key)'", field: String(key))
            }
        }
        return query
    }
}

/// `GET /api/v1/conflicts` and `POST /api/v1/conflicts/{id}/resolve`.
struct ConflictRoutes {
    let conflicts: ConflictService
    let configuration: ServerConfiguration

    func add(to group: RouterGroup<CRMRequestContext>) {
        group.get("conflicts") { request, context in
            let caller = try context.requireCaller()
            let parameters = request.uri.queryParameters
            var limit = 50
            if let text = parameters["limit"] {
                guard let number = Int(text), number >= 1 else {
                    throw CRMError(.malformed, "limit is a whole number of at least 1", field: "limit")
                }
                limit = min(number, configuration.maxPageSize)
            }
            let page = try await conflicts.list(
                caller, status: parameters["status"].map(String.init), limit: limit,
                cursor: parameters["cursor"].map(String.init))
            return JSONResponse.make(RecordList(records: page.records, nextCursor: page.nextCursor))
        }
        group.post("conflicts/:id/resolve") { request, context in
            let caller = try context.requireCaller()
            let body = try await JSONResponse.decode(ConflictResolution.self, from: request, limit: configuration.maxBodyBytes)
            let (conflict, record) = try await conflicts.resolve(caller, id: try context.parameters.require("id"), body)
            return JSONResponse.make(ResolvedConflict(conflict: conflict, record: record))
        }
    }
}
