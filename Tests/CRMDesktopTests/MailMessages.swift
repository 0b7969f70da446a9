import Foundation

/// Real-world-shaped email messages for the sharing tests, written as mail programs write them: CRLF lines,
/// RFC 2047 encoded headers, multipart/mixed with base64 attachments.
enum MailMessages {
    struct Attachment {
        var name: String
        var type: String
        var data: Data
    }

    static func message(
        from: String, to: [String], cc: [String] = [], subject: String, id: String?,
        body: String = "Hello,\r\n\r\nplease find the offer attached.\r\n\r\nRegards\r\n",
        date: String = "Tue, 24 Nov 2026 10:15:00 +0100", attachments: [Attachment] = [], extraHeaders: [String] = []
    ) -> Data {
        var headers = extraHeaders
        headers += ["From: \(from)", "To: \(to.joined(separator: ",\r\n "))"]
        if !cc.isEmpty { headers.append("Cc: \(cc.joined(separator: ", "))") }
        headers += ["Subject: \(subject)", "Date: \(date)"]
        if let id { headers.append("Message-ID: <\(id)>") }
        headers.append("MIME-Version: 1.0")
        guard !attachments.isEmpty else {
            headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
            return Data((headers.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
        }
        let boundary = "----=_Part_4711_0815.1764000000"
        headers.append("Content-Type: multipart/mixed;\r\n boundary=\"\(boundary)\"")
        var text = headers.joined(separator: "\r\n") + "\r\n\r\nThis is a multi-part message in MIME format.\r\n"
        text += "--\(boundary)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\(body)\r\n"
        for attachment in attachments {
            text += "--\(boundary)\r\nContent-Type: \(attachment.type); name=\"\(attachment.name)\"\r\n"
            text += "Content-Transfer-Encoding: base64\r\n"
            text += "Content-Disposition: attachment; filename=\"\(attachment.name)\"\r\n\r\n"
            text += attachment.data.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            text += "\r\n"
        }
        text += "--\(boundary)--\r\n"
        return Data(text.utf8)
    }

    /// A small PDF-like file (the bytes are what matter).
    static let offer = Attachment(
        name: "Angebot 2026.pdf", type: "application/pdf",
        data: Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8) + Data((0..<2048).map { UInt8($0 % 251) }))

    /// Writes `data` into a new file of a maildir's `sub` folder (`new` or `cur`), as a delivery agent does:
    /// first into `tmp/`, then renamed.
    static func deliver(_ data: Data, to maildir: String, name: String, sub: String = "new") throws -> String {
        for folder in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(atPath: maildir + "/" + folder, withIntermediateDirectories: true)
        }
        let temporary = maildir + "/tmp/" + name
        try data.write(to: URL(fileURLWithPath: temporary))
        let target = maildir + "/\(sub)/" + name + (sub == "cur" ? ":2,S" : "")
        try FileManager.default.moveItem(atPath: temporary, toPath: target)
        return target
    }
}
