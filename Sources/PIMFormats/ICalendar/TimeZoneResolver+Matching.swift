import Foundation

extension TimeZoneResolver {
    /// The IANA zone that keeps the time the VTIMEZONE `definition` defines in `years` (see the type's
    /// documentation, steps 2 and 3).
    static func matchingZone(
        _ definition: VTimeZoneDefinition, years: [Int], around events: [(instant: Int, offset: Int)] = []
    ) -> TimeZone? {
        let samples = ruleSamples(definition, years: years)
        var seen = Set<String>()
        var best: (zone: TimeZone, agreeing: Int)?
        for entry in WindowsZone.all where seen.insert(entry.ianaName).inserted {
            guard let zone = ianaZone(entry.ianaName) else { continue }
            // Cheap first: January and July of the first year.
            guard offset(of: zone, at: samples[0].instant) == samples[0].offset,
                offset(of: zone, at: samples[6].instant) == samples[6].offset
            else { continue }
            let atEvents = events.allSatisfy { offset(of: zone, at: $0.instant) == $0.offset }
            let found = agreement(of: zone, with: definition, years: years, samples: samples)
            if found.isComplete, atEvents { return zone }
            if atEvents, found.agreeing * 4 >= found.total * 3, best == nil || found.agreeing > best!.agreeing {
                best = (zone, found.agreeing)
            }
        }
        if let best { return best.zone }
        return fixedZone(events.first?.offset ?? samples[0].offset)
    }

    /// The calendar's times written with `tzid` (outside VTIMEZONEs, the first few), as instants by the rules of
    /// its VTIMEZONE, with the offset those rules give there.
    static func eventSamples(of tzid: String, in calendar: ICalComponent, rules: VTimeZoneDefinition)
        -> [(instant: Int, offset: Int)]
    {
        var samples: [(instant: Int, offset: Int)] = []
        func scan(_ component: ICalComponent) {
            guard component.name != "VTIMEZONE", samples.count < 16 else { return }
            for line in component.properties {
                guard let value = line.parameter("TZID"), unquoted(value.joined(separator: ",")) == tzid
                else { continue }
                for part in line.value.split(separator: ",").prefix(4) {
                    guard let time = ICalDateTime.parseValue(String(part).trimmingSpaces()), time.kind == .floating
                    else { continue }
                    let local = time.localSeconds
                    let instant = CivilTime.instant(local: local, offsetAt: rules.offset(at:))
                    samples.append((instant, local - instant))
                }
            }
            component.components.forEach(scan)
        }
        scan(calendar)
        return samples
    }

    /// At how many instants of `years` `zone` has the UTC offset the VTIMEZONE's rules give: mid-month, an hour
    /// either side of each of the rules' transitions, and an hour either side of each of the zone's.
    static func agreement(
        of zone: TimeZone, with definition: VTimeZoneDefinition, years: [Int],
        samples: [(instant: Int, offset: Int)]? = nil
    ) -> (agreeing: Int, total: Int, isComplete: Bool) {
        let years = years.isEmpty ? [CivilTime.year(of: CivilTime.seconds(of: Date()))] : years
        var all = samples ?? ruleSamples(definition, years: years)
        for year in years {
            var cursor = Date(timeIntervalSince1970: TimeInterval(CivilTime.seconds(year: year, month: 1, day: 1)))
            while let next = zone.nextDaylightSavingTimeTransition(after: cursor),
                CivilTime.year(of: CivilTime.seconds(of: next)) == year
            {
                let instant = CivilTime.seconds(of: next)
                all += [(instant - 3600, definition.offset(at: instant - 3600))]
                all += [(instant + 3600, definition.offset(at: instant + 3600))]
                cursor = next
            }
        }
        let agreeing = all.filter { offset(of: zone, at: $0.instant) == $0.offset }.count
        return (agreeing, all.count, agreeing == all.count)
    }

    /// The instants the rules are checked at, with the offset the rules give there: mid-month of each year, and
    /// an hour either side of each of the rules' transitions (January and July of the first year come first).
    static func ruleSamples(_ definition: VTimeZoneDefinition, years: [Int]) -> [(instant: Int, offset: Int)] {
        let years = years.isEmpty ? [CivilTime.year(of: CivilTime.seconds(of: Date()))] : years
        var instants: [Int] = []
        for year in years {
            for month in 1...12 { instants.append(CivilTime.seconds(year: year, month: month, day: 15, hour: 12)) }
            for transition in definition.transitions(years: year...year) {
                instants += [transition - 3600, transition + 3600]
            }
        }
        return instants.map { ($0, definition.offset(at: $0)) }
    }

    static func offset(of zone: TimeZone, at instant: Int) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    /// The years of the calendar's times written with `tzid` (outside VTIMEZONEs), first few in order.
    static func years(of tzid: String, in calendar: ICalComponent) -> [Int] {
        var years = Set<Int>()
        func scan(_ component: ICalComponent) {
            guard component.name != "VTIMEZONE" else { return }
            for line in component.properties {
                guard let value = line.parameter("TZID"), unquoted(value.joined(separator: ",")) == tzid,
                    let year = Int(line.value.trimmingSpaces().prefix(4))
                else { continue }
                years.insert(year)
            }
            component.components.forEach(scan)
        }
        scan(calendar)
        return Array(years.sorted().prefix(4))
    }
}
