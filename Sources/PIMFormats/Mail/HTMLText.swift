/// HTML bodies turned into readable text for a CRM activity: paragraphs and headings as blank lines, `<br>`,
/// `<div>` and table rows as line breaks, list items as `- item`, links as `text (url)`, `<pre>` kept as
/// laid out, entities decoded, and `<script>`, `<style>`, `<head>` and comments dropped. A tag-soup
/// tolerant scanner over UTF-8 bytes, not a DOM: unclosed and stray tags do no harm, and time is linear.
enum HTMLText {
    static func plainText(_ html: String) -> String {
        var scanner = Scanner(Array(html.utf8))
        scanner.run()
        return tidy(scanner.output)
    }

    /// What a tag does to the text.
    private enum TagKind {
        case skipContent, lineBreak, paragraph, block, listItem, cell, pre, link, image
    }

    private static let tagKinds: [String: TagKind] = {
        var table: [String: TagKind] = ["br": .lineBreak, "li": .listItem, "td": .cell, "th": .cell, "pre": .pre,
                                        "a": .link, "img": .image]
        for name in ["script", "style", "head", "title", "template", "noscript"] { table[name] = .skipContent }
        for name in ["p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol", "dl", "hr"] {
            table[name] = .paragraph
        }
        for name in ["div", "tr", "section", "article", "header", "footer", "address", "center", "form", "dd", "dt",
                     "figure", "caption", "nav", "main", "aside"] {
            table[name] = .block
        }
        return table
    }()

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var output: [UInt8] = []
        var preDepth = 0
        var pendingSpace = false
        /// Open links: their href and where their text started in `output`.
        var links: [(href: String, start: Int)] = []

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            output.reserveCapacity(bytes.count / 2)
        }

        mutating func run() {
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x3C {  // <
                    tag()
                } else if byte == 0x26 {  // &
                    let (text, length) = HTMLEntities.decode(bytes, at: index)
                    emitText(Array(text.utf8))
                    index += length
                } else {
                    var end = index + 1
                    while end < bytes.count, bytes[end] != 0x3C, bytes[end] != 0x26 { end += 1 }
                    emitText(bytes[index..<end])
                    index = end
                }
            }
        }

        /// Text: whitespace runs become one space (outside `<pre>`), a no-break space a space.
        private mutating func emitText(_ text: some Collection<UInt8>) {
            var previous: UInt8 = 0
            for byte in text {
                defer { previous = byte }
                if preDepth > 0 {
                    if byte != 0x0D { output.append(byte) }
                    continue
                }
                if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C {
                    pendingSpace = true
                    continue
                }
                if previous == 0xC2, byte == 0xA0 {  // U+00A0: its first byte was written already
                    output.removeLast()
                    output.append(0x20)
                    continue
                }
                if pendingSpace, let last = output.last, last != 0x0A, last != 0x20 { output.append(0x20) }
                pendingSpace = false
                output.append(byte)
            }
        }

        private mutating func dropTrailingSpaces() {
            pendingSpace = false
            while output.last == 0x20 { output.removeLast() }
        }

        /// Ends the current line; `blank` leaves an empty line after it (paragraphs).
        private mutating func breakLine(blank: Bool) {
            dropTrailingSpaces()
            guard !output.isEmpty else { return }
            var trailing = 0
            while trailing < output.count, output[output.count - 1 - trailing] == 0x0A { trailing += 1 }
            for _ in trailing..<max(trailing, blank ? 2 : 1) { output.append(0x0A) }
        }

        private mutating func tag() {
            if matches("<!--", at: index) {
                index = find("-->", from: index + 4).map { $0 + 3 } ?? bytes.count
                return
            }
            guard index + 1 < bytes.count, Self.opensTag(bytes[index + 1]) else {
                index += 1
                emitText([0x3C])  // `<` that opens no tag (`a < b`): text
                return
            }
            let start = index
            var end = index + 1
            var quote: UInt8?
            while end < bytes.count {
                let byte = bytes[end]
                if let open = quote {
                    if byte == open { quote = nil }
                } else if byte == 0x22 || byte == 0x27 {
                    quote = byte
                } else if byte == 0x3E {
                    break
                }
                end += 1
            }
            let inside = bytes[(start + 1)..<min(end, bytes.count)]
            index = min(end + 1, bytes.count)
            let closing = inside.first == 0x2F
            let nameBytes = inside.drop { $0 == 0x2F }.prefix { Self.isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) }
            guard nameBytes.count <= 10, let kind = tagKinds[String(decoding: nameBytes, as: UTF8.self).lowercased()]
            else { return }
            handle(kind, name: nameBytes, closing: closing, attributes: inside)
        }

        private mutating func handle(_ kind: TagKind, name: ArraySlice<UInt8>, closing: Bool,
                                     attributes: ArraySlice<UInt8>) {
            switch kind {
            case .skipContent:
                guard !closing else { return }
                index = findClosing(Array(name)) ?? bytes.count
            case .lineBreak:
                dropTrailingSpaces()
                if !output.isEmpty { output.append(0x0A) }
            case .paragraph: breakLine(blank: true)
            case .block: breakLine(blank: false)
            case .listItem:
                breakLine(blank: false)
                if !closing { output += [0x2D, 0x20] }  // "- "
            case .cell:
                if closing { pendingSpace = true } else if let last = output.last, last != 0x0A { output.append(0x20) }
            case .pre:
                breakLine(blank: true)
                preDepth = max(0, preDepth + (closing ? -1 : 1))
            case .link:
                if closing {
                    closeLink()
                } else if links.count < 32 {  // deeper nesting is tag soup; a bound keeps it linear
                    links.append((Self.attribute("href", in: attributes) ?? "", output.count))
                }
            case .image:
                if let alt = Self.attribute("alt", in: attributes), !alt.isEmpty { emitText(Array(alt.utf8)) }
            }
        }

        /// Writes ` (url)` after a link's text, unless the text is the url or the link goes nowhere useful.
        private mutating func closeLink() {
            guard let link = links.popLast() else { return }
            // Browsers drop line breaks and tabs from URLs; mailers fold long href values.
            let href = String(decoding: link.href.utf8.filter { $0 > 0x20 }, as: UTF8.self)
            guard !href.isEmpty, !href.hasPrefix("#"), !href.lowercased().hasPrefix("javascript:") else { return }
            let shown = href.lowercased().hasPrefix("mailto:") ? String(href.dropFirst(7)) : href
            let start = min(link.start, output.count)
            // Text much longer than the URL cannot be the URL; not comparing it keeps nested links linear.
            if output.count - start > href.utf8.count + 64 {
                output += Array(" (\(shown))".utf8)
                return
            }
            let text = output[start...].filter { $0 > 0x20 }
            if text.isEmpty {
                emitText(Array(shown.utf8))
            } else if text != Array(shown.utf8), text != Array(href.utf8) {
                output += Array(" (\(shown))".utf8)
            }
        }

        private func matches(_ text: String, at position: Int) -> Bool {
            var offset = position
            for byte in text.utf8 {
                guard offset < bytes.count, Self.lower(bytes[offset]) == byte else { return false }
                offset += 1
            }
            return true
        }

        private func find(_ text: String, from position: Int) -> Int? {
            let first = text.utf8.first
            var offset = position
            while offset < bytes.count {
                if bytes[offset] == first, matches(text, at: offset) { return offset }
                offset += 1
            }
            return nil
        }

        /// The offset after `</name ...>`.
        private func findClosing(_ name: [UInt8]) -> Int? {
            guard let start = find("</" + String(decoding: name, as: UTF8.self).lowercased(), from: index) else {
                return nil
            }
            var end = start
            while end < bytes.count, bytes[end] != 0x3E { end += 1 }
            return min(end + 1, bytes.count)
        }

        /// The value of attribute `name` (lowercase) in a tag's text, entities decoded.
        static func attribute(_ name: String, in tag: ArraySlice<UInt8>) -> String? {
            let tag = Array(tag)
            let key = Array(name.utf8)
            var index = 0
            while index + key.count <= tag.count {
                defer { index += 1 }
                guard index == 0 || tag[index - 1] <= 0x20 || tag[index - 1] == 0x2F,
                    zip(tag[index..<(index + key.count)], key).allSatisfy({ lower($0) == $1 })
                else { continue }
                var position = index + key.count
                while position < tag.count, tag[position] <= 0x20 { position += 1 }
                guard position < tag.count, tag[position] == 0x3D else { continue }  // =
                position += 1
                while position < tag.count, tag[position] <= 0x20 { position += 1 }
                var end = position
                if position < tag.count, tag[position] == 0x22 || tag[position] == 0x27 {
                    let quote = tag[position]
                    position += 1
                    end = position
                    while end < tag.count, tag[end] != quote { end += 1 }
                } else {
                    while end < tag.count, tag[end] > 0x20, tag[end] != 0x3E { end += 1 }
                }
                return HTMLEntities.decodeAll(String(decoding: tag[position..<end], as: UTF8.self))
            }
            return nil
        }

        static func opensTag(_ byte: UInt8) -> Bool {
            byte == 0x2F || byte == 0x21 || byte == 0x3F || isLetter(byte)
        }

        static func isLetter(_ byte: UInt8) -> Bool {
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A)
        }

        static func lower(_ byte: UInt8) -> UInt8 {
            byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte
        }
    }

    /// Trailing spaces of lines dropped, runs of blank lines made one, leading and trailing blank lines removed.
    private static func tidy(_ bytes: [UInt8]) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var blankRun = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            var trimmed = line
            while let last = trimmed.last, last == 0x20 || last == 0x09 { trimmed = trimmed.dropLast() }
            if trimmed.isEmpty {
                blankRun += 1
                if blankRun > 1 || result.isEmpty { continue }
            } else {
                blankRun = 0
            }
            if !result.isEmpty { result.append(0x0A) }
            result += trimmed
        }
        while result.last == 0x0A { result.removeLast() }
        return String(decoding: result, as: UTF8.self)
    }
}
