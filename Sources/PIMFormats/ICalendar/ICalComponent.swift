/// A component of an iCalendar object (RFC 5545 section 3.6): VCALENDAR, VEVENT, VTODO, VTIMEZONE, STANDARD,
/// DAYLIGHT, VALARM, or any other, kept as read.
///
/// Properties keep their raw values (escapes and all) and their order, and nested components keep theirs, so a
/// component we do not understand, or a property we do not map, is written back exactly as it was read.
public struct ICalComponent: Sendable, Equatable, PropertyList {
    /// Upper-cased.
    public var name: String
    /// In file order, values as written (escaped).
    public var properties: [ContentLine]
    /// Nested components, in file order.
    public var components: [ICalComponent]

    public init(name: String, properties: [ContentLine] = [], components: [ICalComponent] = []) {
        self.name = name.uppercased()
        self.properties = properties
        self.components = components
    }




    /// Sets the TEXT value (escaped) of the first property named `name`, keeping its parameters, or appends the
    /// property; nil removes every property of that name.
    public mutating func setText(_ name: String, _ value: String?) {
        guard let value else {
            remove(name)
            return
        }
        let wanted = name.uppercased()
        if let index = properties.firstIndex(where: { $0.name == wanted }) {
            properties[index].value = TextValue.escape(value)
        } else {
            properties.append(ContentLine(name: wanted, value: TextValue.escape(value)))
        }
    }

    /// The unescaped values of a list property such as CATEGORIES or RESOURCES, over all its lines
    /// (`CATEGORIES:A,B` and `CATEGORIES:C` give `["A", "B", "C"]`).
    public func textList(_ name: String) -> [String] {
        all(name).flatMap { TextValue.split($0.value, on: ",").map(TextValue.unescape) }
    }

    /// Replaces every property named `name` by one line holding `values` (escaped, comma-separated), keeping the
    /// parameters of the first; an empty list removes them.
    public mutating func setTextList(_ name: String, _ values: [String]) {
        guard !values.isEmpty else {
            remove(name)
            return
        }
        let wanted = name.uppercased()
        let value = values.map(TextValue.escape).joined(separator: ",")
        if let index = properties.firstIndex(where: { $0.name == wanted }) {
            properties[index].value = value
            var seen = false
            properties.removeAll { line in
                guard line.name == wanted else { return false }
                defer { seen = true }
                return seen
            }
        } else {
            properties.append(ContentLine(name: wanted, value: value))
        }
    }

    /// Replaces the first property of the line's name, or appends the line.
    public mutating func set(_ line: ContentLine) {
        if let index = properties.firstIndex(where: { $0.name == line.name }) {
            properties[index] = line
        } else {
            properties.append(line)
        }
    }

    /// Removes every property named `name`.
    public mutating func remove(_ name: String) {
        let wanted = name.uppercased()
        properties.removeAll { $0.name == wanted }
    }

    /// The nested components named `name` (VEVENT, VTODO, VTIMEZONE...), in file order.
    public func components(_ name: String) -> [ICalComponent] {
        let wanted = name.uppercased()
        return components.filter { $0.name == wanted }
    }

    /// The VTIMEZONE of this calendar whose TZID is `tzid` (compared without surrounding spaces).
    public func timeZoneComponent(tzid: String) -> ICalComponent? {
        let wanted = tzid.trimmingSpaces()
        return components.first { $0.name == "VTIMEZONE" && $0.first("TZID")?.value.trimmingSpaces() == wanted }
    }

    /// A copy whose properties, at every depth, have line number 0: two components read from different texts
    /// (or one read and one made in code) compare equal when their content is.
    public var withoutLineNumbers: ICalComponent {
        var copy = self
        for index in copy.properties.indices { copy.properties[index].line = 0 }
        copy.components = components.map(\.withoutLineNumbers)
        return copy
    }
}
