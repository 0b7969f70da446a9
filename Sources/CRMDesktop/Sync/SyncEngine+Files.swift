import CRMModel
import Foundation

extension SyncEngine {
    /// Keeps the user's own addresses (they tell sent mail from received mail) as the server has them: asked
    /// for on the first sync and then hourly, not on every sync (they change rarely; a sync that brings nothing
    /// should cost one round trip less).
    func refreshProfile() async throws {
        if let checked = try replica.userAddressesCheckedAt(), Date().timeIntervalSince(checked) < 3600 { return }
        let profile = try await connection.call { client, token in try await client.profile(token: token) }
        try replica.setUserAddresses(profile.emails)
    }

    /// Runs mail tracking's scan: what it shares joins this sync's push. A folder that went away is reported
    /// in the receipt and does not stop the sync; the replica's own failures do.
    func scanMail(_ state: inout SyncState, _ scan: @Sendable () throws -> MailScanReport) {
        do {
            state.mail = try scan()
        } catch {
            logger.warning("mail tracking failed: \(error)")
            var report = MailScanReport()
            let message = (error as? DesktopError)?.message ?? "\(error)"
            report.results.append(MailShareResult(source: "mail tracking", outcome: .failed, problem: message))
            state.mail = report
        }
    }

    /// Uploads the attachment content the ops of `batch` list, before the ops go (the server refuses a record
    /// that names content it does not have). Content already on the server is not sent again, nor counted.
    func uploadAttachments(of batch: [OutboxOp], _ state: inout SyncState) async throws {
        let cache = AttachmentCache(home: home)
        var sent = Set<String>()
        for op in batch {
            for value in (op.op.fields ?? [:]).values {
                for ref in AttachmentRef.list(value) where !sent.contains(ref.sha256) && cache.has(ref.sha256) {
                    let file = URL(fileURLWithPath: cache.path(ref.sha256))
                    let uploaded = try await connection.call { client, token in
                        try await client.uploadAttachment(file: file, sha256: ref.sha256, mediaType: ref.mediaType, token: token)
                    }
                    sent.insert(ref.sha256)
                    if uploaded { state.files.uploaded += 1 }
                }
            }
        }
    }

    /// Brings the content of every attachment the replica's records list that this desktop does not have yet,
    /// unless the filter brings files on open.
    /// It looks only when this sync brought records, or when an earlier download failed (so a sync that brings
    /// nothing costs nothing here). A file that cannot be brought is reported and tried again by the next sync.
    func downloadAttachments(_ state: inout SyncState) async {
        let retry = (try? replica.attachmentsMissing()) ?? true
        // Listing the replica's attachments reads every record: only when a pulled record names one.
        guard state.pulledAttachments || retry else { return }
        // A filter that brings files on open leaves them to `open-attachment`.
        if let filter = try? replica.filter(), let package = try? replica.package(),
            let preset = package.filters?.first(where: { $0.name == filter.name }), !preset.downloadsAttachmentsEagerly
        {
            return
        }
        let cache = AttachmentCache(home: home)
        let wanted: [AttachmentRef]
        do {
            wanted = try replica.attachmentRefs().filter { !cache.has($0.sha256) }
        } catch {
            state.files.failed.append("the replica's attachments could not be listed: \(error)")
            return
        }
        let failedBefore = state.files.failed.count
        defer { try? replica.setAttachmentsMissing(state.files.failed.count > failedBefore) }
        for ref in wanted {
            do {
                try FileManager.default.createDirectory(
                    atPath: cache.folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                let destination = URL(fileURLWithPath: cache.path(ref.sha256))
                try await connection.call { client, token in
                    try await client.downloadAttachment(sha256: ref.sha256, to: destination, token: token)
                }
                state.files.downloaded += 1
            } catch {
                let message = (error as? DesktopError)?.message ?? "\(error)"
                state.files.failed.append("\(ref.name): \(message)")
            }
        }
    }
}
