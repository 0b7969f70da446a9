/// How a type is shown: the fields that name a record, the list columns and the detail sections.
/// The desktop's commands and any UI render from forms.
public struct Form: Codable, Sendable, Equatable {
    /// Fields joined to make a record's title ("Ada Lovelace").
    public var title: [String]
    /// Columns of a list of records.
    public var list: [String]
    public var sections: [FormSection]

    public init(title: [String], list: [String], sections: [FormSection]) {
        self.title = title
        self.list = list
        self.sections = sections
    }
}

/// A labelled group of fields on a record's detail view, in order.
public struct FormSection: Codable, Sendable, Equatable {
    public var label: String
    public var fields: [String]

    public init(label: String, fields: [String]) {
        self.label = label
        self.fields = fields
    }
}
