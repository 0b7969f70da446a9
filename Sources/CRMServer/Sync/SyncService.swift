import CRMModel
import CRMStore
import CRMSyncProtocol
import Crypto
import Foundation
import Logging

/// Runs sync sessions (DESIGN section 3): begin, pull, push, end and the long-poll, for one device at a time.
public struct SyncService: Sendable {
    let store: any ServerStore
    let packages: PackageService
    let configuration: SyncConfiguration
    let signal: ChangeSignal
    let logger: Logger
    /// Sessions, records pulled, ops pushed and their answers, long-polls waiting, and store call times.
    let metrics: ServerMetrics
    let retention = RetentionSchedule()
    let prefetch = PagePrefetch()
    let filters = FilterCache()

    public init(
        store: any ServerStore, packages: PackageService, configuration: SyncConfiguration, signal: ChangeSignal,
        logger: Logger, metrics: ServerMetrics = ServerMetrics()
    ) {
        self.metrics = metrics
        self.store = store
        self.packages = packages
        self.configuration = configuration
        self.signal = signal
        self.logger = logger
    }

    /// Opens a session: checks the device, sends a newer package, settles the filter and previews it.
    public func begin(_ caller: Caller, _ request: SyncBeginRequest, now: Date = Timestamp.now()) async throws
        -> SyncBeginResponse
    {
        try Self.checkProtocol(request.protocolVersion)
        let device = try await ownDevice(caller, request.device)
        let existing = try await store.syncState(device: device.id)
        var state = existing ?? DeviceSyncState(device: device.id, user: caller.user.name)
        if existing != nil, state.user != caller.user.name {
            throw CRMError(.forbidden, "the device belongs to another user", field: "device")
        }
        guard let zone = TimeZone(identifier: request.timeZone) else {
            throw CRMError(.malformed, "'\(request.timeZone)' is not an IANA time zone (like Europe/Berlin)", field: "timeZone")
        }
        let presets = caller.package.filters ?? []
        let name = request.filter ?? state.filter ?? presets.first(where: \.isDefault)?.name ?? presets.first?.name
        guard let name, let preset = presets.first(where: { $0.name == name }) else {
            let known = presets.map(\.name).joined(separator: ", ")
            throw CRMError(
                .validation([FieldIssue(field: "filter", code: .reference, message: "no filter '\(request.filter ?? "")'")]),
                "the role '\(caller.user.role)' has no filter '\(request.filter ?? "")' (it has: \(known))", field: "filter")
        }
        if let until = try await QuietHours(store: store).delayedUntil(filter: name, at: now) {
            let at = ISO8601DateFormatter().string(from: until)
            throw CRMError(
                .quietHours(until: until),
                "quiet hours: sync sessions of the filter '\(name)' wait until \(at); come back then", field: "filter")
        }
        let parameters = request.parameters ?? (name == state.filter ? state.parameters : [:])
        var resolved: ResolvedFilter
        do {
            resolved = try preset.resolve(
                parameters: parameters, today: DayArithmetic.day(of: now, zone: zone), timeZone: request.timeZone,
                masterConditions: caller.package.masterFilters ?? [:])
        } catch {
            throw CRMError(
                .validation([FieldIssue(field: error.parameter, code: .badFormat, message: error.message)]),
                "filter parameter \(error.parameter): \(error.message)", field: error.parameter)
        }
        resolved.fetched = try await heldByHand(caller, device: device.id)
        let fingerprint = Self.fingerprint(resolved, caller: caller)
        let rescan = fingerprint != state.fingerprint
        let context = ScopeContext(caller: caller, filter: resolved, device: device.id)
        let preview =
            rescan
            ? try await previewCounts(context)
            : request.preview == false ? [:] : try await heldCounts(device.id, context)
        // The limit guards the choice of a filter: a device choosing one (or its first) that brings too much is
        // refused; a device whose records grew past it through the feed still syncs, so its outbox can go.
        let choosing = existing == nil || name != state.filter || Self.effectiveParameters(preset, parameters) != state.parameters
        if choosing { try Self.checkLimits(resolved, preview: preview) }

        var update: PackageUpdate?
        if (request.packageVersion ?? 0) < caller.package.version {
            let older = try await request.packageVersion.asyncMap {
                try await packages.view(forRole: caller.user.role, version: $0)
            } ?? nil
            update = PackageUpdate(
                version: caller.package.version,
                structural: older.map { caller.package.isStructurallyDifferent(from: $0) } ?? true,
                package: caller.package)
        }
        state.filter = name
        state.parameters = Self.effectiveParameters(preset, parameters)
        state.timeZone = request.timeZone
        if rescan {
            state.fingerprint = fingerprint
            state.rescanRequested += 1
            if let sent = state.packageVersion, sent != caller.package.version { state.fullRescan = state.rescanRequested }
        }
        resolved.deferredTypes = Self.defer(request.deferTypes, in: resolved, state: &state, rescan: rescan)
        state.packageVersion = caller.package.version
        let session = SyncSessionRow(
            id: RecordID.make(at: now), user: caller.user.name, device: device.id, startedAt: now,
            expiresAt: now.addingTimeInterval(configuration.sessionLifetime), filter: try Self.encode(resolved))
        // The state, and one session per device at a time (an older one still open would pull with its old
        // filter): one write.
        try await metrics.store("beginSyncSession") { try await store.beginSyncSession(session, state: state) }
        metrics.syncSession(.begun)
        if await retention.due(at: now) {
            let removed = try await store.purge(before: now.addingTimeInterval(-configuration.retention))
            let uploads = try await AttachmentService(store: store).dropStaleUploads(now: now)
            logger.info(
                "retention purge",
                metadata: ["rows": .stringConvertible(removed), "stale uploads": .stringConvertible(uploads)])
        }
        logger.info(
            "sync session begun",
            metadata: [
                "session": .string(session.id), "user": .string(caller.user.name), "device": .string(device.id),
                "filter": .string(name), "preview": .stringConvertible(preview.values.reduce(0, +)),
                "rescan": .stringConvertible(rescan),
            ])
        return SyncBeginResponse(
            session: session.id, expiresAt: session.expiresAt, package: update, filter: name,
            parameters: state.parameters, preview: preview, rescan: rescan)
    }

