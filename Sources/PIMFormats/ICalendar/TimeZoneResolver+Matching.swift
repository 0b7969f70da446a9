import Foundation

extension TimeZoneResolver {
    /// The IANA zone that keeps the time the VTIMEZONE `definition` defines in `years` (see the type's
    /// documentation, steps 3 and 4).
    static func matchingZone(_ definition: VTimeZoneDefinition, years: [Int]) -> TimeZone? {
        let years = years.isEmpty ? [CivilTime.year(of: CivilTime.seconds(of: Date()))] : years
        var samples: [Int] = []
        for year in years {
            for month in 1...12 { samples.append(CivilTime.seconds(year: year, month: month, day: 15, hour: 12)) }
            for transition in definition.transitions(years: year...year) {
                samples += [transition - 3600, transition + 3600]
            }
        }
        let expected = samples.map(definition.offset(at:))
        var seen = Set<String>()
        var best: (zone: TimeZone, agreeing: Int)?
        for entry in WindowsZone.all where seen.insert(entry.ianaName).inserted {
            guard let zone = ianaZone(entry.ianaName) else { continue }
            func offset(_ instant: Int) -> Int {
                zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
            }
            // Cheap first: January and July of the first year.
            guard offset(samples[0]) == expected[0], offset(samples[6]) == expected[6] else { continue }
            var zoneSamples: [(Int, Int)] = []
            for year in years {
                var cursor = Date(timeIntervalSince1970: TimeInterval(CivilTime.seconds(year: year, month: 1, day: 1)))
                while let next = zone.nextDaylightSavingTimeTransition(after: cursor),
                    CivilTime.year(of: CivilTime.seconds(of: next)) == year
                {
                    let instant = CivilTime.seconds(of: next)
                    zoneSamples += [(instant - 3600, definition.offset(at: instant - 3600))]
                    zoneSamples += [(instant + 3600, definition.offset(at: instant + 3600))]
                    cursor = next
                }
            }
            let all = zip(samples, expected).map { ($0, $1) } + zoneSamples
            let agreeing = all.filter { offset($0.0) == $0.1 }.count
            if agreeing == all.count { return zone }
            if agreeing * 4 >= all.count * 3, best == nil || agreeing > best!.agreeing { best = (zone, agreeing) }
        }
        if let best { return best.zone }
        return fixedZone(expected[0])
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
