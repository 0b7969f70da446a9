/// Address headers (From, To, Cc, Reply-To...; RFC 5322 section 3.4 and the obsolete forms of section 4.4)
/// read leniently: display names quoted or not (with commas and escapes inside quotes), RFC 2047 words in
/// names, comments (`a@b (Ann)` names Ann), groups (`Team: a@x, b@y;`, `undisclosed-recipients:;`, whose
/// members are listed flat), bare and angle addresses, `;` used as a separator, and a missing `>` or comma.
/// Nothing here throws: a piece that is no mailbox is skipped.
enum AddressList {
    /// The mailboxes of a raw (not RFC 2047-decoded) header value, in order.
    static func parse(_ raw: String) -> [MailAddress] {
        var parser = Parser()
        for token in tokens(raw) { parser.take(token) }
        parser.finishMailbox()
        return parser.result
    }

    enum Token: Equatable {
        /// An atom or a quoted string: `text` as meant, `raw` as written, and whether whitespace came before.
        case word(text: String, raw: String, spaceBefore: Bool)
        case comment(String)
        case angle(String)
        case comma, semicolon, colon
    }

    private struct Parser {
        var result: [MailAddress] = []
        var words: [(text: String, raw: String, spaceBefore: Bool)] = []
        var comments: [String] = []
        var angle: String?
        var inGroup = false

        mutating func take(_ token: Token) {
            switch token {
            case .word(let text, let raw, let spaceBefore):
                if angle != nil { finishMailbox() }  // "A <a@x> B <b@y>": a comma is missing
                words.append((text, raw, spaceBefore))
            case .comment(let text): comments.append(text)
            case .angle(let text):
                if angle != nil { finishMailbox() }
                angle = text
            case .comma: finishMailbox()
            case .semicolon:
                finishMailbox()
                inGroup = false
            case .colon:
                if angle == nil, !inGroup {
                    words = []  // the group's name
                    comments = []
                    inGroup = true
                }
            }
        }

        mutating func finishMailbox() {
            defer {
                words = []
                comments = []
                angle = nil
            }
            let commentName = comments.map { AddressList.displayName($0) }.first { !$0.isEmpty }
            if let angle {
                let address = AddressList.cleanAngle(angle)
                guard !address.isEmpty else { return }
                let name = AddressList.displayName(phrase(words))
                result.append(MailAddress(name: name.isEmpty ? commentName : name, address: address))
                return
            }
            guard !words.isEmpty else { return }
            let joined = words.map(\.raw).joined()
            if !words.dropFirst().contains(where: \.spaceBefore) {
                // One word (or words written together, as `"john smith"@example.com`): an address.
                guard joined.contains("@") else { return }
                result.append(MailAddress(name: commentName, address: joined))
                return
            }
            // Words with spaces and no angle brackets: `John Smith john@example.com`.
            guard let last = words.lastIndex(where: { $0.raw.contains("@") }) else { return }
            var nameWords = words
            nameWords.remove(at: last)
            let name = AddressList.displayName(phrase(nameWords))
            result.append(MailAddress(name: name.isEmpty ? commentName : name, address: words[last].raw))
        }

        private func phrase(_ words: [(text: String, raw: String, spaceBefore: Bool)]) -> String {
            var text = ""
            for (index, word) in words.enumerated() {
                if index > 0, word.spaceBefore { text += " " }
                text += word.text
            }
            return text
        }
    }

    /// A display name: encoded words decoded, whitespace runs made one space, trimmed.
    static func displayName(_ phrase: String) -> String {
        let decoded = EncodedWord.decode(phrase)
        return decoded.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
            .joined(separator: " ")
    }

    /// The address inside `<...>`: whitespace and comments dropped, an obsolete source route (`@a,@b:`) and a
    /// `mailto:` prefix removed.
    static func cleanAngle(_ text: String) -> String {
        var address = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != " " && $0 != "\t" }))
        if address.hasPrefix("@"), let colon = address.firstIndex(of: ":") {
            address = String(address[address.index(after: colon)...])
        }
        if address.lowercased().hasPrefix("mailto:") { address = String(address.dropFirst(7)) }
        return address
    }

    /// The tokens of a header value. Encoded words are kept whole even when they hold specials (`,`, `:`).
    static func tokens(_ raw: String) -> [Token] {
        let scalars = Array(raw.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        var spaceBefore = false
        var failedUntil = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case " ", "\t", "\r", "\n":
                spaceBefore = true
                index += 1
                continue
            case ",": tokens.append(.comma); index += 1
            case ";": tokens.append(.semicolon); index += 1
            case ":": tokens.append(.colon); index += 1
            case "(":
                tokens.append(.comment(comment(scalars, from: &index)))
                spaceBefore = true
                continue
            case "<":
                let start = index + 1
                index = start
                while index < scalars.count, scalars[index] != ">" { index += 1 }
                tokens.append(.angle(String(String.UnicodeScalarView(scalars[start..<index]))))
                index += 1
            case "\"":
                var text = String.UnicodeScalarView()
                let start = index
                index += 1
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                    text.append(scalars[index])
                    index += 1
                }
                index = min(index + 1, scalars.count)
                let raw = String(String.UnicodeScalarView(scalars[start..<index]))
                tokens.append(.word(text: String(text), raw: raw, spaceBefore: spaceBefore))
            case ">", ")": index += 1  // stray closers
            default:
                let start = index
                while index < scalars.count {
                    if scalars[index] == "=", index + 1 < scalars.count, scalars[index + 1] == "?",
                        index >= failedUntil, let length = encodedWordLength(scalars, at: index, failedUntil: &failedUntil)
                    {
                        index += length
                        continue
                    }
                    if " \t\r\n,;:(<>\")".unicodeScalars.contains(scalars[index]) { break }
                    index += 1
                }
                let text = String(String.UnicodeScalarView(scalars[start..<index]))
                tokens.append(.word(text: text, raw: text, spaceBefore: spaceBefore))
            }
            spaceBefore = false
        }
        return tokens
    }

    /// A comment starting at `index` (its `(`), nesting and escapes honoured; `index` ends after it.
    private static func comment(_ scalars: [Unicode.Scalar], from index: inout Int) -> String {
        var depth = 0
        var text = String.UnicodeScalarView()
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if scalar == "\\", index < scalars.count {
                text.append(scalars[index])
                index += 1
                continue
            }
            if scalar == "(" {
                depth += 1
                if depth == 1 { continue }
            } else if scalar == ")" {
                depth -= 1
                if depth == 0 { break }
            }
            text.append(scalar)
        }
        return String(text)
    }

    /// The length of the encoded word (`=?cs?X?text?=`, no whitespace) at `start`, or nil. A search that runs
    /// into whitespace or the end sets `failedUntil` there: no word starts before it (keeps tokens linear).
    private static func encodedWordLength(_ scalars: [Unicode.Scalar], at start: Int, failedUntil: inout Int)
        -> Int?
    {
        var index = start + 2
        var questionMarks = 0
        while index < scalars.count, scalars[index] != " ", scalars[index] != "\t" {
            if scalars[index] == "?" {
                questionMarks += 1
                if questionMarks >= 3, index + 1 < scalars.count, scalars[index + 1] == "=" {
                    return index + 2 - start
                }
            }
            index += 1
        }
        failedUntil = index
        return nil
    }
}
