/// A DURATION value (RFC 5545 section 3.3.6): `P1W`, `P15DT5H0M20S`, `-PT10M`. Weeks and days are nominal (a day
/// is the same wall clock time the next day, 23 or 25 hours across a DST change); hours, minutes and seconds are
/// exact.
public struct ICalDuration: Sendable, Equatable {
    public var negative: Bool
    public var weeks: Int
    public var days: Int
    public var hours: Int
    public var minutes: Int
    public var seconds: Int

    public init(
        negative: Bool = false, weeks: Int = 0, days: Int = 0, hours: Int = 0, minutes: Int = 0, seconds: Int = 0
    ) {
        self.negative = negative
        self.weeks = weeks
        self.days = days
        self.hours = hours
        self.minutes = minutes
        self.seconds = seconds
    }

    /// The largest number a duration's part may have (`P1000000000W` is some 19 million years).
    static let maxNumber = 1_000_000_000

    /// Reads `[+-]P[nW][nD][T[nH][nM][nS]]` (case-insensitive); nil when the text is not a duration, or when a
    /// number in it is over a billion.
    public init?(_ text: String) {
        var characters = Substring(text.trimmingSpaces().uppercased())
        var negative = false
        if characters.first == "+" || characters.first == "-" {
            negative = characters.removeFirst() == "-"
        }
        guard characters.first == "P" else { return nil }
        characters.removeFirst()
        var inTime = false
        var number: Int?
        var result = ICalDuration(negative: negative)
        var sawField = false
        for character in characters {
            if let digit = character.wholeNumberValue, character.isASCII {
                // At most a billion of a unit: so weeks and hours turn into seconds without overflow.
                guard (number ?? 0) < Self.maxNumber / 10 else { return nil }
                number = (number ?? 0) * 10 + digit
                continue
            }
            if character == "T", number == nil, !inTime {
                inTime = true
                continue
            }
            guard let value = number else { return nil }
            switch (character, inTime) {
            case ("W", false): result.weeks = value
            case ("D", false): result.days = value
            case ("H", true): result.hours = value
            case ("M", true): result.minutes = value
            case ("S", true): result.seconds = value
            default: return nil
            }
            number = nil
            sawField = true
        }
        guard number == nil, sawField else { return nil }
        self = result
    }

    /// Whole days, negative when the duration is.
    var nominalDays: Int { (negative ? -1 : 1) * (weeks * 7 + days) }

    /// Hours, minutes and seconds in seconds, negative when the duration is.
    var exactSeconds: Int { (negative ? -1 : 1) * (hours * 3600 + minutes * 60 + seconds) }

    /// The value as RFC 5545 writes it (`PT0S` when zero).
    public var value: String {
        var text = negative ? "-P" : "P"
        if weeks != 0 { text += "\(weeks)W" }
        if days != 0 { text += "\(days)D" }
        if hours != 0 || minutes != 0 || seconds != 0 {
            text += "T"
            if hours != 0 { text += "\(hours)H" }
            if minutes != 0 { text += "\(minutes)M" }
            if seconds != 0 { text += "\(seconds)S" }
        }
        return text == "P" || text == "-P" ? "PT0S" : text
    }
}
