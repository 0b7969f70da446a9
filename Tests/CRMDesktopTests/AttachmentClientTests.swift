import CRMDesktop
import CRMModel
import CRMServer
import CRMStore
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// The desktop's client of the attachment routes against a real test server: uploads streamed from files and
/// resumed from the server's offset, downloads streamed to `.partial` files, resumed with `Range`, checked
/// against the hash and renamed into place.
@Suite struct AttachmentClientTests {
    /// `count` bytes that differ with `seed`.
    static func content(_ count: Int, seed: UInt64 = 1) -> Data {
        var state = seed &* 0x9e37_79b9_7f4a_7c15
        return Data(
            (0..<count).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 33)
            })
    }

    /// Runs `body` with a client, a token of maria's and a folder for files.
    static func withClient(
        _ body: @Sendable (TestServer, TestAPI, ServerClient, String, TemporaryDirectory) async throws -> Void
    ) async throws {
        let server = try await TestServer.make()
        let folder = try TemporaryDirectory(prefix: "crm-attachments")
        defer { folder.remove() }
        try await server.run { api in
            let client = ServerClient(baseURL: api.baseURL)
            let token = try await client.login(LoginRequest(username: "maria", password: TestServer.password)).token
            try await body(server, api, client, token, folder)
        }
    }

    /// Writes `data` to a file in `folder` and returns its URL.
    static func file(_ data: Data, _ name: String, in folder: TemporaryDirectory) throws -> URL {
        let url = URL(fileURLWithPath: folder.path(name))
        try data.write(to: url)
        return url
    }

    /// Lists the content on an activity of maria's, so she may download it.
    static func list(_ sha: String, size: Int, api: TestAPI) async throws {
        let ref = AttachmentRef(sha256: sha, name: "file.pdf", mediaType: "application/pdf", size: size)
        _ = try await api.create(
            "Activity", ["subject": "Files", "display": "email", "attachments": AttachmentRef.value([ref])],
            token: try await api.login("maria"))
    }

    @Test func fileUploadedFromDiskDownloadsToAPathByteIdentical() async throws {
        try await Self.withClient { _, api, client, token, folder in
            let data = Self.content(700_000)
            let sha = SHA256Digest.hex(of: data)
            let source = try Self.file(data, "offer.pdf", in: folder)
            #expect(
                try await client.attachmentState(sha256: sha, token: token) == AttachmentState(stored: false, offset: 0)
            )
            try await client.uploadAttachment(file: source, sha256: sha, mediaType: "application/pdf", token: token)
            #expect(try await client.attachmentState(sha256: sha, token: token).stored)
            // Stored content is not sent again.
            try await client.uploadAttachment(file: source, sha256: sha, mediaType: "application/pdf", token: token)

            try await Self.list(sha, size: data.count, api: api)
            let destination = URL(fileURLWithPath: folder.path("copy.pdf"))
            try await client.downloadAttachment(sha256: sha, to: destination, token: token)
            #expect(try Data(contentsOf: destination) == data)
            #expect(!FileManager.default.fileExists(atPath: destination.path + ".partial"))
        }
    }

    @Test func uploadResumesFromWhatTheServerHolds() async throws {
        try await Self.withClient { server, api, client, token, folder in
            let data = Self.content(600_000, seed: 2)
            let sha = SHA256Digest.hex(of: data)
            // What an upload cut after 300,000 bytes leaves on the server.
            _ = try await server.store.startUpload(
                sha256: sha, user: "maria", length: 600_000, mediaType: "application/pdf", at: Date())
            _ = try await server.store.appendUpload(
                sha256: sha, user: "maria", offset: 0, bytes: data[0..<300_000], at: Date())
            #expect(
                try await client.attachmentState(sha256: sha, token: token)
                    == AttachmentState(stored: false, offset: 300_000))

            let source = try Self.file(data, "slides.pdf", in: folder)
            try await client.uploadAttachment(file: source, sha256: sha, mediaType: "application/pdf", token: token)
            #expect(try await client.attachmentState(sha256: sha, token: token).stored)
            try await Self.list(sha, size: data.count, api: api)
            let destination = URL(fileURLWithPath: folder.path("back.pdf"))
            try await client.downloadAttachment(sha256: sha, to: destination, token: token)
            #expect(try Data(contentsOf: destination) == data)
        }
    }

    @Test func partialDownloadResumesFromItsSize() async throws {
        try await Self.withClient { _, api, client, token, folder in
            let data = Self.content(500_000, seed: 3)
            let sha = SHA256Digest.hex(of: data)
            try await client.uploadAttachment(
                file: try Self.file(data, "a.pdf", in: folder), sha256: sha, mediaType: "application/pdf", token: token)
            try await Self.list(sha, size: data.count, api: api)

            let destination = URL(fileURLWithPath: folder.path("resumed.pdf"))
            try data[0..<123_456].write(to: URL(fileURLWithPath: destination.path + ".partial"))
            try await client.downloadAttachment(sha256: sha, to: destination, token: token)
            #expect(try Data(contentsOf: destination) == data)

            // A partial file that already holds everything (the rename was all that was left) is checked and kept.
            let complete = URL(fileURLWithPath: folder.path("complete.pdf"))
            try data.write(to: URL(fileURLWithPath: complete.path + ".partial"))
            try await client.downloadAttachment(sha256: sha, to: complete, token: token)
            #expect(try Data(contentsOf: complete) == data)
        }
    }

    @Test func corruptPartialDownloadIsDeletedAndNamedThenFetchedAgain() async throws {
        try await Self.withClient { _, api, client, token, folder in
            let data = Self.content(400_000, seed: 4)
            let sha = SHA256Digest.hex(of: data)
            try await client.uploadAttachment(
                file: try Self.file(data, "b.pdf", in: folder), sha256: sha, mediaType: "application/pdf", token: token)
            try await Self.list(sha, size: data.count, api: api)

            // A damaged beginning: the resumed download brings the right rest, and the whole does not hash right.
            let destination = URL(fileURLWithPath: folder.path("damaged.pdf"))
            let partial = destination.path + ".partial"
            try Self.content(200_000, seed: 99).write(to: URL(fileURLWithPath: partial))
            let error = await #expect(throws: DesktopError.self) {
                try await client.downloadAttachment(sha256: sha, to: destination, token: token)
            }
            #expect(error?.message.contains("damaged.pdf") == true, "\(String(describing: error))")
            #expect(!FileManager.default.fileExists(atPath: partial))
            #expect(!FileManager.default.fileExists(atPath: destination.path))

            try await client.downloadAttachment(sha256: sha, to: destination, token: token)
            #expect(try Data(contentsOf: destination) == data)
        }
    }

    @Test func refusalsBecomeDesktopErrorsWithTheServersCode() async throws {
        try await Self.withClient { _, _, client, token, folder in
            let data = Self.content(1000, seed: 5)
            let sha = SHA256Digest.hex(of: data)
            let source = try Self.file(data, "c.pdf", in: folder)
            try await client.uploadAttachment(file: source, sha256: sha, mediaType: "application/pdf", token: token)
            // Stored, but no record lists it: not found for the client as for anyone.
            let hidden = await #expect(throws: DesktopError.self) {
                try await client.downloadAttachment(
                    sha256: sha, to: URL(fileURLWithPath: folder.path("x")), token: token)
            }
            #expect(hidden?.status == 404)
            #expect(hidden?.serverCode == "not-found")

            let wrong = SHA256Digest.hex(of: Data("something else".utf8))
            let mismatch = await #expect(throws: DesktopError.self) {
                try await client.uploadAttachment(
                    file: source, sha256: wrong, mediaType: "application/pdf", token: token)
            }
            #expect(mismatch?.status == 422)
            #expect(mismatch?.field == "sha256")

            let large = try Self.file(Data(count: 5 * 1024 * 1024 + 1), "large.bin", in: folder)
            let tooLarge = await #expect(throws: DesktopError.self) {
                try await client.uploadAttachment(
                    file: large, sha256: wrong, mediaType: "application/octet-stream", token: token)
            }
            #expect(tooLarge?.status == 413)
            #expect(tooLarge?.message.contains("5 MB") == true)
        }
    }

    @Test func profileNamesTheUsersOwnAddresses() async throws {
        try await Self.withClient { _, _, client, token, _ in
            let profile = try await client.profile(token: token)
            #expect(profile == UserProfile(name: "maria", role: "sales-manager", emails: ["maria@example.com"]))
        }
    }
}
