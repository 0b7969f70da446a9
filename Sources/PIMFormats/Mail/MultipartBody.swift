/// The parts of a multipart body (RFC 2046 section 5.1): found by their delimiter lines `--boundary`, the last
/// one `--boundary--`. The line break before a delimiter belongs to it; preamble and epilogue are dropped.
/// A delimiter may be followed by whitespace only, so a boundary that is the prefix of a nested one (against
/// the RFC, but seen) still splits right.
struct MultipartBody {
    /// The parts' ranges (header and body), and whether the closing delimiter was there.
    var parts: [Range<Int>]
    var isClosed: Bool

    /// Nil when no delimiter line occurs in `body`.
    init?(_ source: MailBytes, body: Range<Int>, boundary: String) {
        let delimiter = Array(("--" + boundary).utf8)
        parts = []
        isClosed = false
        var partStart: Int?
        var index = body.lowerBound
        var previousLineBreakStart = body.lowerBound  // where the line break before the current line starts
        while index < body.upperBound {
            let line = source.line(at: index, limit: body.upperBound)
            if line.contentEnd - line.start >= delimiter.count, source.bytes[line.start] == 0x2D,
                source.hasPrefix(delimiter, at: line.start, limit: line.contentEnd)
            {
                var after = line.start + delimiter.count
                let isClose = source.hasPrefix([0x2D, 0x2D], at: after, limit: line.contentEnd)
                if isClose { after += 2 }
                if source.isBlank(after..<line.contentEnd) {
                    if let start = partStart { parts.append(start..<max(start, previousLineBreakStart)) }
                    if isClose {
                        isClosed = true
                        return
                    }
                    partStart = line.end
                }
            }
            previousLineBreakStart = line.contentEnd
            index = line.end
        }
        guard let start = partStart else { return nil }
        parts.append(start..<body.upperBound)  // no closing delimiter: the last part runs to the end
    }
}
