/// Text/plain with `format=flowed` (RFC 3676) unwrapped into paragraphs: a line ending in a space continues
/// on the next line of the same quote depth; with `DelSp=yes` that space was added by the sender and is
/// removed. Space-stuffing is undone, the signature separator `-- ` is never joined, and quoted lines come
/// out with one `>` per level followed by a space.
enum FlowedText {
    /// `text` has `\n` line endings.
    static func unwrap(_ text: String, deleteSpace: Bool) -> String {
        var output: [Substring] = []
        var paragraph = ""
        var paragraphDepth: Int?
        func finishParagraph() {
            guard let depth = paragraphDepth else { return }
            output.append(Substring(prefix(depth) + paragraph))
            paragraph = ""
            paragraphDepth = nil
        }
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = rawLine
            var depth = 0
            while line.first == ">" {
                depth += 1
                line = line.dropFirst()
            }
            if line.first == " " { line = line.dropFirst() }  // space-stuffing
            if paragraphDepth != nil, paragraphDepth != depth { finishParagraph() }
            let isSignature = line == "-- "
            let isFlowed = line.hasSuffix(" ") && !isSignature
            if isFlowed {
                paragraph += deleteSpace ? line.dropLast() : line
                paragraphDepth = depth
            } else {
                if isSignature { finishParagraph() }
                paragraph += line
                paragraphDepth = depth
                finishParagraph()
            }
        }
        finishParagraph()
        return output.joined(separator: "\n")
    }

    private static func prefix(_ depth: Int) -> String {
        depth == 0 ? "" : String(repeating: ">", count: depth) + " "
    }
}
