import CRMModel
import Crypto
import Foundation
import PIMFormats

/// Turns a read email into the record the package's email mapping describes (DESIGN section 4): parts to
/// fields, direction from the user's own addresses, contacts by address, their account, and the one open
/// opportunity of that account. Pure: the directory is the CRM as the replica sees it.
public struct EmailPlanner: Sendable {
    public let mapping: EmailMapping
    public let type: ObjectType
    /// The package's own validator: an attachment it would refuse is left out, not the whole email.
    let validator: RecordValidator

    /// A planner for the package's email mapping; nil when the package takes no emails.
    public init?(package: CustomizationPackage) {
        guard let mapping = package.email, let type = package.types[mapping.type] else { return nil }
        self.mapping = mapping
        self.type = type
        self.validator = RecordValidator(base: package, view: package)
    }

    /// The record `message` becomes. `opportunityID` is the user's choice among several open opportunities
    /// (or any open opportunity of the email's account).
    ///
    /// - Throws: `EmailPlanError` when `opportunityID` is not an open opportunity of the email's account.
    public func plan(
        _ message: MailMessage, directory: EmailDirectory, opportunityID: String? = nil
    ) throws(EmailPlanError) -> SharedEmail {
        let own = directory.userAddresses
        let outbound = message.from.contains { own.contains($0.lowercasedAddress) }
            || (message.from.isEmpty && message.sender.map { own.contains($0.lowercasedAddress) } == true)
        let counterparts = Self.unique(outbound ? message.to + message.cc + message.bcc : message.from + message.to + message.cc)
            .filter { !own.contains($0.lowercasedAddress) }
        var contacts: [EmailDirectory.Contact] = []
        var unknown: [MailAddress] = []
        for address in counterparts {
            let found = directory.contacts(for: address.address)
            if found.isEmpty { unknown.append(address) }
            for contact in found where !contacts.contains(where: { $0.id == contact.id }) { contacts.append(contact) }
        }
        // The account the contacts agree on; contacts of several accounts link none (the user settles it by
        // choosing an opportunity, which names its account).
        var accounts: [String] = []
        if mapping.match.accountField != nil {
            for id in contacts.compactMap(\.accountID) where !accounts.contains(id) { accounts.append(id) }
        }
        var accountID = accounts.count == 1 ? accounts[0] : nil
        let opportunity = try link(accounts: accounts, directory: directory, chosen: opportunityID)
        if case .linked(let chosen) = opportunity { accountID = chosen.accountID }

        var fields: [String: FieldValue] = [:]
        for (name, value) in mapping.set ?? [:] {
            fields[name] = Self.value(value, kind: type.fields[name]?.kind)
        }
        let originalID = message.messageID.flatMap { $0.isEmpty ? nil : $0 } ?? Self.derivedMessageID(message)
        let messageID = storedID(originalID, field: .messageId)
        let subject = message.subject?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty ?? "(no subject)"
        put(.messageId, .string(messageID), into: &fields)
        put(.subject, .string(cut(subject, field: .subject)), into: &fields)
        put(.date, message.date.map { .string(Timestamp.string(from: $0)) } ?? .null, into: &fields)
        put(.from, Self.text(message.from).map { .string(cut($0, field: .from)) } ?? .null, into: &fields)
        put(.to, Self.text(message.to).map { .string(cut($0, field: .to)) } ?? .null, into: &fields)
        put(.cc, Self.text(message.cc).map { .string(cut($0, field: .cc)) } ?? .null, into: &fields)
        put(.direction, .string(outbound ? "outbound" : "inbound"), into: &fields)
        let inReplyTo = message.inReplyTo.first.map { storedID($0, field: .inReplyTo) }
        put(.inReplyTo, inReplyTo.map(FieldValue.string) ?? .null, into: &fields)
        if !contacts.isEmpty { put(.contacts, .array(contacts.map { .string($0.id) }), into: &fields) }
        if let accountID { put(.account, .string(accountID), into: &fields) }
        if case .linked(let chosen) = opportunity { put(.opportunity, .string(chosen.id), into: &fields) }

        let (attachments, skipped) = split(message.attachments)
        if let name = mapping.field(.attachments), !attachments.isEmpty {
            fields[name] = AttachmentRef.value(attachments.map(\.ref))
        }
        var truncatedAt: Int?
        if let name = mapping.field(.body) {
            // Attachments left out are named in the text, so everyone who sees the record knows of them.
            var footer = skipped.isEmpty ? "" : "\n\nAttachments not stored in the CRM:\n"
                + skipped.map { "- \($0.name) (\($0.size) bytes): \($0.reason)" }.joined(separator: "\n")
            // An id too long for its field is stored as a hash; the text keeps the original.
            if messageID != originalID { footer += "\n\nMessage-ID: <\(originalID)>" }
            let (body, limit) = Self.body(message.text, footer: footer, limit: type.fields[name]?.maxLength)
            fields[name] = body.isEmpty ? nil : .string(body)
            truncatedAt = limit
        }
        return SharedEmail(
            messageID: messageID, derivedID: message.messageID?.isEmpty != false,
            originalMessageID: messageID == originalID ? nil : originalID, subject: subject,
            direction: outbound ? .outbound : .inbound, ownAddressesKnown: !own.isEmpty,
            fields: fields.filter { !$0.value.isNull }, contacts: contacts, accountID: accountID,
            ambiguousAccounts: accountID == nil && accounts.count > 1 ? accounts : [], opportunity: opportunity,
            unknownAddresses: unknown, attachments: attachments, skippedAttachments: skipped, truncatedAt: truncatedAt,
            warnings: message.warnings)
    }

