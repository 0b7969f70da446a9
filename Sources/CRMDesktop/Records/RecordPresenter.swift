import CRMModel
import CRMSyncProtocol
import Foundation

/// Shows records the way the package's forms describe them: list columns for `list`, sections for `show`,
/// titles for references, labels from the field definitions. JSON is the records as the server writes them.
///
/// Everything here works on values already read from the replica, so the commands stay thin and tests need no
/// files: the caller reads the records, and hands referenced records' titles in as `titles` (id -> title).
public struct RecordPresenter: Sendable {
    /// Fields every record has besides the package's, by the names forms use for them.
    public static let systemFields = ["id", "version", "owner", "team", "createdAt", "updatedAt", "updatedBy"]
    /// How many characters of an id a table shows.
    public static let shortIDLength = 8

    public let package: CustomizationPackage
    /// The zone timestamps (created, updated) are shown in.
    public let timeZone: TimeZone

    public init(package: CustomizationPackage, timeZone: TimeZone = .current) {
        self.package = package
        self.timeZone = timeZone
    }

    // MARK: - Forms and fields

    /// The type's form, or a plain one (every field in one section, the first field as title) for a type the
    /// package gives no form.
    public func form(_ typeName: String) -> Form {
        if let form = package.forms?[typeName] { return form }
        let fields = (package.types[typeName]?.fields.keys.sorted()) ?? []
        let label = package.types[typeName]?.label ?? typeName
        return Form(
            title: Array(fields.prefix(1)), list: Array(fields.prefix(5)),
            sections: [FormSection(label: label, fields: fields)])
    }

    /// Whether `field` is a field of `typeName` or a system field.
    public func knows(_ field: String, type typeName: String) -> Bool {
        Self.systemFields.contains(field) || package.types[typeName]?.fields[field] != nil
    }

    /// The field's label from the package ("Account name"), a system field's own, or the name itself.
    public func label(_ field: String, type typeName: String) -> String {
        if let label = package.types[typeName]?.fields[field]?.label, !label.isEmpty { return label }
        switch field {
        case "id": return "Id"
        case "version": return "Version"
        case "owner": return "Owner"
        case "team": return "Team"
        case "createdAt": return "Created"
        case "updatedAt": return "Updated"
        case "updatedBy": return "Updated by"
        default: return field
        }
    }

    /// The field's kind (nil for system fields and unknown ones).
    public func kind(_ field: String, type typeName: String) -> FieldKind? {
        package.types[typeName]?.fields[field]?.kind
    }

    /// The value of a field or a system field of a record.
    public func value(_ field: String, of record: CRMModel.Record) -> FieldValue? {
        switch field {
        case "id": return .string(record.id)
        case "version": return .number(Decimal(record.version))
        case "owner": return .string(record.owner)
        case "team": return .array(record.team.map(FieldValue.string))
        case "createdAt": return .string(timestamp(record.createdAt))
        case "updatedAt": return .string(timestamp(record.updatedAt))
        case "updatedBy": return .string(record.updatedBy)
        default: return record.fields[field]
        }
    }

    /// A field as a person reads it: references as the titles of the records they name (ids where the title is
    /// not known), date-times in the presenter's zone to the minute, other values as `FieldText` shows them.
    public func text(_ field: String, of record: CRMModel.Record, titles: [String: String] = [:]) -> String {
        let value = value(field, of: record)
        let kind = kind(field, type: record.type)
        if kind == .datetime, let text = value?.stringValue, let date = Timestamp.date(from: text) {
            return timestamp(date)
        }
        if kind == .attachments { return FieldText.attachments(AttachmentRef.list(value)) }
        guard kind?.isReference == true else { return FieldText.display(value) }
        return Self.ids(in: value).map { titles[$0] ?? Self.shortID($0) }.joined(separator: ", ")
    }

    /// The field as it is stored, in text (ids in full): what CSV holds and what `--where` also matches.
    public func rawText(_ field: String, of record: CRMModel.Record) -> String {
        FieldText.display(value(field, of: record))
    }

    /// The record's title from its form's title fields ("Ada Lovelace"), else its short id.
    public func title(of record: CRMModel.Record) -> String {
        let parts = form(record.type).title.map { FieldText.display(record.fields[$0]) }.filter { !$0.isEmpty }
        return parts.isEmpty ? Self.shortID(record.id) : parts.joined(separator: " ")
    }

    /// The ids the reference fields among `fields` name in `records`: those whose titles a table shows.
    public func referencedIDs(in records: [LocalRecord], fields: [String]) -> Set<String> {
        var ids = Set<String>()
        for record in records {
            for field in fields where kind(field, type: record.type)?.isReference == true {
                ids.formUnion(Self.ids(in: record.fields[field]))
            }
        }
        return ids
    }

