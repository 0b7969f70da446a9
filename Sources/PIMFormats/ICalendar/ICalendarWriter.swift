/// Writes an iCalendar object as RFC 5545 wants it: CRLF line endings, lines folded at 75 octets, and everything
/// the component tree holds (unknown properties and components included) in its order.
public enum ICalendarWriter {
    /// The text of `calendar` (normally a VCALENDAR; any component is written the same way).
    public static func write(_ calendar: ICalComponent) -> String {
        var text = ""
        append(calendar, to: &text)
        return text
    }

    private static func append(_ component: ICalComponent, to text: inout String) {
        text += "BEGIN:" + component.name + "\r\n"
        text += ContentLineWriter.write(component.properties)
        for child in component.components { append(child, to: &text) }
        text += "END:" + component.name + "\r\n"
    }
}
