import CRMModel

/// One data row of an import file, its cells turned into values for the record's fields (an empty cell is no
/// value: a created record leaves the field empty, an updated one has it cleared).
struct CSVRow: Sendable {
    /// The line the row starts on.
    var line: Int
    var id: String?
    var owner: String?
    var team: [String]?
    /// Every field a column fills, `.null` for empty cells; a cell that does not fit its field is left out
    /// and reported in `issues`, together with what the validator finds in the others.
    var fields: [String: FieldValue]
    var issues: [CSVRowWriter.Issue] = []

    /// Why a row cannot be read at all: more cells than the header has columns.
    struct Rejection: Error {
        var issues: [CSVRowWriter.Issue]
    }

    static func read(line: Int, cells: [String], columns: CSVColumns, type: ObjectType) -> Result<CSVRow, Rejection> {
        if cells.count > columns.targets.count {
            return .failure(Rejection(issues: [
                CSVRowWriter.Issue(
                    field: nil,
                    reason: "the row has \(cells.count) cells but the header names \(columns.targets.count) columns")
            ]))
        }
        var row = CSVRow(line: line, fields: [:])
        var issues: [CSVRowWriter.Issue] = []
        for (index, target) in columns.targets.enumerated() {
            let cell = index < cells.count ? cells[index] : ""
            switch target {
            case .skipped: continue
            case .id:
                let text = cell.trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty else { continue }
                if let id = RecordID.canonical(text) {
                    row.id = id
                } else {
                    issues.append(CSVRowWriter.Issue(field: "id", reason: "'\(text)' is not a record id"))
                }
            case .owner:
                let name = cell.trimmingCharacters(in: .whitespaces)
                if !name.isEmpty { row.owner = name }
            case .team:
                row.team = CSVCell.names(cell)
            case .field(let name):
                guard let kind = type.fields[name]?.kind else { continue }
                switch CSVCell.value(cell, kind: kind) {
                case .success(let value): row.fields[name] = value
                case .failure(let error): issues.append(CSVRowWriter.Issue(field: name, reason: error.reason))
                }
            }
        }
        row.issues = issues
        return .success(row)
    }
}