    // MARK: - Lists

    /// The list columns of a type: the form's `list` fields the role can see.
    public func columns(_ typeName: String) -> [String] {
        form(typeName).list.filter { knows($0, type: typeName) }
    }

    /// The table `list` shows: a short id column (marked `*` for unsent edits, `!` for failed ones and `(ref)`
    /// for read-only reference targets), then the form's list columns under their labels.
    ///
    /// - Parameter among: the ids the short ids must tell apart (all records of the type); the rows' by default.
    public func table(
        _ records: [LocalRecord], type typeName: String, titles: [String: String] = [:], among: [String]? = nil
    ) -> RecordTable {
        let columns = columns(typeName)
        let headers = ["ID"] + columns.map { label($0, type: typeName) }
        let short = Self.shortIDs(among ?? records.map(\.id))
        let rows = records.map { local in
            [(short[local.id] ?? local.id) + Self.marks(local)] + columns.map { text($0, of: local.record, titles: titles) }
        }
        return RecordTable(headers: headers, rows: rows)
    }

    /// For each id, its first `shortIDLength` characters, or more where ids share them (records made in the
    /// same minute share their time prefix): the shortest prefix that tells it from every other id given.
    public static func shortIDs(_ ids: [String]) -> [String: String] {
        let sorted = Set(ids).sorted()
        func common(_ a: String, _ b: String) -> Int { zip(a, b).prefix { $0 == $1 }.count }
        var result: [String: String] = [:]
        for (index, id) in sorted.enumerated() {
            var length = shortIDLength
            if index > 0 { length = max(length, common(sorted[index - 1], id) + 1) }
            if index + 1 < sorted.count { length = max(length, common(sorted[index + 1], id) + 1) }
            result[id] = String(id.prefix(length))
        }
        return result
    }

    /// CSV for scripts and spreadsheets: the full id, then the list columns under their field names, values as
    /// stored (reference ids in full), so a row can be fed back to `new` and `edit`.
    public func csv(_ records: [LocalRecord], type typeName: String) -> String {
        let columns = columns(typeName)
        let rows = records.map { local in [local.id] + columns.map { rawText($0, of: local.record) } }
        return RecordTable(headers: ["id"] + columns, rows: rows).csv()
    }

    /// A JSON array of the records as the server writes them (one record per line).
    public func json(_ records: [LocalRecord]) -> String {
        guard !records.isEmpty else { return "[]\n" }
        var bytes: [UInt8] = Array("[\n".utf8)
        for (index, local) in records.enumerated() {
            if index > 0 { bytes.append(contentsOf: ",\n".utf8) }
            RecordJSON.write(local.record, into: &bytes)
        }
        bytes.append(contentsOf: "\n]\n".utf8)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One record as the server writes it.
    public func json(_ record: LocalRecord) -> String {
        var bytes: [UInt8] = []
        RecordJSON.write(record.record, into: &bytes)
        return String(decoding: bytes, as: UTF8.self) + "\n"
    }

    /// What the marks in a table's id column mean, for a line under the table (nil when no row has one).
    public func legend(_ records: [LocalRecord]) -> String? {
        var parts: [String] = []
        if records.contains(where: { $0.pendingOps > $0.failedOps }) { parts.append("* unsent edits") }
        if records.contains(where: { $0.failedOps > 0 }) { parts.append("! edits the server refused (`crm-desktop status`)") }
        if records.contains(where: \.incomplete) {
            parts.append("(ref) read-only: here only because a record you sync refers to it")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    // MARK: - Helpers

    /// The first characters of an id, enough to tell records apart on one screen and to type back.
    public static func shortID(_ id: String) -> String { String(id.prefix(shortIDLength)) }

    static func marks(_ record: LocalRecord) -> String {
        var marks = ""
        if record.failedOps > 0 { marks += "!" } else if record.pendingOps > 0 { marks += "*" }
        if record.incomplete { marks += " (ref)" }
        return marks
    }

    static func ids(in value: FieldValue?) -> [String] {
        switch value {
        case .string(let id): [id]
        case .array(let values): values.compactMap(\.stringValue)
        default: []
        }
    }

    /// `2026-03-01 14:05` in the presenter's zone.
    public func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ value: Int?) -> String { (value ?? 0) < 10 ? "0\(value ?? 0)" : "\(value ?? 0)" }
        return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) \(two(parts.hour)):\(two(parts.minute))"
    }
}
