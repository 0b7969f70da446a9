import Foundation

/// Finds the IANA zone a TZID means. Files name zones in many ways: IANA names (`Europe/Berlin`), with a vendor
/// prefix (`/mozilla.org/20050126_1/Europe/Berlin`), Windows IDs (`W. Europe Standard Time`, written by Outlook
/// and Exchange), Windows display names (`(UTC+01:00) Amsterdam, Berlin, ...`, `Canberra, Melbourne, Sydney`), or
/// names of their own (`Eastern`, `GMT +0100 (Standard) / GMT +0200 (Daylight)`) defined only by the VTIMEZONE.
///
/// With a VTIMEZONE for the TZID in the calendar, its rules decide the times (the author's program computed them
/// with those rules), and the zone is, in this order:
/// 1. the zone the file names (the TZID as an IANA name, the VTIMEZONE's `X-LIC-LOCATION`, the TZID as a Windows
///    ID or display name) when its UTC offsets equal the ones the VTIMEZONE's observances give at the calendar's
///    times in that TZID (a VTIMEZONE may only define the years around them);
/// 2. else the IANA zone whose offsets equal the observances' throughout the years of those times (at each of
///    their transitions, each of the zone's, and mid-month), trying the zones of the Windows table in its order
///    (so the main zone of a region wins: `Europe/Berlin` for the EU rules at +01:00);
/// 3. otherwise the zone agreeing most (at least three quarters of those instants, and at the calendar's times),
///    else a fixed offset zone (`Etc/GMT-1` for whole hours) with the VTIMEZONE's offset at the first such time.
/// A VTIMEZONE whose rules cannot be read leaves the name to decide.
///
/// Without a VTIMEZONE: the Windows table, then the TZID as an IANA name, then the offset of a
/// `(UTC+01:00) ...` prefix as a fixed offset zone. A TZID that none of these resolve gives nil.
/// `TimeZone(identifier:)` knows IANA names only, and nothing here depends on the machine's zone.
public enum TimeZoneResolver {
    public static func resolve(tzid: String, in calendar: ICalComponent) -> TimeZone? {
        let name = unquoted(tzid)
        guard !name.isEmpty else { return nil }
        if let component = calendar.timeZoneComponent(tzid: name) {
            let named = ianaZone(name)
                ?? component.first("X-LIC-LOCATION").flatMap { ianaZone($0.value) }
                ?? ianaName(windows: name).flatMap(ianaZone)
            guard let definition = VTimeZoneDefinition(component) else {
                if let named { return named }
                return fallback(name)
            }
            let events = eventSamples(of: name, in: calendar, rules: definition)
            if let named, events.allSatisfy({ offset(of: named, at: $0.instant) == $0.offset }) { return named }
            return matchingZone(definition, years: years(of: name, in: calendar), around: events)
        }
        return fallback(name)
    }

    /// A TZID without a usable VTIMEZONE: the Windows table, an IANA name, a `(UTC+01:00) ...` offset.
    private static func fallback(_ name: String) -> TimeZone? {
        if let windows = ianaName(windows: name), let zone = ianaZone(windows) { return zone }
        if let zone = ianaZone(name) { return zone }
        if let offset = displayName(name)?.offset { return fixedZone(offset) }
        return nil
    }

    /// The IANA name for a Windows time zone ID (`W. Europe Standard Time` gives `Europe/Berlin`), also given as
    /// its daylight name (`W. Europe Daylight Time`) or display name, with or without its `(UTC+01:00)` or
    /// `(GMT+01:00)` prefix and accents (`(UTC-03:00) Brasília`); nil for a name the table does not know.
    public static func ianaName(windows: String) -> String? {
        let name = unquoted(windows)
        let key = name.lowercased()
        if let zone = WindowsZone.all.first(where: { $0.id.lowercased() == key }) { return zone.ianaName }
        if key.hasSuffix(" daylight time") {
            let standard = key.dropLast(" daylight time".count) + " standard time"
            if let zone = WindowsZone.all.first(where: { $0.id.lowercased() == standard }) { return zone.ianaName }
        }
        return displayMatch(name)?.ianaName
    }

    // MARK: - Names

    static func unquoted(_ text: String) -> String {
        var name = text.trimmingSpaces()
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
        return name.trimmingSpaces()
    }

