/// How records of one type appear in the user's messaging infrastructure (DESIGN section 4).
public struct PIMMapping: Codable, Sendable, Equatable {
    public enum Component: String, Codable, Sendable, CaseIterable {
        case vcard, vevent, vtodo
    }

    public var component: Component
    /// Only records for which this holds are mapped (an Activity with display "calendar" becomes a VEVENT).
    public var when: FieldCondition?
    /// CRM field name to vCard or iCalendar property (`N.family`, `EMAIL;TYPE=work`, `DTSTART`, ...).
    public var properties: [String: String]

    public init(component: Component, when: FieldCondition? = nil, properties: [String: String]) {
        self.component = component
        self.when = when
        self.properties = properties
    }
}