    /// Whether `message` is to or from a contact who keeps their correspondence: what tracking shares from the
    /// folders it watches beside the share folder.
    public func concernsSavedContact(_ message: MailMessage, directory: EmailDirectory) -> Bool {
        let wanted = directory.correspondenceAddresses
        guard !wanted.isEmpty else { return false }
        return (message.from + message.to + message.cc + message.bcc).contains { wanted.contains($0.lowercasedAddress) }
    }

    /// A Message-ID for a message that has none, from what every copy of it shares (date, sender, recipients,
    /// subject and text; not the transport headers, which differ per mailbox), so that two users sharing
    /// their copies still meet on one record.
    public static func derivedMessageID(_ message: MailMessage) -> String {
        let parts = [
            message.date.map { "\(Int($0.timeIntervalSince1970))" } ?? "",
            message.from.map(\.lowercasedAddress).joined(separator: ","),
            message.to.map(\.lowercasedAddress).sorted().joined(separator: ","),
            message.subject ?? "", message.text.trimmingCharacters(in: .whitespacesAndNewlines),
        ]
        let digest = SHA256.hash(data: Data(parts.joined(separator: "\n").utf8))
        return "derived-" + digest.prefix(16).map { String(format: "%02x", $0) }.joined() + "@crm-desktop.invalid"
    }

    /// Lowercase hex SHA-256 of `data`: the name of content in the attachment store.
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: - Parts

    private func put(_ part: EmailMapping.Part, _ value: FieldValue, into fields: inout [String: FieldValue]) {
        guard let name = mapping.field(part) else { return }
        fields[name] = value
    }

    /// The opportunity of the email's account: the user's choice (an open opportunity of one of the contacts'
    /// accounts, else an error naming it), or the account's one open opportunity.
    private func link(accounts: [String], directory: EmailDirectory, chosen: String?) throws(EmailPlanError)
        -> SharedEmail.OpportunityLink
    {
        guard mapping.field(.opportunity) != nil, mapping.match.opportunityType != nil else { return .none }
        if let chosen {
            let wanted = chosen.lowercased()
            guard let pick = directory.openOpportunities.first(where: { $0.id == wanted }) else {
                throw EmailPlanError(
                    "--opportunity \(chosen): no open opportunity with this id on this desktop "
                        + "(`crm-desktop list Opportunity` lists them)", field: "--opportunity")
            }
            guard accounts.contains(pick.accountID) else {
                let theirs = accounts.isEmpty ? "the email's contacts have no account" : "the email's contacts are of "
                    + accounts.map { directory.accountName($0) }.joined(separator: ", ")
                throw EmailPlanError(
                    "--opportunity \(chosen): \(pick.name) belongs to \(directory.accountName(pick.accountID)), "
                        + "not to the email's account (\(theirs))", field: "--opportunity")
            }
            return .linked(pick)
        }
        guard accounts.count == 1 else { return .none }
        let open = directory.openOpportunities(of: accounts[0])
        switch open.count {
        case 0: return .none
        case 1: return .linked(open[0])
        default: return .ambiguous(open)
        }
    }

