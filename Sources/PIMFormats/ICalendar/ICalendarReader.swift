import Foundation

/// Reads an iCalendar object (RFC 5545) into a tree of components, keeping every property and component, known
/// or not, in file order with its raw value.
public enum ICalendarReader {
    /// The VCALENDAR of the text. Errors name the line: a BEGIN without its END, an END that closes nothing or
    /// another component, a property outside the VCALENDAR, no VCALENDAR at all, a line that is not a property.
    ///
    /// A text holding several VCALENDARs (some exports concatenate them) gives the first one, with the components
    /// of the others appended to it (a VTIMEZONE whose TZID it already has is not repeated).
    public static func read(_ text: String) throws(PIMFormatError) -> ICalComponent {
        var body = text
        if body.unicodeScalars.first == "\u{FEFF}" { body.unicodeScalars.removeFirst() }
        let lines = try ICalLineReader.read(body)
        var stack: [(component: ICalComponent, line: Int)] = []
        var calendars: [ICalComponent] = []
        for line in lines {
            switch line.name {
            case "BEGIN":
                let name = line.value.trimmingSpaces().uppercased()
                guard !name.isEmpty else { throw PIMFormatError(line: line.line, "BEGIN without a component name") }
                if stack.isEmpty, name != "VCALENDAR" {
                    throw PIMFormatError(line: line.line, "BEGIN:\(name) outside a VCALENDAR")
                }
                stack.append((ICalComponent(name: name), line.line))
            case "END":
                let name = line.value.trimmingSpaces().uppercased()
                guard let open = stack.popLast() else {
                    throw PIMFormatError(line: line.line, "END:\(name) closes no component")
                }
                guard open.component.name == name else {
                    throw PIMFormatError(
                        line: line.line,
                        "END:\(name) does not close BEGIN:\(open.component.name) of line \(open.line)"
                    )
                }
                if stack.isEmpty {
                    calendars.append(open.component)
                } else {
                    stack[stack.count - 1].component.components.append(open.component)
                }
            default:
                guard !stack.isEmpty else {
                    throw PIMFormatError(line: line.line, "the property \(line.name) is outside the VCALENDAR")
                }
                stack[stack.count - 1].component.properties.append(line)
            }
        }
        if let open = stack.last {
            throw PIMFormatError(line: open.line, "BEGIN:\(open.component.name) has no END:\(open.component.name)")
        }
        guard var calendar = calendars.first else { throw PIMFormatError(line: 0, "the text holds no VCALENDAR") }
        for other in calendars.dropFirst() {
            for component in other.components {
                if component.name == "VTIMEZONE", let tzid = component.first("TZID")?.value,
                    calendar.timeZoneComponent(tzid: tzid) != nil
                {
                    continue
                }
                calendar.components.append(component)
            }
        }
        return calendar
    }

    /// The VCALENDAR of a file's bytes: UTF-8 (with or without a byte order mark), UTF-16 with a byte order
    /// mark, else Windows-1252 (which decodes any byte).
    public static func read(data: Data) throws(PIMFormatError) -> ICalComponent {
        try read(decode(data))
    }

    static func decode(_ data: Data) -> String {
        let bytes = [UInt8](data.prefix(3))
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]),
            let text = String(data: data, encoding: .utf16)
        {
            return text
        }
        if let text = String(data: data, encoding: .utf8) { return text }
        if let text = String(data: data, encoding: .windowsCP1252) { return text }
        return String(decoding: data, as: UTF8.self)
    }
}
