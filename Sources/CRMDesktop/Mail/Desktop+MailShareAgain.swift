import CRMModel
import Foundation
import PIMBridge
import PIMFormats

extension Desktop {
    /// Shares a message the replica holds already (this desktop shared it, or it came with a sync): what the
    /// user asks for now still happens. They join the record's team when it is a colleague's (a manager seeing
    /// a report's email), a chosen opportunity is linked, contacts are created for unknown addresses and
    /// added to the record, and the share is listed in `status`. All offline, through the outbox.
    func shareAgain(
        _ plan: SharedEmail, existing: String, source: String, options: MailShareOptions, context: inout MailContext
    ) throws -> MailShareResult {
        let mapping = context.planner.mapping
        var notes: [String] = []
        let record = try context.editor.find(mapping.type, id: existing)
        if record.record.owner != user, !record.record.team.contains(user) {
            try context.editor.joinTeam(type: mapping.type, id: existing)
            notes.append("\(record.record.owner) shared this email already; you are on its team now")
        }
        // Sharing again with a chosen opportunity settles the choice left open the first time.
        if options.opportunityID != nil, let field = mapping.field(.opportunity),
            case .linked(let opportunity) = plan.opportunity, record.fields[field] != .string(opportunity.id)
        {
            var fields: [String: FieldValue] = [field: .string(opportunity.id)]
            if let account = mapping.field(.account) { fields[account] = .string(opportunity.accountID) }
            try context.editor.update(type: mapping.type, id: existing, fields: fields)
            notes.append("linked to the opportunity \(opportunity.name)")
        }
        if options.createContacts, !plan.unknownAddresses.isEmpty, let field = mapping.field(.contacts) {
            let created = try createContacts(plan.unknownAddresses, mapping: mapping, context: &context)
            // Links, not a new list: the server adds them to whatever contacts the record has by then.
            for contact in created {
                try context.editor.link(type: mapping.type, id: existing, field: field, target: contact.id)
            }
            notes.append("created contacts: " + created.map(\.name).joined(separator: ", "))
        }
        if try replica.mailShare(messageID: plan.messageID) == nil {
            try replica.recordMailShare(
                MailShare(
                    messageID: plan.messageID, recordID: existing, source: source, subject: plan.subject,
                    direction: plan.direction.rawValue, sharedAt: Timestamp.string(from: Date())))
        }
        return MailShareResult(
            source: source, outcome: .alreadyShared, messageID: plan.messageID, subject: plan.subject,
            recordID: existing, direction: plan.direction.rawValue, notes: notes)
    }

    /// A contact for each address, named from its display name (last word the family name) or the address.
    func createContacts(_ addresses: [MailAddress], mapping: EmailMapping, context: inout MailContext) throws
        -> [EmailDirectory.Contact]
    {
        let type = mapping.match.contactType
        let titleFields = context.package.forms?[type]?.title ?? []
        var created: [EmailDirectory.Contact] = []
        for address in addresses {
            let name = address.name?.trimmingCharacters(in: .whitespaces).nilIfEmpty
                ?? String(address.address.prefix { $0 != "@" })
            var fields: [String: FieldValue] = [mapping.match.emailFields[0]: .string(address.address)]
            // "Family, Given" as address books write it; else the last word is the family name.
            var family = name
            var given: String?
            if let comma = name.firstIndex(of: ",") {
                family = name[..<comma].trimmingCharacters(in: .whitespaces)
                given = name[name.index(after: comma)...].trimmingCharacters(in: .whitespaces).nilIfEmpty
            } else if let space = name.lastIndex(of: " ") {
                family = String(name[name.index(after: space)...])
                given = String(name[..<space]).trimmingCharacters(in: .whitespaces).nilIfEmpty
            }
            if let last = titleFields.last {
                fields[last] = .string(family.isEmpty ? name : family)
                if titleFields.count > 1, let given { fields[titleFields[0]] = .string(given) }
            }
            let record = try context.editor.create(type: type, fields: fields)
            let contact = EmailDirectory.Contact(
                id: record.id, name: name, addresses: [address.address], accountID: nil, savesCorrespondence: false)
            created.append(contact)
        }
        context.directory = context.directory.adding(created)
        return created
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
