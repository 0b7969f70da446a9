import Foundation

/// A sync filter made concrete for one device on one day: parameters filled in, date windows turned into
/// dates in the device's time zone, the administrator's master conditions added. It decides, record by
/// record, what a device keeps; the server evaluates it on every change and every scope re-evaluation, so
/// one definition serves both.
public struct ResolvedFilter: Codable, Sendable, Equatable {
    /// The preset's name.
    public var name: String
    /// Per type; a type not named here is not synced.
    public var types: [String: ResolvedTypeFilter]
    /// The day the windows were computed for (`YYYY-MM-DD` in `timeZone`).
    public var today: String
    /// The device's IANA time zone.
    public var timeZone: String
    /// Types the device does not check in this session (their `syncEvery` has not come round): the feed
    /// passes over their changes, and the session in which they are due again re-evaluates them.
    public var deferredTypes: [String]?
    /// Records the device holds by hand (`crm-desktop fetch`), id -> type: they belong on it whatever the
    /// filter says, until dropped. Nil when there are none (so such a filter encodes as before).
    public var fetched: [String: String]? = nil

    public init(
        name: String, types: [String: ResolvedTypeFilter], today: String, timeZone: String,
        deferredTypes: [String]? = nil
    ) {
        self.deferredTypes = deferredTypes
        self.name = name
        self.types = types
        self.today = today
        self.timeZone = timeZone
    }

    /// Whether `record` belongs on the device of `user` (visibility is checked apart).
    public func matches(_ record: Record, user: String) -> Bool {
        matches(record, user: user, calendar: calendar)
    }

    /// The same, with `calendar` made once for many records (`calendar` of this filter).
    public func matches(_ record: Record, user: String, calendar: Calendar) -> Bool {
        if let fetched, fetched[record.id] == record.type { return true }
        guard let filter = types[record.type] else { return false }
        return filter.matches(record, user: user, calendar: calendar)
    }

    /// A Gregorian calendar in the device's zone, which windows on datetime fields are evaluated in.
    public var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        return calendar
    }
}

/// The concrete rule for one type.
public struct ResolvedTypeFilter: Codable, Sendable, Equatable {
    public var records: TypeFilter.Ownership
    /// The preset's conditions and the administrator's master conditions, all of which must hold.
    public var conditions: [FieldCondition]
    public var window: ResolvedWindow?
    /// The most records of this type a device may keep.
    public var limit: Int?

    public init(
        records: TypeFilter.Ownership, conditions: [FieldCondition] = [], window: ResolvedWindow? = nil, limit: Int? = nil
    ) {
        self.records = records
        self.conditions = conditions
        self.window = window
        self.limit = limit
    }

    func matches(_ record: Record, user: String, calendar: Calendar) -> Bool {
        if records == .mine, record.owner != user, !record.team.contains(user) { return false }
        for condition in conditions where !RuleEvaluator.matches(condition, fields: record.fields) { return false }
        if let window, !window.contains(record.fields, calendar: calendar) { return false }
        return true
    }
}

/// A date window with its days fixed: a record is inside when its `field` falls on a day from `from` to `to`
/// (both included) in the device's time zone, or when `orWhen` holds.
public struct ResolvedWindow: Codable, Sendable, Equatable {
    public var field: String
    /// First and last day, `YYYY-MM-DD`.
    public var from: String
    public var to: String
    public var orWhen: FieldCondition?

    public init(field: String, from: String, to: String, orWhen: FieldCondition? = nil) {
        self.field = field
        self.from = from
        self.to = to
        self.orWhen = orWhen
    }

    func contains(_ fields: [String: FieldValue], calendar: Calendar) -> Bool {
        if let orWhen, RuleEvaluator.matches(orWhen, fields: fields) { return true }
        guard let text = fields[field]?.stringValue, let day = Self.day(of: text, calendar: calendar) else { return false }
        return day >= from && day <= to
    }

    /// The day of a date (as written) or of a datetime (in the calendar's zone); ISO days compare as text.
    static func day(of text: String, calendar: Calendar) -> String? {
        if text.count == 10, CalendarDate(text) != nil { return text }
        guard let instant = Timestamp.date(from: text) else { return nil }
        return DayArithmetic.day(of: instant, calendar: calendar)
    }
}

/// Days as `YYYY-MM-DD` text, computed with a Gregorian calendar in an explicit zone (never the machine's).
public enum DayArithmetic {
    public static func day(of instant: Date, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return day(of: instant, calendar: calendar)
    }

    /// The day of `instant` in `calendar`'s zone.
    public static func day(of instant: Date, calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        return format(parts.year!, parts.month!, parts.day!)
    }

    /// `day` moved by `offset` days.
    public static func adding(_ offset: Int, to day: String) -> String? {
        guard let date = CalendarDate(day) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var components = DateComponents()
        (components.year, components.month, components.day) = (date.year, date.month, date.day)
        guard let start = calendar.date(from: components),
            let moved = calendar.date(byAdding: .day, value: offset, to: start)
        else { return nil }
        let parts = calendar.dateComponents([.year, .month, .day], from: moved)
        return format(parts.year!, parts.month!, parts.day!)
    }

    static func format(_ year: Int, _ month: Int, _ day: Int) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-" + two(month) + "-" + two(day)
    }
}
