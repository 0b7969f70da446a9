import CRMModel
import Foundation
import GRDB

/// When each type with a `syncEvery` in the package was last checked, and which are due: syncs the desktop
/// runs on its own (`sync --watch`, the scheduled service) pass over types not due, so that frequent syncs cost
/// what changes often; a sync the user asks for checks every type.
public struct SyncFrequency: Sendable, Equatable {
    /// A type with its own interval.
    public struct Entry: Sendable, Equatable {
        public var type: String
        /// Seconds between checks.
        public var every: Double
        /// The package's text for it (`12h`).
        public var text: String
        /// The start of the last sync that checked it (nil: never).
        public var checkedAt: Date?

        /// When it is next due (now, if never checked).
        public var dueAt: Date { checkedAt.map { $0.addingTimeInterval(every) } ?? .distantPast }

        public func isDue(at now: Date) -> Bool { dueAt <= now }
    }

    public var entries: [Entry]

    public init(entries: [Entry] = []) { self.entries = entries }

    /// The types of `package` that have an interval, with when this replica last checked them.
    public init(package: CustomizationPackage, checked: [String: Date]) {
        entries = package.types.compactMap { name, type in
            guard let every = type.syncInterval, let text = type.syncEvery else { return nil }
            return Entry(type: name, every: every, text: text, checkedAt: checked[name])
        }.sorted { $0.type < $1.type }
    }

    /// The types not due at `now`.
    public func deferred(at now: Date) -> [String] { entries.filter { !$0.isDue(at: now) }.map(\.type) }

    /// The earliest moment a deferred type is due (nil: none waits).
    public func nextDue(after now: Date) -> Date? { entries.filter { !$0.isDue(at: now) }.map(\.dueAt).min() }
}

extension Replica {
    /// When each type was last checked by a sync that ran to its end (`SyncFrequency`).
    public func typesChecked() throws -> [String: Date] {
        try read { db in try Self.typesChecked(db) }
    }

    static func typesChecked(_ db: Database) throws -> [String: Date] {
        guard let text = try meta(db, "types.checked"),
            let millis = try? JSONDecoder().decode([String: Int64].self, from: Data(text.utf8))
        else { return [:] }
        return millis.mapValues { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    /// Records that a sync started at `time` checked `types` (a sync that ran to its end does this).
    public func setChecked(_ types: [String], at time: Date) throws {
        guard !types.isEmpty else { return }
        try write { db in
            var checked = try Self.typesChecked(db).mapValues { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
            for type in types { checked[type] = Int64((time.timeIntervalSince1970 * 1000).rounded()) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            try Self.setMeta(db, "types.checked", String(decoding: try encoder.encode(checked), as: UTF8.self))
        }
    }

    /// The types a sync that honours the package's intervals passes over at `now` (nil: none; never before
    /// the first sync has completed, which brings every type).
    public func typesToDefer(at now: Date) throws -> [String]? {
        guard try cursor() != nil else { return nil }
        let deferred = try syncFrequency().deferred(at: now)
        return deferred.isEmpty ? nil : deferred
    }

    /// The package's per-type intervals with this replica's last checks (empty before the first package).
    public func syncFrequency() throws -> SyncFrequency {
        guard let package = try package() else { return SyncFrequency() }
        return SyncFrequency(package: package, checked: try typesChecked())
    }
}
