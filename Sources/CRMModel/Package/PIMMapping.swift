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
    /// What deleting a CRM item in the PIM does: `unshare` (default: the record stays in the CRM and leaves the
    /// PIM) or `delete` (the record is deleted in the CRM too).
    public var onDelete: DeleteRule?
    /// Value tables of fields whose values the PIM writes differently (`STATUS`, `PRIORITY`): CRM field -> CRM
    /// value -> the PIM's values, comma-separated; the first is written, any of them is read
    /// (`status: {Done: COMPLETED, Planned: "NEEDS-ACTION,TENTATIVE"}`). A field without a table travels as is.
    public var values: [String: [String: String]]?

    /// What deleting a CRM item in the PIM does.
    public enum DeleteRule: String, Codable, Sendable, CaseIterable {
        case unshare, delete
    }

    public init(
        component: Component, when: FieldCondition? = nil, properties: [String: String], onDelete: DeleteRule? = nil,
        values: [String: [String: String]]? = nil
    ) {
        self.component = component
        self.when = when
        self.properties = properties
        self.onDelete = onDelete
        self.values = values
    }
}
