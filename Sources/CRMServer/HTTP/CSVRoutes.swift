import CRMModel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /api/v1/records/{type}/import` (a CSV body; answers the import's report as JSON) and
/// `GET /api/v1/records/{type}/export` (the records the caller sees, as a CSV attachment).
struct CSVRoutes {
    let imports: CSVImport
    let exports: CSVExport
    /// The largest CSV body taken, in bytes. The body is held while its rows are read one at a time (the rows
    /// never are held as records).
    static let maxImportBytes = 64 << 20

    func add(to group: RouterGroup<CRMRequestContext>) {
        group.post("records/:type/import") { request, context in
            let caller = try context.requireCaller()
            let type = try context.parameters.require("type")
            let options = try Self.options(request.uri.queryParameters)
            let body = try await Self.body(of: request)
            let report = try await imports.run(
                caller, typeName: type, stream: InputStream(data: Data(body.readableBytesView)), options: options)
            return JSONResponse.make(report)
        }
        group.get("records/:type/export") { _, context in
            try exports.response(try context.requireCaller(), typeName: try context.parameters.require("type"))
        }
    }

    /// The CSV body; 413 past `maxImportBytes`, 400 when empty.
    static func body(of request: Request) async throws -> ByteBuffer {
        let limit = maxImportBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw CRMError(.tooLarge, "the CSV body is \(length) bytes; the limit is \(limit)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw CRMError(.tooLarge, "the CSV body is over the limit of \(limit) bytes")
        }
        guard buffer.readableBytes > 0 else {
            throw CRMError(.malformed, "the request has no CSV body: send the file, its first line naming the columns")
        }
        return buffer
    }

    /// `dryRun=true|false`, `duplicates=skip|link|update` and any number of `map=COLUMN=FIELD`.
    static func options(_ query: Parameters) throws -> CSVImport.Options {
        var options = CSVImport.Options()
        if let dryRun = query["dryRun"] {
            guard dryRun == "true" || dryRun == "false" else {
                throw CRMError(.malformed, "dryRun is true or false", field: "dryRun")
            }
            options.dryRun = dryRun == "true"
        }
        if let duplicates = query["duplicates"] {
            guard let choice = CSVDuplicateChoice(rawValue: String(duplicates)) else {
                throw CRMError(.malformed, "duplicates is skip, link or update", field: "duplicates")
            }
            options.duplicates = choice
        }
        for entry in query.getAll("map") {
            guard let (column, field) = CSVImport.mapping(entry) else {
                throw CRMError(.malformed, "map is COLUMN=FIELD (FIELD empty to skip the column)", field: "map")
            }
            options.map[column] = field
        }
        return options
    }
}

extension CSVExport {
    /// The export as an HTTP answer: a CSV attachment streamed as it is written, for the API and the web UI.
    /// A type the caller's role does not have is refused before anything is sent.
    public func response(_ caller: Caller, typeName: String) throws -> Response {
        _ = try CSVExport.fields(caller, typeName: typeName)
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(typeName).csv\""
        let body = ResponseBody { writer in
            try await run(caller, typeName: typeName) { text in try await writer.write(ByteBuffer(string: text)) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
