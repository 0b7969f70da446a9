import CRMModel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON in and out of the API, through the CRM's coders (RFC 3339 times, decimals kept exact).
enum JSONResponse {
    static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:])
        -> Response
    {
        let data = (try? CRMJSON.encoder().encode(value)) ?? Data("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Reads and decodes a JSON body of at most `limit` bytes; 413 past the limit, 400 when malformed.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        try decode(type, from: try await body(of: request, limit: limit))
    }

    /// The JSON body of at most `limit` bytes; 413 past the limit, 400 when empty.
    static func body(of request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw CRMError(.tooLarge, "the request body is \(length) bytes; the limit is \(limit)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw CRMError(.tooLarge, "the request body is over the limit of \(limit) bytes")
        }
        guard buffer.readableBytes > 0 else { throw CRMError(.malformed, "the request has no JSON body") }
        return buffer
    }

    /// Decodes a body read by `body(of:limit:)`; 400 when malformed, naming what is wrong.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        do {
            return try CRMJSON.decoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw malformed(error)
        }
    }

    private static func malformed(_ error: DecodingError) -> CRMError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return CRMError(.malformed, "'\(field)' is missing", field: field)
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return CRMError(.malformed, "'\(field)' has the wrong type; expected \(type)", field: field)
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if context.codingPath.isEmpty {
                let detail = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
                return CRMError(.malformed, "the body is not valid JSON" + (detail.map { ": \($0)" } ?? ""))
            }
            return CRMError(.malformed, "'\(field)': \(context.debugDescription)", field: field)
        @unknown default:
            return CRMError(.malformed, "the body is not valid JSON")
        }
    }
}
