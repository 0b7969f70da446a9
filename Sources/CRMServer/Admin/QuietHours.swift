import CRMStore
import Foundation

/// Hours of the day in which the server delays sync sessions, for one filter preset or for every filter, to spread
/// load (as the source product lets administrators delay requests). A desktop that begins a session inside a
/// window is answered 503 `quiet-hours` with `Retry-After` set to the window's end, and comes back then.
///
/// Kept in the store (`AdminSettingStore`, key `quiet-hours`) and read at every begin, so `crm-server quiet-hours`
/// takes effect at once on every server of the database.
public struct QuietWindow: Codable, Sendable, Equatable {
    /// The filter preset whose sessions wait; nil: every filter.
    public var filter: String?
    /// `HH:MM` or `HH:MM:SS`, in `timeZone`: the window's first moment.
    public var start: String
    /// `HH:MM` or `HH:MM:SS`: the moment sync is allowed again (before `start`: the window spans midnight).
    public var end: String
    /// An IANA time zone.
    public var timeZone: String

    public init(filter: String?, start: String, end: String, timeZone: String = "UTC") throws {
        self.filter = filter
        self.start = start
        self.end = end
        self.timeZone = timeZone
        try check()
    }

    /// Checks the times and the zone, naming the field at fault.
    public func check() throws {
        let first = try Self.seconds(start, field: "from")
        let last = try Self.seconds(end, field: "to")
        guard first != last else { throw QuietHoursError(field: "to", message: "the window must not end where it starts") }
        guard TimeZone(identifier: timeZone) != nil else {
            throw QuietHoursError(field: "time-zone", message: "'\(timeZone)' is not an IANA time zone (like Europe/Berlin)")
        }
    }

    /// Seconds after midnight of `HH:MM[:SS]`.
    static func seconds(_ text: String, field: String) throws -> Int {
        let parts = text.split(separator: ":").map { Int($0) }
        guard (2...3).contains(parts.count), let hour = parts[0], let minute = parts[1], (0..<24).contains(hour),
            (0..<60).contains(minute), parts.count == 2 || (parts[2].map { (0..<60).contains($0) } ?? false)
        else { throw QuietHoursError(field: field, message: "'\(text)' is not a time of day as HH:MM or HH:MM:SS") }
        return hour * 3600 + minute * 60 + (parts.count == 3 ? parts[2]! : 0)
    }

    /// When the window that holds `date` ends; nil when `date` is outside the window.
    public func end(containing date: Date) -> Date? {
        guard let zone = TimeZone(identifier: timeZone), let first = try? Self.seconds(start, field: "from"),
            let last = try? Self.seconds(end, field: "to")
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let midnight = calendar.startOfDay(for: date)
        let now = Int(date.timeIntervalSince(midnight))
        let inside = first < last ? (now >= first && now < last) : (now >= first || now < last)
        guard inside else { return nil }
        let day = first > last && now >= first ? calendar.date(byAdding: .day, value: 1, to: midnight) ?? midnight : midnight
        return day.addingTimeInterval(TimeInterval(last))
    }
}

/// A quiet window that cannot be used, naming the field (`from`, `to`, `time-zone`).
public struct QuietHoursError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public var description: String { "--\(field): \(message)" }
}

/// The quiet windows of an installation, read from and written to its store.
public struct QuietHours: Sendable {
    public static let settingKey = "quiet-hours"
    public let store: any AdminSettingStore

    public init(store: any AdminSettingStore) {
        self.store = store
    }

    public func windows() async throws -> [QuietWindow] {
        guard let text = try await store.adminSetting(Self.settingKey) else { return [] }
        return (try? JSONDecoder().decode([QuietWindow].self, from: Data(text.utf8))) ?? []
    }

    /// Sets `window`, replacing the one of the same filter.
    public func set(_ window: QuietWindow) async throws {
        try window.check()
        try await save(try await windows().filter { $0.filter != window.filter } + [window])
    }

    /// Removes the window of `filter` (nil: the one for every filter); returns whether there was one.
    @discardableResult
    public func clear(filter: String?) async throws -> Bool {
        let all = try await windows()
        let kept = all.filter { $0.filter != filter }
        try await save(kept)
        return kept.count != all.count
    }

    public func clearAll() async throws {
        try await store.setAdminSetting(Self.settingKey, nil)
    }

    /// When the latest window holding `date` that applies to `filter` ends; nil: no window delays it.
    public func delayedUntil(filter: String, at date: Date) async throws -> Date? {
        try await windows().filter { $0.filter == nil || $0.filter == filter }.compactMap { $0.end(containing: date) }.max()
    }

    private func save(_ windows: [QuietWindow]) async throws {
        guard !windows.isEmpty else { return try await store.setAdminSetting(Self.settingKey, nil) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await store.setAdminSetting(Self.settingKey, String(decoding: try encoder.encode(windows), as: UTF8.self))
    }
}
