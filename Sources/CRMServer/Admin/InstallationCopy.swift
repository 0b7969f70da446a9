import CRMModel
import CRMStore
import Foundation

/// Moves a whole installation from one store into an empty one (`crm-server copy`): users with their password
/// hashes, sessions, devices and refresh tokens, packages and role assignments, every record with its sequence
/// number and field stamps (tombstones and conflicts included), op results, the sync log and attachment
/// content, streamed a row at a time. The target then gets a new epoch, so every desktop's cursor is answered
/// with a reset and the desktop rebuilds its replica (keeping its outbox), and the copy is verified.
///
/// The source should not be written meanwhile (stop its servers): records are read by sequence number, and a
/// record changed during the copy would be read twice.
public struct InstallationCopy: Sendable {
    public let source: any InstallationTransfer
    public let target: any InstallationTransfer
    /// Rows per page for everything but records.
    public var pageSize: Int
    /// Records per import transaction, so no transaction holds the whole load.
    public var recordChunk: Int
    /// Told what is being copied, a line at a time.
    public var progress: @Sendable (String) -> Void

    public init(
        from source: any InstallationTransfer, to target: any InstallationTransfer, pageSize: Int = 1_000,
        recordChunk: Int = 5_000, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.source = source
        self.target = target
        self.pageSize = max(1, pageSize)
        self.recordChunk = max(1, recordChunk)
        self.progress = progress
    }

    /// What a copy did: the counts on both sides (equal once verified) and the target's new sync facts.
    public struct Report: Sendable {
        public var source: InstallationCounts
        public var target: InstallationCounts
        public var epoch: String
        public var lastSequence: Int64
    }

    /// Copies, renews the target's epoch and verifies; refuses a target that holds anything.
    public func run() async throws -> Report {
        let held = try await target.installationCounts()
        guard held.isEmpty else { throw InstallationCopyError.targetNotEmpty(held) }
        let sourceMeta = try await source.syncMeta()
        try await copyAccounts()
        let lastSequence = try await copyRecords()
        try await copySyncLog()
        try await copyAttachments()
        // The purge mark stays: a cursor below it may have missed a delete, whatever store answers it.
        let counter = max(lastSequence, sourceMeta.purgedSequence)
        try await target.finishImport(lastSequence: counter, purgedSequence: sourceMeta.purgedSequence)
        let meta = try await target.renewEpoch()
        progress("new epoch \(meta.epoch); sequence counter at \(counter)")
        let (sourceCounts, targetCounts) = try await verify()
        return Report(source: sourceCounts, target: targetCounts, epoch: meta.epoch, lastSequence: counter)
    }

    private func copyAccounts() async throws {
        let users = try await source.users()
        try await target.importUsers(users)
        let packages = try await source.publishedPackages()
        try await target.importPackages(packages.sorted { $0.version < $1.version })
        let devices = try await source.devices(user: nil)
        for start in stride(from: 0, to: devices.count, by: pageSize) {
            try await target.importDevices(Array(devices[start..<min(start + pageSize, devices.count)]))
        }
        progress("copied \(users.count) users, \(packages.count) packages, \(devices.count) devices")

        var sessions = 0
        var after: String?
        while case let page = try await source.sessionsPage(after: after, limit: pageSize), !page.isEmpty {
            try await target.importSessions(page)
            sessions += page.count
            after = page.last?.tokenHash
        }
        var tokens = 0
        after = nil
        while case let page = try await source.refreshTokensPage(after: after, limit: pageSize), !page.isEmpty {
            try await target.importRefreshTokens(page)
            tokens += page.count
            after = page.last?.tokenHash
        }
        after = nil
        while case let page = try await source.revokedTokensPage(after: after, limit: pageSize), !page.isEmpty {
            try await target.importRevokedTokens(page)
            after = page.last?.tokenHash
        }
        progress("copied \(sessions) sessions, \(tokens) refresh tokens")
    }

    /// Copies every record in sequence order, a chunk per transaction; returns the highest number copied.
    private func copyRecords() async throws -> Int64 {
        var last: Int64 = 0
        var copied = 0
        while case let page = try await source.changes(after: last, limit: recordChunk), !page.isEmpty {
            try await target.importRecords(page)
            copied += page.count
            last = page.last?.seq ?? last
            if copied % 100_000 < page.count { progress("  \(copied) records") }
        }
        progress("copied \(copied) records (last sequence number \(last))")
        return last
    }

    private func copySyncLog() async throws {
        var results = 0
        var key: (device: String, opId: String)?
        while case let page = try await source.opResultsPage(after: key, limit: pageSize), !page.isEmpty {
            try await target.importOpResults(page)
            results += page.count
            key = page.last.map { ($0.device, $0.opId) }
        }
        var sessions = 0
        var after: String?
        while case let page = try await source.syncSessionsPage(after: after, limit: pageSize), !page.isEmpty {
            try await target.importSyncSessions(page)
            sessions += page.count
            after = page.last?.id
        }
        progress("copied \(results) op results, \(sessions) sync sessions")
    }

    /// Copies attachment content a row (`StoredAttachment.chunkSize`) at a time: no file is ever held whole.
    private func copyAttachments() async throws {
        var count = 0
        var bytes: Int64 = 0
        var after: String?
        while case let page = try await source.attachmentsPage(after: after, limit: pageSize), !page.isEmpty {
            for attachment in page {
                try await target.importAttachment(attachment)
                var offset: Int64 = 0
                while offset < attachment.size {
                    let chunk = try await source.readAttachment(
                        sha256: attachment.sha256, offset: offset, maxLength: StoredAttachment.chunkSize)
                    guard !chunk.isEmpty else {
                        throw InstallationCopyError(
                            .mismatch,
                            "attachment \(attachment.sha256) holds \(offset) bytes in the source, not \(attachment.size)")
                    }
                    try await target.importAttachmentContent(sha256: attachment.sha256, start: offset, bytes: chunk)
                    offset += Int64(chunk.count)
                }
                count += 1
                bytes += offset
            }
            after = page.last?.sha256
        }
        progress("copied \(count) attachments (\(bytes) bytes)")
    }
}
