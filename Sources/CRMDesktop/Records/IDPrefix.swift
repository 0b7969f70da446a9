/// Ids as users type them: the whole id, or its first characters (at least 4) when they name one item only.
/// Record ids are long UUIDs; a prefix is what people copy from a table.
public enum IDPrefix {
    /// The one item whose id is `typed` or starts with it, or `.notFound` with `missing` (none) or a request
    /// for more characters (several), naming `field`.
    public static func unique<Item>(
        _ typed: String, among items: [Item], id: (Item) -> String, what: String, missing: String, field: String
    ) throws -> Item {
        let wanted = typed.lowercased()
        if let exact = items.first(where: { id($0) == wanted }) { return exact }
        let matches = wanted.count >= 4 ? items.filter { id($0).hasPrefix(wanted) } : []
        guard matches.count == 1, let found = matches.first else {
            throw DesktopError(
                .notFound,
                matches.count > 1 ? "'\(typed)' matches \(matches.count) \(what); give more of the id" : missing,
                field: field)
        }
        return found
    }
}