    /// Attachments within the attachments field's size and type limits, and those left out with the reason.
    private func split(_ parts: [MailAttachment]) -> ([SharedEmail.Attachment], [SharedEmail.SkippedAttachment]) {
        guard let name = mapping.field(.attachments), let field = type.fields[name] else {
            return ([], parts.enumerated().map { SharedEmail.SkippedAttachment(name: Self.fileName($1, index: $0), size: $1.size, reason: "the package stores no attachments") })
        }
        var kept: [SharedEmail.Attachment] = []
        var skipped: [SharedEmail.SkippedAttachment] = []
        for (index, part) in parts.enumerated() {
            let fileName = Self.fileName(part, index: index)
            if part.size > field.fileSizeLimit {
                let limit = Self.megabytes(field.fileSizeLimit)
                skipped.append(.init(name: fileName, size: part.size, reason: "larger than the package's limit of \(limit)"))
            } else if !field.allowsFileType(part.mediaType) {
                skipped.append(.init(name: fileName, size: part.size, reason: "files of type \(part.mediaType) are not allowed"))
            } else {
                let ref = AttachmentRef(sha256: Self.sha256(part.data), name: fileName, mediaType: part.mediaType, size: part.size)
                // Whatever else the field's validator refuses (a media type it cannot read...) leaves this
                // attachment out, not the whole email.
                if case .failure(let failure) = validator.check(
                    typeName: mapping.type, changes: [name: AttachmentRef.value([ref])], merged: [:]),
                    let issue = failure.issues.first(where: { $0.field == name })
                {
                    skipped.append(.init(name: fileName, size: part.size, reason: issue.message))
                    continue
                }
                kept.append(.init(ref: ref, data: part.data))
            }
        }
        return (kept, skipped)
    }

    /// The attachment's file name without folders, or `attachment-N` with an extension for its type.
    static func fileName(_ part: MailAttachment, index: Int) -> String {
        let given = (part.filename ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(given.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\u{7F}" }.map(Character.init))
            .trimmingCharacters(in: .whitespaces)
        if !cleaned.isEmpty, cleaned != ".", cleaned != ".." { return String(cleaned.prefix(255)) }
        let known = ["message/rfc822": "eml", "text/plain": "txt", "text/html": "html", "image/png": "png",
            "image/jpeg": "jpg", "application/pdf": "pdf", "message/delivery-status": "txt"]
        return "attachment-\(index + 1)" + (known[part.mediaType].map { "." + $0 } ?? "")
    }

    static func megabytes(_ bytes: Int) -> String {
        let value = Double(bytes) / 1_048_576
        return value == value.rounded() ? "\(Int(value)) MB (\(bytes) bytes)" : String(format: "%.1f MB (%d bytes)", value, bytes)
    }

    /// The body and `footer` within `limit` characters: the text is cut first, with a note that says so; the
    /// limit when it was cut.
    static func body(_ text: String, footer: String = "", limit: Int?) -> (String, Int?) {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let limit, text.count + footer.count > limit else { return (text + footer, nil) }
        let note = "\n\n[The email is longer: its text was cut at the package's limit of \(limit) characters.]"
        let room = max(0, limit - note.count - footer.count)
        return (String((String(text.prefix(room)) + footer + note).prefix(limit)), limit)
    }

    /// `id` as the field that holds `part` can keep it: as it is, or, when longer than the field's maxLength,
    /// `long-<hash>@crm-desktop.invalid` from the lowercased id, so every copy of the message gets the same one.
    private func storedID(_ id: String, field part: EmailMapping.Part) -> String {
        guard let limit = mapping.field(part).flatMap({ type.fields[$0]?.maxLength }), id.count > limit else {
            return id
        }
        let digest = String(Self.sha256(Data(id.lowercased().utf8)).prefix(32))
        return "long-" + digest + "@crm-desktop.invalid"
    }

    /// `text` within the maxLength of the field that holds `part` (a subject or address list longer than the
    /// package allows would be refused as a whole), ending in "…" when cut.
    private func cut(_ text: String, field part: EmailMapping.Part) -> String {
        guard let limit = mapping.field(part).flatMap({ type.fields[$0]?.maxLength }), text.count > limit else {
            return text
        }
        return String(text.prefix(max(0, limit - 1))) + "…"
    }

    /// Addresses as `Name <address>`, comma-separated.
    static func text(_ addresses: [MailAddress]) -> String? {
        guard !addresses.isEmpty else { return nil }
        return addresses.map { address in
            guard let name = address.name, !name.isEmpty else { return address.address }
            let quoted = name.contains { ",;<>\"".contains($0) }
                ? "\"" + name.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : name
            return "\(quoted) <\(address.address)>"
        }.joined(separator: ", ")
    }

    static func unique(_ addresses: [MailAddress]) -> [MailAddress] {
        var seen = Set<String>()
        return addresses.filter { seen.insert($0.lowercasedAddress).inserted }
    }

    static func value(_ text: String, kind: FieldKind?) -> FieldValue {
        switch kind {
        case .boolean: .bool(text == "true")
        case .number, .currency: Decimal(string: text).map(FieldValue.number) ?? .string(text)
        default: .string(text)
        }
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
