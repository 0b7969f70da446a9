import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/v1/attachments/{sha256}`: `HEAD` (stored? else how much of the caller's upload the server holds), `PUT`
/// (a resumable upload, streamed into the store) and `GET` (the content, streamed, with `Range: bytes=N-`).
struct AttachmentRoutes {
    let attachments: AttachmentService

    func add(to group: RouterGroup<CRMRequestContext>) {
        group.head("attachments/:sha256") { _, context in
            let caller = try context.requireCaller()
            var headers = HTTPFields()
            switch try await attachments.state(caller, sha256: try context.parameters.require("sha256")) {
            case .stored(let stored):
                headers[.contentLength] = String(stored.size)
                headers[.eTag] = "\"\(stored.sha256)\""
                return Response(status: .ok, headers: headers)
            case .partial(let received):
                headers[.uploadOffset] = String(received)
                return Response(status: .notFound, headers: headers)
            }
        }
        group.put("attachments/:sha256") { request, context in
            let caller = try context.requireCaller()
            let outcome = try await attachments.upload(
                caller, sha256: try context.parameters.require("sha256"), mediaType: request.headers[.contentType],
                length: try Self.byteCount(request.headers[.uploadLength], AttachmentHeader.uploadLength),
                offset: try Self.byteCount(request.headers[.uploadOffset], AttachmentHeader.uploadOffset) ?? 0,
                body: request.body)
            switch outcome {
            case .alreadyStored(let stored):
                return JSONResponse.make(Self.info(stored), headers: Self.offsetHeader(stored.size))
            case .stored(let stored):
                return JSONResponse.make(Self.info(stored), status: .created, headers: Self.offsetHeader(stored.size))
            case .partial(let upload):
                return JSONResponse.make(
                    AttachmentUploadProgress(sha256: upload.sha256, offset: upload.received, length: upload.length),
                    status: .accepted, headers: Self.offsetHeader(upload.received))
            }
        }
        group.get("attachments/:sha256") { request, context in
            let caller = try context.requireCaller()
            let stored = try await attachments.download(caller, sha256: try context.parameters.require("sha256"))
            let range = try Self.range(request.headers[.range], size: stored.size)
            var headers = HTTPFields()
            headers[.contentType] = stored.mediaType
            headers[.eTag] = "\"\(stored.sha256)\""
            headers[.acceptRanges] = "bytes"
            if let range { headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(stored.size)" }
            let from = range?.lowerBound ?? 0
            let end = (range?.upperBound ?? stored.size - 1) + 1
            let reader = attachments
            let body = ResponseBody(contentLength: Int(end - from)) { writer in
                var position = from
                while position < end {
                    let wanted = Int(min(Int64(StoredAttachment.chunkSize), end - position))
                    let data = try await reader.read(sha256: stored.sha256, offset: position, maxLength: wanted)
                    guard !data.isEmpty else {
                        throw CRMError(.internalError, "the content of \(stored.sha256) ends at byte \(position)")
                    }
                    try await writer.write(ByteBuffer(bytes: data))
                    position += Int64(data.count)
                }
                try await writer.finish(nil)
            }
            return Response(status: range == nil ? .ok : .partialContent, headers: headers, body: body)
        }
    }

    static func info(_ stored: StoredAttachment) -> AttachmentInfo {
        AttachmentInfo(sha256: stored.sha256, size: stored.size, mediaType: stored.mediaType)
    }

    static func offsetHeader(_ offset: Int64) -> HTTPFields {
        var headers = HTTPFields()
        headers[.uploadOffset] = String(offset)
        return headers
    }

    /// A header holding a number of bytes (nil when absent); 400 when it is not a whole number from 0.
    static func byteCount(_ text: String?, _ name: String) throws -> Int64? {
        guard let text else { return nil }
        guard let value = Int64(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
            throw CRMError(.malformed, "\(name) is a whole number of bytes", field: name)
        }
        return value
    }

    /// The bytes a `Range: bytes=N-` or `bytes=N-M` asks for (M past the end is the end); nil without a range or
    /// for forms this server does not serve (suffix and multiple ranges get the whole content, as RFC 9110
    /// allows); 416 for a start at or past the end.
    static func range(_ header: String?, size: Int64) throws -> ClosedRange<Int64>? {
        guard let header, header.lowercased().hasPrefix("bytes=") else { return nil }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-"), let start = Int64(spec[..<dash]) else {
            return nil
        }
        let endText = spec[spec.index(after: dash)...]
        let end = endText.isEmpty ? size - 1 : Int64(endText).map { min($0, size - 1) }
        guard let end, end >= start || start >= size else { return nil }
        guard start < size else {
            throw CRMError(
                .rangeNotSatisfiable(size: size), "the content is \(size) bytes; the range starts at byte \(start)",
                field: "Range")
        }
        return start...end
    }
}

extension HTTPField.Name {
    /// `Upload-Offset`: where a PUT's body starts; in answers, the bytes held of the caller's upload.
    static let uploadOffset = Self(AttachmentHeader.uploadOffset)!
    /// `Upload-Length`: the whole size of the content being uploaded.
    static let uploadLength = Self(AttachmentHeader.uploadLength)!
}
