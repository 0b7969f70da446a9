import CRMModel

/// A field's value table from the package's PIM mapping (`values:`): which iCalendar value a CRM value is
/// written as (`Done` -> `COMPLETED`, `High` -> `3`) and which CRM value a PIM value is read as. Data in the
/// package, so a package with other lists (or other languages) maps its own values.
struct PIMValueTable: Sendable {
    /// CRM value -> the PIM's values, upper-cased; the first is the one written.
    let entries: [String: [String]]

    /// The table of `field` in `mapping`; nil when the mapping has none (the value travels as is).
    init?(_ mapping: PIMMapping, field: String) {
        guard let table = mapping.values?[field], !table.isEmpty else { return nil }
        entries = table.mapValues { text in
            text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
                .filter { !$0.isEmpty }
        }
    }

    /// What `crm` is written as; nil when the table does not name it.
    func pim(for crm: String) -> String? { entries[crm]?.first }

    /// Whether the PIM's `text` stands for `crm` (any of its values, any case).
    func reads(_ text: String, as crm: String) -> Bool { entries[crm]?.contains(text.uppercased()) ?? false }

    /// The CRM value the PIM's `text` stands for; nil for a value the table does not know.
    func crm(for text: String) -> String? {
        let wanted = text.uppercased()
        return entries.keys.sorted().first { entries[$0]!.contains(wanted) }
    }
}