    /// Settles the types a session passes over (`deferTypes`, among the filter's) and returns them: a type
    /// deferred before and due now gets a re-evaluation of that type alone, unless every type is re-evaluated
    /// anyway (`rescan`), which also catches up whatever was passed over.
    static func `defer`(_ asked: [String]?, in filter: ResolvedFilter, state: inout DeviceSyncState, rescan: Bool)
        -> [String]?
    {
        let deferring = Set(asked ?? []).intersection(filter.types.keys)
        var passedOver = Set(state.deferredTypes ?? [])
        if rescan {
            state.allTypesRescan = state.rescanRequested
            state.rescanTypes = nil
            passedOver = []
        } else {
            let due = passedOver.subtracting(deferring)
            if !due.isEmpty {
                // Re-evaluations asked for before this one (and perhaps not served yet) walk every type.
                if state.allTypesRescan == nil { state.allTypesRescan = state.rescanRequested }
                state.rescanRequested += 1
                state.rescanTypes = Set(state.rescanTypes ?? []).union(due).sorted()
                passedOver.subtract(due)
            }
        }
        passedOver.formUnion(deferring)
        state.deferredTypes = passedOver.isEmpty ? nil : passedOver.sorted()
        return deferring.isEmpty ? nil : deferring.sorted()
    }

    /// Ends a session, writing the device's counts and errors into the sync log.
    public func end(_ caller: Caller, _ request: SyncEndRequest, now: Date = Timestamp.now()) async throws -> SyncLogEntry {
        try Self.checkProtocol(request.protocolVersion)
        let (session, _) = try await openSession(caller, request.session, now: now)
        let errors = (request.errors ?? []).prefix(100).map { String($0.prefix(2000)) }
        try await store.endSyncSession(
            id: session.id, at: now, clientCounts: request.counts, errors: Array(errors))
        guard let ended = try await store.syncSession(id: session.id) else { throw CRMError.notFound("session") }
        metrics.syncSession(.ended)
        if !errors.isEmpty { metrics.syncSession(.failed) }
        logger.info(
            "sync session ended",
            metadata: [
                "session": .string(session.id), "user": .string(caller.user.name),
                "pulled": .stringConvertible(ended.counts.pulled), "pushed": .stringConvertible(ended.counts.pushed),
                "conflicts": .stringConvertible(ended.counts.conflicts), "rejected": .stringConvertible(ended.counts.rejected),
                "device errors": .stringConvertible(errors.count),
            ])
        return Self.entry(ended)
    }

    /// Sync log rows: the caller's own, or anyone's for an admin.
    public func log(_ caller: Caller, query: SyncSessionQuery) async throws -> [SyncLogEntry] {
        var query = query
        if !caller.isAdmin { query.user = caller.user.name }
        return try await store.syncSessions(query).map(Self.entry)
    }

    // MARK: - Sessions and devices

    /// The caller's live session `id`, and the filter it runs with.
    func openSession(_ caller: Caller, _ id: String, now: Date) async throws -> (SyncSessionRow, ResolvedFilter) {
        try await openSession(caller, id, found: try await store.syncSession(id: id), now: now)
    }

    /// `openSession` with the cursor facts and the device's sync state read with the session (`SyncSessionFacts`).
    func openSessionFacts(_ caller: Caller, _ id: String, now: Date) async throws
        -> (session: SyncSessionRow, filter: ResolvedFilter, meta: SyncMeta, state: DeviceSyncState?)
    {
        let facts = try await metrics.store("syncSessionFacts") { try await store.syncSessionFacts(id: id) }
        let (session, filter) = try await openSession(caller, id, found: facts.session, now: now)
        let meta: SyncMeta
        if let read = facts.meta { meta = read } else { meta = try await store.syncMeta() }
        return (session, filter, meta, facts.state)
    }

