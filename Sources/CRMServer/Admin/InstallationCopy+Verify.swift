import CRMModel
import CRMStore
import Foundation

extension InstallationCopy {
    /// Checks the target against the source: the counts of every kind, every record field by field, users,
    /// packages and devices as values, and every attachment's content against its SHA-256 (read a row at a
    /// time). Throws `mismatch` naming the first difference; returns both sides' counts.
    public func verify() async throws -> (source: InstallationCounts, target: InstallationCounts) {
        let sourceCounts = try await source.installationCounts()
        let targetCounts = try await target.installationCounts()
        for kind in InstallationKind.allCases where sourceCounts[kind] != targetCounts[kind] {
            throw InstallationCopyError(
                .mismatch,
                "\(kind.rawValue): the source holds \(sourceCounts[kind]), the target \(targetCounts[kind])")
        }
        try await verifyRecords()
        try Self.compare("user", try await source.users(), try await target.users(), key: \.name)
        try Self.compare(
            "package", try await source.publishedPackages(), try await target.publishedPackages(), key: \.version)
        try Self.compare("device", try await source.devices(user: nil), try await target.devices(user: nil), key: \.id)
        try await verifyAttachmentContent()
        return (sourceCounts, targetCounts)
    }

    /// Every source record, in sequence order, has its twin in the target; with equal counts, the target holds
    /// nothing else.
    private func verifyRecords() async throws {
        var last: Int64 = 0
        while true {
            let page = try await source.changes(after: last, limit: recordChunk)
            guard let end = page.last?.seq else { break }
            let copies = Dictionary(
                try await target.records(ids: page.map(\.id)).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            for record in page {
                guard let copy = copies[record.id] else {
                    throw InstallationCopyError(.mismatch, "record \(record.id) (\(record.type)) is missing from the target")
                }
                if let field = Self.difference(record, copy) {
                    throw InstallationCopyError(
                        .mismatch, "record \(record.id) (\(record.type)) differs in \(field) after the copy")
                }
            }
            last = end
        }
    }

    /// The first system column or field in which two records differ, or nil when they are the same.
    static func difference(_ source: Record, _ target: Record) -> String? {
        if source.id != target.id { return "id" }
        if source.type != target.type { return "type" }
        if source.version != target.version { return "version (\(source.version) against \(target.version))" }
        if source.seq != target.seq { return "seq (\(source.seq) against \(target.seq))" }
        if source.deleted != target.deleted { return "deleted" }
        if source.owner != target.owner { return "owner" }
        if source.team != target.team { return "team" }
        if source.createdAt != target.createdAt { return "createdAt" }
        if source.updatedAt != target.updatedAt { return "updatedAt" }
        if source.updatedBy != target.updatedBy { return "updatedBy" }
        for name in Set(source.fields.keys).union(target.fields.keys).sorted()
        where source.fields[name] != target.fields[name] {
            return "field '\(name)'"
        }
        for name in Set(source.fieldVersions.keys).union(target.fieldVersions.keys).sorted()
        where source.fieldVersions[name] != target.fieldVersions[name] {
            return "the stamp of field '\(name)'"
        }
        return nil
    }

    /// Compares two lists of values by key, naming the first that is missing or differs.
    private static func compare<Value: Equatable, Key: Comparable & Hashable>(
        _ kind: String, _ source: [Value], _ target: [Value], key: KeyPath<Value, Key>
    ) throws {
        let copies = Dictionary(target.map { ($0[keyPath: key], $0) }, uniquingKeysWith: { first, _ in first })
        for value in source.sorted(by: { $0[keyPath: key] < $1[keyPath: key] }) {
            let name = value[keyPath: key]
            guard let copy = copies[name] else { throw InstallationCopyError(.mismatch, "\(kind) \(name) is missing") }
            if copy != value { throw InstallationCopyError(.mismatch, "\(kind) \(name) differs after the copy") }
        }
    }

    /// Hashes every attachment in the target, a row at a time, and checks it against its name.
    private func verifyAttachmentContent() async throws {
        var after: String?
        while true {
            let page = try await target.attachmentsPage(after: after, limit: pageSize)
            guard let last = page.last else { break }
            for attachment in page {
                var digest = SHA256Digest()
                var offset: Int64 = 0
                while offset < attachment.size {
                    let chunk = try await target.readAttachment(
                        sha256: attachment.sha256, offset: offset, maxLength: StoredAttachment.chunkSize)
                    if chunk.isEmpty { break }
                    chunk.withUnsafeBytes { digest.update($0) }
                    offset += Int64(chunk.count)
                }
                guard offset == attachment.size, digest.hexDigest() == attachment.sha256 else {
                    throw InstallationCopyError(
                        .mismatch, "attachment \(attachment.sha256): the target's content does not match its name")
                }
            }
            after = last.sha256
        }
    }
}
