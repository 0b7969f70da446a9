/// What an import did, row by row where it matters: counts, every rejected row with its line, field and
/// reason, and every row the duplicate rules matched to an existing record. The API answers it as JSON; the
/// command prints it.
public struct CSVImportReport: Codable, Sendable, Equatable {
    /// True when nothing was written (`--dry-run`): the counts say what would have happened.
    public var dryRun: Bool
    /// Data rows read (blank lines not counted).
    public var rows: Int = 0
    public var created: Int = 0
    public var updated: Int = 0
    /// Rows whose record already had every value of the row.
    public var unchanged: Int = 0
    /// Rows not loaded because they repeat an existing record (`duplicates: skip`).
    public var skipped: Int = 0
    /// Rows taken to be an existing record (`duplicates: link`).
    public var linked: Int = 0
    /// Rows refused; `rejected` has a line for each reason.
    public var rejectedRows: Int = 0
    public var rejected: [CSVRejectedRow] = []
    /// Rows the duplicate rules or global keys matched to an existing record, and what became of them.
    public var matched: [CSVMatchedRow] = []

    public init(dryRun: Bool) { self.dryRun = dryRun }
}

/// One reason a row was refused: `line N, field F: reason`.
public struct CSVRejectedRow: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The line the row starts on in the file (the header is line 1).
    public var line: Int
    /// The field (or `id`, `owner`, `team`) at fault; nil when the row as a whole is.
    public var field: String?
    public var reason: String

    public init(line: Int, field: String?, reason: String) {
        self.line = line
        self.field = field
        self.reason = reason
    }

    public var description: String {
        "line \(line)" + (field.map { ", field \($0)" } ?? "") + ": \(reason)"
    }
}

/// A row that repeats an existing record: which one, through which fields, and what the import did.
public struct CSVMatchedRow: Codable, Sendable, Equatable {
    public var line: Int
    /// The id of the existing record.
    public var existing: String
    /// The fields that matched (a duplicate rule's or a global key).
    public var fields: [String]
    /// `skipped`, `linked` or `updated` (or `unchanged`).
    public var outcome: String

    public init(line: Int, existing: String, fields: [String], outcome: String) {
        self.line = line
        self.existing = existing
        self.fields = fields
        self.outcome = outcome
    }
}

/// What an import does with a row that matches an existing record by the package's duplicate rules or global
/// keys.
public enum CSVDuplicateChoice: String, Sendable, CaseIterable, Codable {
    /// Leave the existing record as it is and load nothing for the row.
    case skip
    /// Take the row to be the existing record: report its id; for a global key held by a record the importing
    /// user cannot see, join its team (as a synced create does).
    case link
    /// Give the existing record the row's values.
    case update
}