    private func openSession(_ caller: Caller, _ id: String, found: SyncSessionRow?, now: Date) async throws
        -> (SyncSessionRow, ResolvedFilter)
    {
        guard let session = found, session.user == caller.user.name else {
            throw CRMError(.notFound, "no sync session '\(id)'; begin one", field: "session")
        }
        guard session.endedAt == nil else {
            throw CRMError(.conflict, "the sync session \(id) has ended; begin a new one", field: "session")
        }
        guard session.expiresAt > now else {
            throw CRMError(.conflict, "the sync session \(id) expired; begin a new one", field: "session")
        }
        _ = try await ownDevice(caller, session.device)
        let filter = try filters.filter(session.filter)
        return (session, filter)
    }

    /// The caller's device `id`: 404 for an unknown or someone else's, "revoked" for a revoked one.
    func ownDevice(_ caller: Caller, _ id: String) async throws -> Device {
        // The session's own device, read by this request's authentication: no second read.
        if let read = caller.sessionDevice, read.id == id, read.user == caller.user.name, !read.isRevoked {
            return read
        }
        let device = try await store.usableDevice(id, of: caller.user.name)
        if let bound = caller.device, bound != id {
            throw CRMError(.forbidden, "this session belongs to another device", field: "device")
        }
        return device
    }

    static func checkProtocol(_ version: Int) throws {
        if var refusal = CRMError.protocolTooOld(version) {
            refusal.field = "protocolVersion"
            throw refusal
        }
    }

    // MARK: - Preview and limits

    /// How many records of each type the filter brings, walking the records the user may see.
    private func previewCounts(_ context: ScopeContext) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for type in context.syncedTypes where type != ConflictRecord.typeName {
            // Every visible record: the store counts them without reading one.
            if let typeFilter = context.filter.types[type], typeFilter.records == .visible,
                typeFilter.conditions.isEmpty, typeFilter.window == nil
            {
                counts[type] = try await store.liveRecordCount(type: type, visibility: context.visibility(for: type))
                continue
            }
            var after = ""
            var count = 0
            while true {
                let batch = try await store.liveRecords(
                    type: type, visibility: context.visibility(for: type), after: after, limit: 2000)
                count += batch.reduce(0) { $0 + (context.inFilter($1) ? 1 : 0) }
                guard batch.count == 2000, let last = batch.last else { break }
                after = last.id
            }
            counts[type] = count
        }
        return counts
    }

    /// What the device holds, by type (the filter did not change, so this is what it brings).
    private func heldCounts(_ device: String, _ context: ScopeContext) async throws -> [String: Int] {
        let held = try await store.scopeCounts(device: device)
        var counts: [String: Int] = [:]
        for type in context.syncedTypes where type != ConflictRecord.typeName { counts[type] = held[type] ?? 0 }
        return counts
    }

    static func checkLimits(_ filter: ResolvedFilter, preview: [String: Int]) throws {
        for (type, typeFilter) in filter.types.sorted(by: { $0.key < $1.key }) {
            if let limit = typeFilter.limit, let count = preview[type], count > limit {
                throw CRMError(
                    .validation([FieldIssue(field: "filter", code: .outOfRange, message: "\(count) \(type) records, at most \(limit)")]),
                    "the filter '\(filter.name)' brings \(count) \(type) records, but a device may keep at most \(limit); "
                        + "choose a narrower filter or parameters", field: "filter")
            }
        }
    }

    // MARK: - Encoding

    /// What the scope was computed from: the resolved filter, the role and the users whose records are visible.
    static func fingerprint(_ filter: ResolvedFilter, caller: Caller) -> String {
        // The day and zone matter only through date windows, whose resolved days are in the filter: a filter
        // without windows does not re-evaluate every morning.
        var scope = filter
        scope.today = ""
        scope.deferredTypes = nil
        if !filter.types.values.contains(where: { $0.window != nil }) { scope.timeZone = "" }
        var text = (try? String(decoding: encode(scope), as: UTF8.self)) ?? ""
        text += "|package \(caller.package.version)"
        text += "|" + caller.user.role + "|"
        switch caller.scope {
        case .all: text += "*"
        case .users(let users): text += users.sorted().joined(separator: ",")
        }
        let digits = Array("0123456789abcdef")
        return String(SHA256.hash(data: Data(text.utf8)).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }

    static func effectiveParameters(_ preset: SyncFilter, _ given: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        for parameter in preset.parameters ?? [] {
            if let value = given[parameter.name] ?? parameter.default { result[parameter.name] = value }
        }
        return result
    }

    static func encode<T: Encodable>(_ value: T) throws -> Data {
        try CRMJSON.encoder().encode(value)
    }

    static func entry(_ row: SyncSessionRow) -> SyncLogEntry {
        SyncLogEntry(
            session: row.id, user: row.user, device: row.device, startedAt: row.startedAt, endedAt: row.endedAt,
            counts: row.counts, clientCounts: row.clientCounts, errors: row.errors)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
