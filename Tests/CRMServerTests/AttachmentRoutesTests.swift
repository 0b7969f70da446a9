import CRMModel
import CRMServer
import CRMStore
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `/api/v1/attachments/{sha256}` over loopback on a real SQLite file: resumable, deduplicated uploads within the
/// package's limits, downloads only for users who may see a record listing the content, and record writes
/// (REST and sync push) refused when they name content that was never uploaded.
@Suite struct AttachmentRoutesTests {
    /// `count` bytes that differ with `seed`.
    static func content(_ count: Int, seed: UInt64 = 1) -> Data {
        var state = seed &* 0x9e37_79b9_7f4a_7c15
        return Data(
            (0..<count).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 33)
            })
    }

    static func path(_ sha: String) -> String { "/api/v1/attachments/\(sha)" }

    /// A PUT of `body` (all of it unless a part is given) announcing `length` bytes from `offset`.
    static func put(
        _ api: TestAPI, _ sha: String, _ body: Data, token: String, mediaType: String = "application/pdf",
        length: Int? = nil, offset: Int = 0
    ) async throws -> Answer {
        var headers: HTTPFields = [.contentType: mediaType, .authorization: "Bearer \(token)"]
        headers[HTTPField.Name(AttachmentHeader.uploadLength)!] = String(length ?? offset + body.count)
        headers[HTTPField.Name(AttachmentHeader.uploadOffset)!] = String(offset)
        let response = try await api.client.executeRequest(
            uri: path(sha), method: .put, headers: headers, body: ByteBuffer(bytes: body))
        return Answer(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// An answer to a binary request: status, headers and the body as text.
    struct Answer {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let text: String

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try CRMJSON.decoder().decode(T.self, from: Data(text.utf8))
        }

        var errorField: String? {
            let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
            return (json?["error"] as? [String: Any])?["field"] as? String
        }
    }

    /// A GET of the content: status, headers and the bytes.
    static func get(_ api: TestAPI, _ sha: String, token: String, range: String? = nil) async throws
        -> (status: HTTPResponse.Status, headers: HTTPFields, body: Data)
    {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if let range { headers[.range] = range }
        let response = try await api.client.executeRequest(uri: path(sha), method: .get, headers: headers, body: nil)
        return (response.status, response.headers, Data(response.body.readableBytesView))
    }

    /// The `Upload-Offset` a HEAD answers, or nil when the content is stored.
    static func heldOffset(_ api: TestAPI, _ sha: String, token: String) async throws -> Int? {
        let reply = try await api.send(.head, path(sha), token: token)
        if reply.status == .ok { return nil }
        #expect(reply.status == .notFound)
        return reply.headers[HTTPField.Name(AttachmentHeader.uploadOffset)!].flatMap { Int($0) }
    }

    static func listing(_ sha: String, size: Int, name: String = "offer.pdf") -> FieldValue {
        AttachmentRef.value([AttachmentRef(sha256: sha, name: name, mediaType: "application/pdf", size: size)])
    }

    /// The default package again with `change` made to its YAML, published as version 2 for every role.
    static func publishVariant(_ server: TestServer, _ change: (String) -> String) async throws {
        let yaml = change(try DefaultPackage.yaml()).replacingOccurrences(of: "\nversion: 1\n", with: "\nversion: 2\n")
        try await PackageService(store: server.store).publish(yaml: yaml, file: "variant.yaml")
    }

    @Test func uploadedFileListedOnAnActivityDownloadsByteIdentical() async throws {
        try await TestServer.make().run { api in
            let maria = try await api.login("maria")
            let data = Self.content(700_000)
            let sha = SHA256Digest.hex(of: data)
            let uploaded = try await Self.put(api, sha, data, token: maria)
            #expect(uploaded.status == .created, "\(uploaded.text)")
            #expect(
                try uploaded.decode(AttachmentInfo.self)
                    == AttachmentInfo(sha256: sha, size: 700_000, mediaType: "application/pdf"))
            let head = try await api.send(.head, Self.path(sha), token: maria)
            #expect(head.status == .ok)
            #expect(head.headers[.contentLength] == "700000")

            // Stored but listed by no record: nobody may read it yet, not even the uploader.
            #expect(try await Self.get(api, sha, token: maria).status == .notFound)
            _ = try await api.create(
                "Activity", ["subject": "Offer", "display": "email", "attachments": Self.listing(sha, size: 700_000)],
                token: maria)
            let download = try await Self.get(api, sha, token: maria)
            #expect(download.status == .ok)
            #expect(download.body == data)
            #expect(download.headers[.contentType] == "application/pdf")
            #expect(download.headers[.contentLength] == "700000")
            #expect(download.headers[.eTag] == "\"\(sha)\"")
        }
    }

    /// Content is deduplicated across users, but knowing its hash proves nothing: for a second user it is stored
    /// only once they sent all of it (which is hashed and then dropped, not stored twice); until then HEAD, PUT and
    /// a record listing it answer as for content never uploaded.
    @Test func aSecondUserSendsStoredContentWholeBeforeItCountsAsTheirs() async throws {
        try await TestServer.make().run { api in
            let data = Self.content(1000)
            let sha = SHA256Digest.hex(of: data)
            #expect(try await Self.put(api, sha, data, token: try await api.login("rita")).status == .created)
            let peter = try await api.login("peter")
            #expect(try await Self.heldOffset(api, sha, token: peter) == 0)
            let empty = try await Self.put(api, sha, Data(), token: peter, length: 1000)
            #expect(empty.status == .accepted, "\(empty.text)")
            let listed = try await api.send(
                .post, "/api/v1/records/Activity", token: peter,
                json: RecordWrite(fields: ["subject": "x", "display": "email", "attachments": Self.listing(sha, size: 1000)]))
            #expect(listed.status == .unprocessableContent, "\(listed.text)")
            #expect(listed.text.contains("has not been uploaded"), "\(listed.text)")

            let whole = try await Self.put(api, sha, data, token: peter)
            #expect(whole.status == .created, "\(whole.text)")
            #expect(try whole.decode(AttachmentInfo.self).size == 1000)
            #expect(try await Self.heldOffset(api, sha, token: peter) == nil)
            let again = try await Self.put(api, sha, Data(), token: peter, length: 1000)
            #expect(again.status == .ok, "\(again.text)")
            _ = try await api.create(
                "Activity", ["subject": "Peter's copy", "display": "email", "attachments": Self.listing(sha, size: 1000)],
                token: peter)
            #expect(try await Self.get(api, sha, token: peter).body == data)
        }
    }

    @Test func contentIsReadableOnlyThroughARecordTheCallerMaySee() async throws {
        try await TestServer.make().run { api in
            let rita = try await api.login("rita")
            let peter = try await api.login("peter")
            let data = Self.content(5000, seed: 7)
            let sha = SHA256Digest.hex(of: data)
            #expect(try await Self.put(api, sha, data, token: rita).status == .created)
            let activity = try await api.create(
                "Activity",
                ["subject": "Rita's call", "display": "email", "attachments": Self.listing(sha, size: 5000)],
                token: rita)
            #expect(try await Self.get(api, sha, token: rita).body == data)
            // peter (personal visibility) sees no record listing it: the same 404 as for content never stored.
            let hidden = try await Self.get(api, sha, token: peter)
            let never = try await Self.get(api, SHA256Digest.hex(of: Data("never".utf8)), token: peter)
            #expect(hidden.status == .notFound)
            #expect(never.status == .notFound)
            // On the record's team, he may.
            let team = try await api.send(
                .patch, "/api/v1/records/Activity/\(activity.id)", token: rita,
                json: RecordWrite(fields: [:], team: ["peter"]))
            #expect(team.status == .ok, "\(team.text)")
            #expect(try await Self.get(api, sha, token: peter).body == data)
            // Once the record is deleted, nobody may.
            #expect(try await api.send(.delete, "/api/v1/records/Activity/\(activity.id)", token: rita).status == .ok)
            #expect(try await Self.get(api, sha, token: rita).status == .notFound)
        }
    }

    @Test func partialUploadResumesFromTheServersOffset() async throws {
        try await TestServer.make().run { api in
            let maria = try await api.login("maria")
            let data = Self.content(900_000, seed: 3)
            let sha = SHA256Digest.hex(of: data)
            let first = try await Self.put(api, sha, data[0..<400_000], token: maria, length: data.count)
            #expect(first.status == .accepted, "\(first.text)")
            #expect(try first.decode(AttachmentUploadProgress.self).offset == 400_000)
            #expect(try await Self.heldOffset(api, sha, token: maria) == 400_000)
            // Another user's upload of the same content starts from nothing.
            #expect(try await Self.heldOffset(api, sha, token: try await api.login("rita")) == 0)

            let wrong = try await Self.put(
                api, sha, data[300_000...], token: maria, length: data.count, offset: 300_000)
            #expect(wrong.status == .conflict)
            #expect(wrong.headers[HTTPField.Name(AttachmentHeader.uploadOffset)!] == "400000")

            let rest = try await Self.put(api, sha, data[400_000...], token: maria, length: data.count, offset: 400_000)
            #expect(rest.status == .created, "\(rest.text)")
            _ = try await api.create(
                "Activity",
                ["subject": "Big file", "display": "email", "attachments": Self.listing(sha, size: data.count)],
                token: maria)
            #expect(try await Self.get(api, sha, token: maria).body == data)
        }
    }

    @Test func uploadCutByTheConnectionKeepsWhatArrived() async throws {
        try await TestServer.make().run { api in
            let maria = try await api.login("maria")
            let data = Self.content(1_000_000, seed: 4)
            let sha = SHA256Digest.hex(of: data)
            let socket = try RawConnection(port: try #require(api.client.port))
            try socket.send(
                "PUT \(Self.path(sha)) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(maria)\r\n"
                    + "Content-Type: application/pdf\r\nUpload-Length: 1000000\r\nContent-Length: 1000000\r\n\r\n")
            try socket.send(data[0..<600_000])
            // Rows are appended as they arrive, before the body ends.
            #expect(try await Self.waitForOffset(api, sha, token: maria) { $0 >= 2 * StoredAttachment.chunkSize })
            socket.close()
            #expect(try await Self.waitForOffset(api, sha, token: maria) { $0 == 600_000 })
            let rest = try await Self.put(api, sha, data[600_000...], token: maria, length: data.count, offset: 600_000)
            #expect(rest.status == .created, "\(rest.text)")
        }
    }

    /// Polls HEAD until the held offset satisfies `condition` (at most 5 s).
    static func waitForOffset(_ api: TestAPI, _ sha: String, token: String, _ condition: (Int) -> Bool) async throws
        -> Bool
    {
        for _ in 0..<100 {
            if let offset = try await heldOffset(api, sha, token: token), condition(offset) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test func contentThatDoesNotHashToItsNameIsRefusedAndDiscarded() async throws {
        try await TestServer.make().run { api in
            let maria = try await api.login("maria")
            let claimed = SHA256Digest.hex(of: Self.content(2000, seed: 1))
            let reply = try await Self.put(api, claimed, Self.content(2000, seed: 2), token: maria)
            #expect(reply.status == .unprocessableContent)
            #expect(reply.errorField == "sha256")
            #expect(try await Self.heldOffset(api, claimed, token: maria) == 0)
        }
    }

    @Test func limitsOfThePackageRefuseUploadsBeforeReadingThem() async throws {
        let server = try await TestServer.make()
        try await Self.publishVariant(server) { yaml in
            // Every attachments field takes PDFs and images only, and a sales rep's role sees none of them.
            yaml.replacingOccurrences(
                of: "fileTypes: [image/*, text/*, application/pdf, application/zip, application/json, message/rfc822]",
                with: "fileTypes: [application/pdf, image/*]"
            ).replacingOccurrences(
                of: "{kind: attachments, label: Attachments, maxFileSize: 5242880}",
                with: "{kind: attachments, label: Attachments, maxFileSize: 5242880, "
                    + "fileTypes: [application/pdf, image/*]}"
            ).replacingOccurrences(
                of: "    readOnlyFields:\n      Opportunity: [probability]",
                with: "    hiddenFields:\n" + ["Account", "Contact", "Opportunity", "ServiceRequest", "Activity", "Note"]
                    .map { "      \($0): [attachments]\n" }.joined()
                    + "    readOnlyFields:\n      Opportunity: [probability]"
            )
        }
        try await server.run { api in
            let maria = try await api.login("maria")
            let sha = SHA256Digest.hex(of: Data("x".utf8))
            let large = try await Self.put(api, sha, Data(), token: maria, length: 5_242_881)
            #expect(large.status == .contentTooLarge)
            #expect(large.text.contains("5242880 bytes") && large.text.contains("5 MB"), "\(large.text)")
            let text = try await Self.put(api, sha, Data("x".utf8), token: maria, mediaType: "text/plain")
            #expect(text.status == .unsupportedMediaType)
            #expect(text.text.contains("application/pdf, image/*"), "\(text.text)")
            let image = try await Self.put(api, sha, Data("x".utf8), token: maria, mediaType: "image/png")
            #expect(image.status == .created, "\(image.text)")
            // A sales rep's role hides the only attachments field: nothing to attach to, so no uploads.
            let rita = try await Self.put(api, sha, Data("x".utf8), token: try await api.login("rita"))
            #expect(rita.status == .forbidden)
            let malformed = try await Self.put(api, "not-a-hash", Data("x".utf8), token: maria)
            #expect(malformed.status == .badRequest)
        }
    }

    @Test func recordWritesNamingContentNeverUploadedAreRefusedOnTheField() async throws {
        try await TestServer.make().run { api in
            let maria = try await api.login("maria")
            let data = Self.content(3000)
            let sha = SHA256Digest.hex(of: data)
            let missing = SHA256Digest.hex(of: Data("missing".utf8))
            let fields: [String: FieldValue] = ["subject": "Call", "display": "email"]
            var write = fields
            write["attachments"] = Self.listing(missing, size: 7, name: "gone.pdf")
            let refused = try await api.send(
                .post, "/api/v1/records/Activity", token: maria, json: RecordWrite(fields: write))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.issueFields == ["attachments"])
            #expect(
                refused.text.contains("gone.pdf has not been uploaded (sha256 \(missing.prefix(12))…)"),
                "\(refused.text)")

            #expect(try await Self.put(api, sha, data, token: maria).status == .created)
            write["attachments"] = Self.listing(sha, size: 2999)
            let wrongSize = try await api.send(
                .post, "/api/v1/records/Activity", token: maria, json: RecordWrite(fields: write))
            #expect(wrongSize.status == .unprocessableContent)
            #expect(wrongSize.issueFields == ["attachments"])
            write["attachments"] = Self.listing(sha, size: 3000)
            let activity = try await api.create("Activity", write, token: maria)

            // An update adding missing content is refused; one keeping what is listed passes.
            let both = AttachmentRef.value(
                AttachmentRef.list(Self.listing(sha, size: 3000))
                    + AttachmentRef.list(Self.listing(missing, size: 7, name: "gone.pdf")))
            let adding = try await api.send(
                .patch, "/api/v1/records/Activity/\(activity.id)", token: maria,
                json: RecordWrite(fields: ["attachments": both]))
            #expect(adding.issueFields == ["attachments"])
            let keeping = try await api.send(
                .patch, "/api/v1/records/Activity/\(activity.id)", token: maria,
                json: RecordWrite(fields: [
                    "subject": "Call back", "attachments": Self.listing(sha, size: 3000, name: "renamed.pdf"),
                ]))
            #expect(keeping.status == .ok, "\(keeping.text)")

            // A sync push goes through the same check.
            var desktop = try await TestDesktop.connect(api, "maria")
            try await desktop.begin()
            var pushed = fields
            pushed["attachments"] = Self.listing(missing, size: 7, name: "gone.pdf")
            let results = try await desktop.push([
                SyncOp(
                    opId: TestDesktop.opID(), kind: .create, type: "Activity", id: RecordID.make(), fields: pushed,
                    editedAt: Date()),
                SyncOp(
                    opId: TestDesktop.opID(), kind: .update, type: "Activity", id: activity.id, baseVersion: 2,
                    fields: ["attachments": both], editedAt: Date()),
            ])
            #expect(results.map(\.status) == [.rejected, .rejected])
            #expect(results.map { $0.issues?.map(\.field) ?? [] } == [["attachments"], ["attachments"]])
            #expect(results.first?.message?.contains("has not been uploaded") == true)
        }
    }

    @Test func rangeDownloadResumesFromTheByteAskedFor() async throws {
        try await TestServer.make().run { api in
            let maria = try await api.login("maria")
            let data = Self.content(600_000, seed: 9)
            let sha = SHA256Digest.hex(of: data)
            #expect(try await Self.put(api, sha, data, token: maria).status == .created)
            _ = try await api.create(
                "Activity",
                ["subject": "Slides", "display": "email", "attachments": Self.listing(sha, size: data.count)],
                token: maria)
            let tail = try await Self.get(api, sha, token: maria, range: "bytes=250000-")
            #expect(tail.status == .partialContent)
            #expect(tail.headers[.contentRange] == "bytes 250000-599999/600000")
            #expect(tail.body == data[250_000...])
            let middle = try await Self.get(api, sha, token: maria, range: "bytes=10-19")
            #expect(middle.body == data[10..<20])
            let past = try await Self.get(api, sha, token: maria, range: "bytes=600000-")
            #expect(past.status == .rangeNotSatisfiable)
            #expect(past.headers[.contentRange] == "bytes */600000")
        }
    }

    @Test func meAnswersTheCallersProfile() async throws {
        try await TestServer.make().run { api in
            let rita = try await api.send(.get, "/api/v1/me", token: try await api.login("rita"))
            #expect(
                try rita.decode(UserProfile.self)
                    == UserProfile(name: "rita", role: "sales-rep", emails: ["rita@example.com"], manager: "maria"))
            let peter = try await api.send(.get, "/api/v1/me", token: try await api.login("peter"))
            #expect(peter.json.keys.contains("manager"))
            #expect(try peter.decode(UserProfile.self).manager == nil)
            #expect(try await api.send(.get, "/api/v1/me").status == .unauthorized)
            #expect(try await api.send(.head, Self.path(String(repeating: "a", count: 64))).status == .unauthorized)
        }
    }
}

/// A plain TCP connection to the test server, to send part of a request and drop it as a dying client would.
struct RawConnection {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard descriptor >= 0, connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    func send(_ text: String) throws { try send(Data(text.utf8)) }

    func send(_ data: Data) throws {
        try data.withUnsafeBytes { buffer in
            var sent = 0
            while sent < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + sent, buffer.count - sent)
                guard count > 0 else { throw POSIXError(.EPIPE) }
                sent += count
            }
        }
    }

    func close() { _ = Glibc.close(descriptor) }
}
