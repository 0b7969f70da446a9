import Foundation

/// The words of a search, as both stores' indexes cut text: runs of letters and digits, lower-cased, without
/// diacritics. At most `maxWords` words are kept.
public struct SearchTerms: Sendable, Equatable {
    public static let maxWords = 16
    public var words: [String]

    /// - Parameter foldingDiacritics: remove diacritics (as SQLite's index does); PostgreSQL's index keeps them.
    public init(_ text: String, foldingDiacritics: Bool = true) {
        words = Array(Self.words(of: text, foldingDiacritics: foldingDiacritics).prefix(Self.maxWords))
    }

    /// The words of a text: letters and digits, lower-cased, diacritics removed unless asked to keep them.
    public static func words(of text: String, foldingDiacritics: Bool = true) -> [String] {
        let folded =
            foldingDiacritics
            ? text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) : text.lowercased()
        var result: [String] = []
        var current = ""
        for character in folded {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                result.append(current)
                current = ""
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// Whether a field takes part in the text index: not a reference by the naming rule.
    public static func isIndexed(field: String) -> Bool {
        !(field.hasSuffix("Id") || field.hasSuffix("Ids"))
    }

    /// Whether the record's indexed fields outside `hidden` hold every word (the last as a prefix): the check that
    /// keeps a hidden field from finding a record.
    public func matches(_ record: Record, hiding hidden: Set<String>) -> Bool {
        var present = Set<String>()
        for (field, value) in record.fields where !hidden.contains(field) && Self.isIndexed(field: field) {
            if case .string(let text) = value { present.formUnion(Self.words(of: text)) }
        }
        for (index, word) in words.enumerated() {
            if index == words.count - 1 {
                if !present.contains(where: { $0.hasPrefix(word) }) { return false }
            } else if !present.contains(word) {
                return false
            }
        }
        return true
    }

    /// An FTS5 query: every word quoted (so nothing in it is syntax), the last as a prefix.
    public var fts5Query: String {
        words.enumerated().map { index, word in
            "\"\(word)\"" + (index == words.count - 1 ? "*" : "")
        }.joined(separator: " ")
    }

    /// A PostgreSQL `to_tsquery('simple', ...)` text: words joined by `&`, the last as a prefix (`:*`). Words
    /// are letters and digits only, so nothing in them is syntax.
    public var tsQuery: String {
        words.enumerated().map { index, word in
            word + (index == words.count - 1 ? ":*" : "")
        }.joined(separator: " & ")
    }
}
