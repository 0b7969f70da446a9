import CRMModel
import CRMStore

/// Pull pages computed ahead (DESIGN section 7, pipelining): while a device applies one page of a scope
/// re-evaluation, the server already builds the next, so the two sides work at the same time instead of in
/// turn. The protocol does not change: the next request still acknowledges its page first, and only then is
/// the page taken, if it was built from exactly the cursor that request continues from.
///
/// Only re-evaluation pages are built ahead, and only after a page that removed nothing: such a page reads
/// records and scope rows after its cursor's id (or of later types), which the page before it, still
/// unacknowledged while the next is built, does not touch. A page built ahead ends where the re-evaluation
/// ends (`rescanOnly`): pages of the references phase and of the feed read what the acknowledgement writes, so
/// they are built on request, as before. An empty page built ahead is not used.
actor PagePrefetch {
    typealias Built = (page: PullPage, next: SyncCursor, more: Bool)
    /// A page built ahead with its upserts already written (`SyncPageWriter.upserts`).
    typealias Ahead = (built: Built, upserts: [UInt8])

    /// What a page ahead was built from: the session, the page size and the cursor it continues.
    struct Key: Equatable, Sendable {
        var session: String
        var limit: Int
        var start: SyncCursor

        init(session: String, limit: Int, start: SyncCursor) {
            self.session = session
            self.limit = limit
            // The generation and issue time change with the acknowledgement; the position does not.
            var start = start
            start.generation = 0
            start.issued = 0
            self.start = start
        }
    }

    /// Pages ahead, at most one per device and `capacity` devices (the oldest gives way): a page holds a few
    /// MB, and a first sync is the case worth it, not a thousand incremental ones.
    private var ahead: [(device: String, key: Key, task: Task<Ahead, any Error>)] = []
    private let capacity: Int

    init(capacity: Int = 8) {
        self.capacity = capacity
    }

    /// Whether a page after `built` may be built ahead.
    static func worthBuilding(_ built: Built) -> Bool {
        built.more && built.next.phase == .rescan && built.page.delta.removes.isEmpty
    }

    /// Starts building the page for `key` on behalf of `device`, replacing any page ahead of it.
    ///
    /// The task is unstructured: it must outlive the request that started it, to serve the next one. It is
    /// cancelled when replaced, taken or pushed out, so at most `capacity` run or wait at any time.
    func start(device: String, key: Key, build: @escaping @Sendable () async throws -> Ahead) {
        drop(device: device)
        if ahead.count >= capacity { ahead.removeFirst().task.cancel() }
        ahead.append((device, key, Task { try await build() }))
    }

    /// The page built ahead for `key`, if one was started for it and succeeded; any other page ahead of the
    /// device is dropped.
    func take(device: String, key: Key) async -> Ahead? {
        guard let index = ahead.firstIndex(where: { $0.device == device }) else { return nil }
        let entry = ahead.remove(at: index)
        guard entry.key == key else {
            entry.task.cancel()
            return nil
        }
        return try? await entry.task.value
    }

    /// Drops the page ahead of `device`, if any.
    func drop(device: String) {
        guard let index = ahead.firstIndex(where: { $0.device == device }) else { return }
        ahead.remove(at: index).task.cancel()
    }
}
