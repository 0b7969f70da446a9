import AsyncHTTPClient
import Crypto
import CRMModel
import CRMSyncProtocol
import Foundation
import NIOCore
import NIOFoundationCompat

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the server stores some content, and otherwise how many bytes of the caller's upload of it it holds.
public struct AttachmentState: Sendable, Equatable {
    public var stored: Bool
    /// Where an upload resumes (0 when stored or never started).
    public var offset: Int64

    public init(stored: Bool, offset: Int64) {
        self.stored = stored
        self.offset = offset
    }
}

extension ServerClient {
    /// How long one upload or download may take in all: AsyncHTTPClient's deadline covers the whole exchange,
    /// so a large file on a slow line needs more than an ordinary request.
    static let transferTimeout: TimeAmount = .minutes(30)

    /// The caller's profile (`GET /api/v1/me`): name, role, manager and own email addresses.
    public func profile(token: String) async throws -> UserProfile {
        try await get("/api/v1/me", token: token)
    }

    /// `HEAD /api/v1/attachments/{sha256}`: stored, or the offset where the caller's upload resumes.
    public func attachmentState(sha256: String, token: String) async throws -> AttachmentState {
        let path = Self.attachmentPath(sha256)
        var request = request(path, query: [], token: token)
        request.method = .HEAD
        let (status, offset, _) = try await exchange(request, route: "HEAD \(path)", timeout: timeout)
        switch status {
        case 200: return AttachmentState(stored: true, offset: 0)
        case 404: return AttachmentState(stored: false, offset: offset ?? 0)
        default:
            // An answer to HEAD has no body: the status says what went wrong.
            throw DesktopError(.refused, "the server answered HEAD \(path) with \(status)", status: status)
        }
    }

    /// Uploads `file` as the content named `sha256` (`PUT /api/v1/attachments/{sha256}`): nothing is sent when the
    /// server stores it already, an upload cut before resumes from what the server holds, and the file is
    /// streamed from disk in 256 KiB pieces. The server checks the hash and refuses content that does not match.
    /// Returns whether anything was sent (false: the server had the content, from anyone).
    @discardableResult
    public func uploadAttachment(file: URL, sha256: String, mediaType: String, token: String) async throws -> Bool {
        let size = try Self.fileSize(file)
        let state = try await attachmentState(sha256: sha256, token: token)
        if state.stored { return false }
        var offset = state.offset <= size ? state.offset : 0
        let path = Self.attachmentPath(sha256)
        for _ in 0..<3 {
            var request = request(path, query: [], token: token)
            request.method = .PUT
            request.headers.replaceOrAdd(name: "Content-Type", value: mediaType)
            request.headers.replaceOrAdd(name: AttachmentHeader.uploadLength, value: String(size))
            request.headers.replaceOrAdd(name: AttachmentHeader.uploadOffset, value: String(offset))
            request.body = .stream(FileChunks(file: file, from: offset, to: size), length: .known(size - offset))
            let (status, heldOffset, body) = try await exchange(
                request, route: "PUT \(path)", timeout: Self.transferTimeout)
            let answer = ServerAnswer(route: "PUT \(path)", status: status, body: body)
            switch status {
            case 200, 201: return true
            case 409 where heldOffset != nil:
                // The server holds another part of this upload than it said (a concurrent upload): go on from there.
                offset = heldOffset ?? 0
                if offset > size { offset = 0 }
            case 202:
                throw DesktopError(
                    .invalidInput, "\(file.path) changed while it was uploaded; attach it again", field: file.path)
            default:
                throw answer.refusal()
            }
        }
        throw DesktopError(.refused, "the upload of \(file.lastPathComponent) kept losing its place; try again later")
    }

