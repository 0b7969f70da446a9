/// HTML character references: numeric (`&#233;`, `&#xE9;`) and the named ones mail bodies use (Latin-1,
/// typographic punctuation, symbols). An unknown or broken reference is kept as written.
enum HTMLEntities {
    /// The text of the reference at `start` (which holds `&`) and how many bytes it spans.
    static func decode(_ bytes: [UInt8], at start: Int) -> (text: String, length: Int) {
        var end = start + 1
        while end < bytes.count, end - start <= 32, isNameByte(bytes[end]) { end += 1 }
        let body = String(decoding: bytes[(start + 1)..<end], as: UTF8.self)
        let hasSemicolon = end < bytes.count && bytes[end] == 0x3B
        let length = end - start + (hasSemicolon ? 1 : 0)
        if body.hasPrefix("#") {
            let digits = body.dropFirst()
            let value = digits.first == "x" || digits.first == "X"
                ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            guard let value else { return ("&", 1) }
            let replaced = windows1252Numeric[value] ?? value  // `&#150;` means the Windows-1252 dash
            guard replaced != 0, let scalar = Unicode.Scalar(replaced) else { return ("\u{FFFD}", length) }
            return (String(scalar), length)
        }
        if let text = named[body] { return (text, length) }
        if !hasSemicolon {
            // `&nbsp` without `;`, as old mailers write: the longest known name that starts the text.
            for cut in stride(from: body.count - 1, through: 2, by: -1) {
                if let text = named[String(body.prefix(cut))] { return (text, cut + 1) }
            }
        }
        return ("&", 1)
    }

    /// Every reference in `text` decoded.
    static func decodeAll(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x26 {
                let (decoded, length) = decode(bytes, at: index)
                output += Array(decoded.utf8)
                index += length
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
            || byte == 0x23
    }

    private static let windows1252Numeric: [UInt32: UInt32] = [
        128: 0x20AC, 130: 0x201A, 131: 0x0192, 132: 0x201E, 133: 0x2026, 134: 0x2020, 135: 0x2021, 136: 0x02C6,
        137: 0x2030, 138: 0x0160, 139: 0x2039, 140: 0x0152, 142: 0x017D, 145: 0x2018, 146: 0x2019, 147: 0x201C,
        148: 0x201D, 149: 0x2022, 150: 0x2013, 151: 0x2014, 152: 0x02DC, 153: 0x2122, 154: 0x0161, 155: 0x203A,
        156: 0x0153, 158: 0x017E, 159: 0x0178,
    ]

    private static let named: [String: String] = {
        var table: [String: String] = [
            "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "shy": "",
            "ensp": " ", "emsp": " ", "thinsp": " ", "zwnj": "", "zwj": "", "lrm": "", "rlm": "",
            "ndash": "–", "mdash": "—", "lsquo": "‘", "rsquo": "’", "sbquo": "‚", "ldquo": "“", "rdquo": "”",
            "bdquo": "„", "dagger": "†", "Dagger": "‡", "bull": "•", "hellip": "…", "permil": "‰", "prime": "′",
            "Prime": "″", "lsaquo": "‹", "rsaquo": "›", "oline": "‾", "frasl": "⁄", "euro": "€", "trade": "™",
            "larr": "←", "uarr": "↑", "rarr": "→", "darr": "↓", "harr": "↔", "minus": "−", "le": "≤", "ge": "≥",
            "ne": "≠", "asymp": "≈", "infin": "∞", "check": "✓", "OElig": "Œ", "oelig": "œ", "Scaron": "Š",
            "scaron": "š", "Yuml": "Ÿ", "fnof": "ƒ", "circ": "ˆ", "tilde": "˜", "alpha": "α", "beta": "β",
            "gamma": "γ", "delta": "δ", "pi": "π", "mu": "μ", "sigma": "σ", "omega": "ω", "Omega": "Ω",
        ]
        // Latin-1 (U+00A1-U+00FF) in the order of the HTML 4 entity list.
        let latin1 = [
            "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf", "laquo", "not", "",
            "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot", "cedil", "sup1",
            "ordm", "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc", "Atilde", "Auml",
            "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml",
            "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute",
            "Ucirc", "Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring",
            "aelig", "ccedil", "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth",
            "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute",
            "ucirc", "uuml", "yacute", "thorn", "yuml",
        ]
        for (offset, name) in latin1.enumerated() where !name.isEmpty {
            table[name] = String(Unicode.Scalar(UInt32(0xA1 + offset))!)
        }
        return table
    }()
}
