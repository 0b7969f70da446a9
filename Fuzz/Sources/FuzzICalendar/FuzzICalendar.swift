import Foundation
import PIMFormats

/// The date properties the iCalendar mapping reads from events, tasks and alarms.
private let dateProperties = ["DTSTART", "DTEND", "DUE", "RECURRENCE-ID", "EXDATE", "RDATE", "COMPLETED", "DTSTAMP"]

/// libFuzzer entry: reads the bytes as an iCalendar file, then does what the CRM mapping does with it: resolves
/// every date (TZID through the file's VTIMEZONE, the Windows table or IANA names), adds durations to starts, and
/// writes the calendar back. Errors are the expected answer to garbage; a trap, a memory error or a slow input is a
/// finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzICalendar(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let calendar = try? ICalendarReader.read(data: data) else { return 0 }
    func visit(_ component: ICalComponent) {
        for name in dateProperties {
            for line in component.all(name) {
                if let values = try? ICalDateTime.parseList(line, in: calendar) {
                    for value in values { _ = value.instant(floatingZone: TimeZone(identifier: "Europe/Berlin")) }
                }
            }
        }
        let start = component.first("DTSTART").flatMap { try? ICalDateTime.parse($0, in: calendar) }
        for line in component.all("DURATION") + component.all("TRIGGER") {
            if let duration = ICalDuration(line.value), let start { _ = start.adding(duration) }
        }
        component.components.forEach(visit)
    }
    visit(calendar)
    _ = ICalendarWriter.write(calendar)
    return 0
}