    /// Downloads the content named `sha256` to `destination` (`GET /api/v1/attachments/{sha256}`): streamed to
    /// `destination.partial`, resumed from that file's size with `Range`, checked against the hash, then renamed
    /// into place. Content that does not hash to its name is deleted and reported, never kept.
    public func downloadAttachment(sha256: String, to destination: URL, token: String) async throws {
        let partial = destination.appendingPathExtension("partial")
        let held = (try? Self.fileSize(partial)) ?? 0
        let path = Self.attachmentPath(sha256)
        let route = "GET \(path)"
        var request = request(path, query: [], token: token)
        request.method = .GET
        request.headers.replaceOrAdd(name: "Accept", value: "*/*")
        if held > 0 { request.headers.replaceOrAdd(name: "Range", value: "bytes=\(held)-") }
        let deadline = NIODeadline.now() + Self.transferTimeout
        do {
            let response = try await httpClient.execute(request, deadline: deadline)
            let status = Int(response.status.code)
            switch status {
            case 200, 206:
                let resumeAt = status == 206 ? held : 0
                if status == 206, response.headers.first(name: "Content-Range")?.hasPrefix("bytes \(held)-") != true {
                    throw DesktopError(.badAnswer, "the server answered \(route) with another range than asked for")
                }
                try await Self.write(response.body, to: partial, at: resumeAt)
            case 416 where held > 0:
                break  // The partial file holds the whole content already (or more): the check below decides.
            default:
                let body = try await response.body.collect(upTo: Self.maxAnswerBytes)
                throw ServerAnswer(route: route, status: status, body: Data(buffer: body)).refusal()
            }
        } catch let error as DesktopError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw ServerAnswer.unreachable(baseURL, error, timeout: Self.transferTimeout)
        }
        let actual = try Self.sha256(of: partial)
        guard actual == sha256.lowercased() else {
            unlink(partial.path)
            throw DesktopError(
                .badAnswer,
                "the download of \(destination.lastPathComponent) did not match its SHA-256 (it hashed to "
                    + "\(actual.prefix(12))…); it was deleted and will be fetched again", field: destination.path)
        }
        guard rename(partial.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            throw DesktopError(.invalidInput, "cannot move the download into \(destination.path): \(reason)")
        }
    }

    // MARK: - Transfers

    static func attachmentPath(_ sha256: String) -> String { "/api/v1/attachments/\(segment(sha256))" }

    /// Sends a request and reads the status, the `Upload-Offset` header and the whole (small) answer; transport
    /// failures as `send` maps them.
    func exchange(_ request: HTTPClientRequest, route: String, timeout: TimeAmount) async throws
        -> (status: Int, uploadOffset: Int64?, body: Data)
    {
        do {
            let response = try await httpClient.execute(request, deadline: .now() + timeout)
            let body = try await response.body.collect(upTo: Self.maxAnswerBytes)
            let offset = response.headers.first(name: AttachmentHeader.uploadOffset).flatMap { Int64($0) }
            return (Int(response.status.code), offset, Data(buffer: body))
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw ServerAnswer.unreachable(baseURL, error, timeout: timeout)
        }
    }

    /// Writes a response body into `file` from byte `offset` (truncating what lies after it), synced to disk.
    static func write(_ body: HTTPClientResponse.Body, to file: URL, at offset: Int64) async throws {
        if !FileManager.default.fileExists(atPath: file.path) {
            guard
                FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600])
            else {
                throw DesktopError(.invalidInput, "cannot create \(file.path): \(String(cString: strerror(errno)))")
            }
        }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.truncate(atOffset: UInt64(offset))
        try handle.seek(toOffset: UInt64(offset))
        for try await buffer in body {
            do {
                try handle.write(contentsOf: Data(buffer: buffer))
            } catch {
                let full = (error as NSError).code == Int(ENOSPC) || errno == ENOSPC
                throw DesktopError(full ? .diskFull : .invalidInput, "cannot write \(file.path): \(error)")
            }
        }
        try handle.synchronize()
    }

    /// The SHA-256 of a file, read 256 KiB at a time.
    static func sha256(of file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var digest = SHA256()
        while let chunk = try handle.read(upToCount: FileChunks.pieceSize), !chunk.isEmpty {
            digest.update(data: chunk)
        }
        return digest.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func fileSize(_ file: URL) throws -> Int64 {
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            return (attributes[.size] as? NSNumber)?.int64Value ?? 0
        } catch {
            throw DesktopError(
                .invalidInput, "cannot read \(file.path): \(error.localizedDescription)", field: file.path)
        }
    }
}

/// A file's bytes from one offset to another as an async sequence of 256 KiB buffers, read as the upload asks
/// for them, so a file of any size goes out without being held in memory.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    static let pieceSize = 256 * 1024

    let file: URL
    let from: Int64
    let to: Int64

    struct AsyncIterator: AsyncIteratorProtocol {
        let file: URL
        var position: Int64
        let end: Int64
        var handle: FileHandle?

        mutating func next() async throws -> ByteBuffer? {
            guard position < end else {
                try handle?.close()
                handle = nil
                return nil
            }
            if handle == nil {
                let opened = try FileHandle(forReadingFrom: file)
                try opened.seek(toOffset: UInt64(position))
                handle = opened
            }
            let wanted = Int(Swift.min(Int64(FileChunks.pieceSize), end - position))
            guard let data = try handle?.read(upToCount: wanted), !data.isEmpty else {
                throw DesktopError(.invalidInput, "\(file.path) ended at byte \(position) while it was uploaded")
            }
            position += Int64(data.count)
            return ByteBuffer(data: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(file: file, position: from, end: to, handle: nil)
    }
}
