import Foundation
import PIMBridge

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension PIMTarget {
    /// The store of this target with the DAV server's credentials, or nil for `none`.
    public func store(user: String?, password: String?) -> (any PIMStore)? {
        switch self {
        case .none: nil
        case .vdir(let path): VdirStore(root: URL(fileURLWithPath: path))
        case .dav(let url): DAVStore(url: url, user: user, password: password, httpClient: DesktopHTTP.client)
        }
    }

    /// Checks that the target can be used before it is chosen: the folders are made, or the DAV server is found
    /// and its collections created (`prepare()`). A failure names `--pim` (or the credentials' flags).
    public func check(user: String?, password: String?, field: String = "--pim") async throws {
        guard let store = store(user: user, password: password) else { return }
        do {
            try await store.prepare()
        } catch let error as PIMStoreError {
            var failure = DesktopError(pimStore: error, field: field)
            let reason = failure.message.hasPrefix(error.store + ": ")
                ? String(failure.message.dropFirst(error.store.count + 2)) : failure.message
            failure.message = "cannot use \(label(field)): " + reason
            throw failure
        } catch let error as DesktopError {
            throw error
        } catch {
            throw DesktopError(.invalidInput, "cannot use \(label(field)): \(error)", field: field)
        }
    }

    /// `--pim dav:URL` for a flag, the target alone for an argument.
    private func label(_ field: String) -> String {
        let target = Self.withoutCredentials(self)
        return field.hasPrefix("--") ? "\(field) \(target)" : target
    }

    /// Where the CRM's contacts, events and tasks are, in a line for the user.
    public var summary: String {
        switch self {
        case .none: "Contacts, events and tasks: not written to a PIM (`crm-desktop pim set` chooses one)"
        case .vdir(let path): "Contacts, events and tasks: in \(path) (contacts/, calendar/, tasks/; khal and khard read it)"
        case .dav(let url):
            "Contacts, events and tasks: on \(Self.withoutCredentials(url)) (crm-contacts, crm-calendar, crm-tasks)"
        }
    }

    /// Where an item of this target is, for messages: the file of a vdir folder, the collection and href on a
    /// DAV server.
    public func location(of collection: PIMCollection, href: String) -> String {
        switch self {
        case .vdir(let path):
            ((path as NSString).appendingPathComponent(collection.rawValue) as NSString).appendingPathComponent(href)
        case .dav(let url): "\(Self.withoutCredentials(url)) \(collection.rawValue)/\(href)"
        case .none: "\(collection.rawValue)/\(href)"
        }
    }

    /// Whether both are DAV servers on the same host (credentials kept for one may be sent to the other).
    func sharesServer(with other: PIMTarget) -> Bool {
        guard case .dav(let mine) = self, case .dav(let theirs) = other else { return false }
        return mine.host?.lowercased() == theirs.host?.lowercased() && mine.port == theirs.port
    }

    /// The target as messages show it: a DAV URL without user and password.
    static func withoutCredentials(_ target: PIMTarget) -> String {
        if case .dav(let url) = target { "dav:" + withoutCredentials(url) } else { target.description }
    }

    /// A DAV URL as messages show it: without user and password.
    static func withoutCredentials(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: true) else { return url.absoluteString }
        components.user = nil
        components.password = nil
        return components.string ?? url.absoluteString
    }
}

extension DesktopError {
    /// A PIM store's failure as the desktop reports it; `field` is the flag that chose the store.
    init(pimStore error: PIMStoreError, field: String? = nil) {
        switch error.code {
        case .unreachable:
            self.init(.unreachable, error.description, field: field)
        case .unauthorized:
            self.init(
                .refused, error.description + "; give the DAV user with --pim-user and its password with --pim-password-file",
                field: "--pim-password-file", status: 401)
        case .refused(let status, _):
            self.init(.refused, error.description, field: field, status: status)
        case .badAnswer:
            self.init(.badAnswer, error.description, field: field)
        case .fileSystem(let code) where code == ENOSPC:
            self.init(.diskFull, error.description, field: field)
        default:
            self.init(.invalidInput, error.description, field: field)
        }
    }
}

