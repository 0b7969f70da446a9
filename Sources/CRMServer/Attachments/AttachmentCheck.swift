import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation

/// The one check that keeps records from pointing at missing content, for every write path (REST create and
/// update in `RecordService`, sync push ops in `PushApplier`): each attachment a write adds must name content
/// the store holds, with the size the store holds. Attachments already on the record are not checked again.
///
/// The look-up of stored sizes is async and runs before the write (a push looks up every op's hashes before its
/// transaction); stored content is never deleted, so what was found stays true inside the transaction.
struct AttachmentCheck {
    /// Size in bytes of the stored content, by hash, for the hashes the write names.
    var storedSizes: [String: Int64]

    /// One attachment a write adds, with the field that lists it.
    struct Addition {
        var field: String
        var ref: AttachmentRef
    }

    /// The attachments `changes` add to a record whose fields are `current` (empty for a create): the entries of
    /// attachments fields whose hash that field did not list before.
    static func additions(type: ObjectType, changes: [String: FieldValue], current: [String: FieldValue])
        -> [Addition]
    {
        var result: [Addition] = []
        for (name, value) in changes.sorted(by: { $0.key < $1.key }) where type.fields[name]?.kind == .attachments {
            let before = Set(AttachmentRef.list(current[name]).map(\.sha256))
            for ref in AttachmentRef.list(value) where !before.contains(ref.sha256.lowercased()) {
                var ref = ref
                ref.sha256 = ref.sha256.lowercased()
                result.append(Addition(field: name, ref: ref))
            }
        }
        return result
    }

    /// Every hash the ops' attachments fields name (lowercased), for the look-up before a push's transaction.
    static func hashes(in ops: [SyncOp], base: CustomizationPackage) -> Set<String> {
        var hashes = Set<String>()
        for op in ops {
            guard let type = base.types[op.type], let fields = op.fields else { continue }
            for (name, value) in fields where type.fields[name]?.kind == .attachments {
                guard case .array(let entries) = value else { continue }
                for case .object(let parts) in entries {
                    if let sha = parts["sha256"]?.stringValue?.lowercased(), AttachmentRef.isDigest(sha) {
                        hashes.insert(sha)
                    }
                }
            }
        }
        return hashes
    }

    /// Looks up the stored size of each of `hashes` that `caller` may list (`AttachmentService.mayClaim`);
    /// content that is not stored, or that someone else uploaded and the caller cannot read, is left out, so it
    /// is "not uploaded" for them as unknown content is.
    static func lookUp(_ hashes: Set<String>, for caller: Caller, in store: any ServerStore) async throws
        -> AttachmentCheck
    {
        let service = AttachmentService(store: store)
        var sizes: [String: Int64] = [:]
        for hash in hashes.sorted() {
            if let stored = try await store.storedAttachment(sha256: hash), try await service.mayClaim(caller, hash) {
                sizes[hash] = stored.size
            }
        }
        return AttachmentCheck(storedSizes: sizes)
    }

    /// What is wrong with `additions`: content not uploaded, or listed with another size than stored.
    func issues(_ additions: [Addition]) -> [FieldIssue] {
        additions.compactMap { addition in
            let ref = addition.ref
            guard let size = storedSizes[ref.sha256] else {
                return FieldIssue(
                    field: addition.field, code: .reference,
                    message: "\(ref.name) has not been uploaded (sha256 \(ref.sha256.prefix(12))…)")
            }
            guard size == Int64(ref.size) else {
                return FieldIssue(
                    field: addition.field, code: .outOfRange,
                    message: "\(ref.name) is listed as \(ref.size) bytes; the uploaded content is \(size) bytes")
            }
            return nil
        }
    }

    /// The issues of `caller`'s write of `changes` over `current`, looking the added hashes up in `store`.
    static func issues(
        type: ObjectType, changes: [String: FieldValue], current: [String: FieldValue], caller: Caller,
        store: any ServerStore
    ) async throws -> [FieldIssue] {
        let additions = additions(type: type, changes: changes, current: current)
        guard !additions.isEmpty else { return [] }
        return try await lookUp(Set(additions.map(\.ref.sha256)), for: caller, in: store).issues(additions)
    }
}