    /// An IANA zone by its name, case-insensitively, also after a vendor prefix (`/mozilla.org/.../Europe/Berlin`,
    /// `/softwarestudio.org/Olson_20011030_5/America/New_York`) and under its older spelling (`Europe/Kyiv` on a
    /// system that only knows `Europe/Kiev`).
    static func ianaZone(_ name: String) -> TimeZone? {
        let name = unquoted(name)
        guard !name.isEmpty, !name.contains(" ") else { return nil }
        if let zone = knownZone(name) { return zone }
        var rest = Substring(name)
        while let slash = rest.firstIndex(of: "/") {
            rest = rest[rest.index(after: slash)...]
            if rest.contains("/"), let zone = knownZone(String(rest)) { return zone }
        }
        return nil
    }

    private static func knownZone(_ name: String) -> TimeZone? {
        if let zone = TimeZone(identifier: name) { return zone }
        if let alias = olderSpelling[name], let zone = TimeZone(identifier: alias) { return zone }
        let lowered = name.lowercased()
        if let known = TimeZone.knownTimeZoneIdentifiers.first(where: { $0.lowercased() == lowered }) {
            return TimeZone(identifier: known)
        }
        return nil
    }

    private static let olderSpelling: [String: String] = [
        "Europe/Kyiv": "Europe/Kiev", "America/Nuuk": "America/Godthab", "Asia/Kolkata": "Asia/Calcutta",
        "Asia/Kathmandu": "Asia/Katmandu", "Asia/Yangon": "Asia/Rangoon",
        "America/Argentina/Buenos_Aires": "America/Buenos_Aires",
        "America/Indiana/Indianapolis": "America/Indianapolis", "Etc/UTC": "UTC",
    ]

    /// A Windows display name split into its offset prefix (nil without one) and its place names, folded.
    static func displayName(_ text: String) -> (offset: Int?, places: String)? {
        var rest = Substring(unquoted(text))
        var offset: Int?
        if rest.hasPrefix("("), let close = rest.firstIndex(of: ")") {
            let inside = rest[rest.index(after: rest.startIndex)..<close].uppercased()
            guard inside.hasPrefix("UTC") || inside.hasPrefix("GMT") else { return nil }
            let sign = inside.dropFirst(3)
            if sign.isEmpty {
                offset = 0
            } else {
                let parts = sign.dropFirst().split(separator: ":")
                // Offsets on Earth are within 14 hours; a longer number is no display name (and would overflow).
                guard let first = sign.first, first == "+" || first == "-",
                    let hours = parts.first.flatMap({ Int($0) }), (0...14).contains(hours)
                else { return nil }
                let minutes = parts.count > 1 ? Int(parts[1]) : 0
                guard let minutes, (0...59).contains(minutes) else { return nil }
                offset = (first == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
            }
            rest = rest[rest.index(after: close)...]
        }
        let places = fold(String(rest))
        guard !places.isEmpty else { return offset.map { ($0, "") } }
        return (offset, places)
    }

    private static func fold(_ text: String) -> String {
        text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
            .split(separator: ",").map { $0.split(separator: " ").joined(separator: " ") }
            .joined(separator: ",")
    }

    /// The Windows zone whose display name is `text`: the same place names (with any prefix; the prefix's offset
    /// breaks ties, since Windows changed some offsets over time), else the most place names in common.
    static func displayMatch(_ text: String) -> WindowsZone? {
        guard let wanted = displayName(text), !wanted.places.isEmpty else { return nil }
        let entries = WindowsZone.all.compactMap { zone in displayName(zone.displayName).map { (zone, $0) } }
        let exact = entries.filter { $0.1.places == wanted.places }
        if let match = exact.first(where: { $0.1.offset == wanted.offset }) ?? exact.first { return match.0 }
        let places = Set(wanted.places.split(separator: ","))
        var best: (zone: WindowsZone, common: Int, sameOffset: Bool)?
        for (zone, display) in entries {
            let common = places.intersection(display.places.split(separator: ",")).count
            guard common > 0 else { continue }
            let sameOffset = wanted.offset != nil && display.offset == wanted.offset
            if best == nil || common > best!.common || (common == best!.common && sameOffset && !best!.sameOffset) {
                best = (zone, common, sameOffset)
            }
        }
        return best?.zone
    }

    /// `Etc/GMT-1` for +01:00 (IANA's inverted sign), else a zone with that offset.
    static func fixedZone(_ offset: Int) -> TimeZone? {
        if offset == 0 { return TimeZone(identifier: "UTC") }
        if offset % 3600 == 0, abs(offset) <= 14 * 3600 {
            let hours = -offset / 3600
            if let zone = TimeZone(identifier: "Etc/GMT" + (hours > 0 ? "+" : "") + String(hours)) { return zone }
        }
        return TimeZone(secondsFromGMT: offset)
    }
}