extension DesktopHome {
    /// The DAV user and password this home keeps for `target`: those of the current target when it is on the
    /// same server, else none (a password is never sent to another server).
    public func keptPIMCredentials(for target: PIMTarget, settings: DesktopSettings?) -> (user: String?, password: String?) {
        guard let settings, let current = try? PIMTarget(settings.pim), current.sharesServer(with: target) else {
            return (nil, nil)
        }
        return (settings.pimUser, pimPassword())
    }

    /// Keeps a PIM choice: the target and DAV user in the settings, the DAV password owner-only (removed for other
    /// targets), and, when the target or user changed, a fresh PIM status in the replica so the new target gets
    /// everything written. Records the user unshared stay unshared.
    ///
    /// - Parameter previous: the settings before the choice (what the status table refers to).
    @discardableResult
    public func keepPIM(
        _ target: PIMTarget, user: String?, password: String?, settings: DesktopSettings, previous: DesktopSettings?,
        replica: Replica
    ) throws -> DesktopSettings {
        var settings = settings
        let isDAV = if case .dav = target { true } else { false }
        settings.pim = target.description
        settings.pimUser = isDAV ? user : nil
        try save(settings)
        try savePIMPassword(isDAV ? password : nil)
        if previous?.pim != settings.pim || previous?.pimUser != settings.pimUser {
            try replica.resetPIM()
        }
        return settings
    }
}

extension Desktop {
    /// Chooses another PIM target (`crm-desktop pim set`): checks it, then, under the sync lock, keeps it and
    /// forgets what the bridge knew of the old one, so the next sync writes everything into the new target.
    ///
    /// - Parameters:
    ///   - user, password: the DAV server's; nil keeps those of the current target when it is on the same server.
    /// - Returns: the desktop with the new settings.
    ///   - field: the argument that named the target, for messages.
    public func changePIM(
        to target: PIMTarget, user: String? = nil, password: String? = nil, field: String = "TARGET"
    ) async throws -> Desktop {
        let kept = home.keptPIMCredentials(for: target, settings: settings)
        let user = user ?? kept.user
        let password = password ?? kept.password
        try await target.check(user: user, password: password, field: field)
        let lock = try SyncLock(path: home.lockPath)
        defer { withExtendedLifetime(lock) {} }
        let current = try home.settings()
        let changed = try home.keepPIM(
            target, user: user, password: password, settings: current, previous: current, replica: replica)
        return Desktop(home: home, settings: changed, replica: replica, connection: connection)
    }

    /// Sets the largest share of a collection's items one PIM sync may delete on either side before it stops and
    /// asks for `--force` (`crm-desktop pim set --max-delete-share`); kept in the settings.
    ///
    /// - Parameter share: more than 0, at most 1 (1: only an emptied collection stops the sync).
    /// - Returns: the desktop with the new settings.
    public func setPIMMaxDeleteShare(_ share: Double, field: String = "--max-delete-share") throws -> Desktop {
        guard share > 0, share <= 1 else {
            throw DesktopError(
                .invalidInput, "\(field) takes a share above 0 and at most 1 (0.5: half of the items), not \(share)",
                field: field)
        }
        let lock = try SyncLock(path: home.lockPath)
        defer { withExtendedLifetime(lock) {} }
        var current = try home.settings()
        current.pimMaxDeleteShare = share
        try home.save(current)
        return Desktop(home: home, settings: current, replica: replica, connection: connection)
    }

    /// The PIM part of a sync alone (`crm-desktop pim sync`): PIM edits become outbox ops (sent by the next
    /// `crm-desktop sync`), then the replica's records are written to the PIM. Runs under the sync lock.
    ///
    /// - Parameter force: go on past the safety stops (an emptied collection, mass deletes).
    public func pimOnlySync(force: Bool = false) async throws -> PIMReport {
        guard let sync = try pimSync(force: force) else {
            throw DesktopError(
                .invalidInput,
                "this desktop writes no PIM (target none); choose one with `crm-desktop pim set vdir:FOLDER` or "
                    + "`crm-desktop pim set dav:URL`", field: "pim set")
        }
        guard try replica.packageVersion() != nil else {
            throw DesktopError(.invalidInput, "this desktop has not synced yet; run `crm-desktop sync` first")
        }
        let lock = try SyncLock(path: home.lockPath)
        defer { withExtendedLifetime(lock) {} }
        do {
            let inbound = try await sync.inbound()
            return inbound + (try await sync.outbound())
        } catch let error as PIMStoreError {
            throw DesktopError(pimStore: error)
        }
    }
}
