import CRMModel
import Foundation
import PIMBridge
import PIMFormats

/// The replica's view for sharing emails: the planner, the contacts and opportunities addresses are matched
/// against, and the records already shared, by Message-ID. Built once per batch of messages.
struct MailContext {
    let planner: EmailPlanner
    var directory: EmailDirectory
    let editor: RecordEditor
    let package: CustomizationPackage
    /// Message-ID (lowercased) to the id of the record that holds it.
    var shared: [String: String]
}

extension Desktop {
    /// The largest message file sharing reads (a message with its attachments; attachments over the package's
    /// limit are left out, the message is still shared).
    public static let maxMessageBytes = 50 * 1024 * 1024

    /// Shares email files (`.eml`, or maildir files) as records of the package's email type, offline: each
    /// message is read, linked to contacts by address, their account and its one open opportunity, and
    /// queued for the next sync with its attachments. A message that cannot be read is reported and the
    /// others go on; a message shared before is not shared twice.
    public func shareMail(files: [String], options: MailShareOptions = MailShareOptions()) throws -> [MailShareResult] {
        var context = try mailContext()
        return files.map { file in
            if let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber,
                size.intValue > Self.maxMessageBytes
            {
                let problem = "\(file): the message is \(size.intValue) bytes; sharing reads messages up to "
                    + "\(Self.maxMessageBytes) bytes (50 MB); the file was left as it is"
                try? replica.reportMailProblem(problem, source: file)
                return MailShareResult(source: file, outcome: .failed, problem: problem)
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                let result = MailShareResult(
                    source: file, outcome: .failed, problem: "\(file): cannot be read (no such file, or not readable)")
                try? replica.reportMailProblem(result.problem, source: file)
                return result
            }
            return shareMessage(data, source: file, options: options, context: &context)
        }
    }

    func mailContext() throws -> MailContext {
        let package = try replica.requirePackage()
        guard let planner = EmailPlanner(package: package) else {
            throw DesktopError(.invalidInput, "the customization package of your role takes no emails (it has no `email` mapping)")
        }
        let directory = try emailDirectory(planner.mapping)
        var shared: [String: String] = [:]
        if let field = planner.mapping.field(.messageId) {
            for record in try replica.localRecords(type: planner.mapping.type, user: user) {
                if let id = record.fields[field]?.stringValue { shared[id.lowercased()] = record.id }
            }
        }
        return MailContext(planner: planner, directory: directory, editor: try editor(), package: package, shared: shared)
    }

    /// The contacts, their addresses and accounts, and the open opportunities, as the replica holds them.
    func emailDirectory(_ mapping: EmailMapping) throws -> EmailDirectory {
        let match = mapping.match
        let presenter = RecordPresenter(package: try replica.requirePackage())
        let contacts = try replica.localRecords(type: match.contactType, user: user).map { record in
            EmailDirectory.Contact(
                id: record.id, name: presenter.title(of: record.record),
                addresses: match.emailFields.compactMap { record.fields[$0]?.stringValue },
                accountID: match.accountField.flatMap { record.fields[$0]?.stringValue },
                savesCorrespondence: match.saveCorrespondence.flatMap { record.fields[$0]?.boolValue } ?? false)
        }
        var opportunities: [EmailDirectory.Opportunity] = []
        if let type = match.opportunityType, let accountField = match.opportunityAccountField {
            for record in try replica.localRecords(type: type, user: user) {
                guard let account = record.fields[accountField]?.stringValue else { continue }
                if let open = match.openOpportunity, !RuleEvaluator.matches(open, fields: record.fields) { continue }
                opportunities.append(.init(id: record.id, name: presenter.title(of: record.record), accountID: account))
            }
        }
        return EmailDirectory(userAddresses: try replica.userAddresses(), contacts: contacts, openOpportunities: opportunities)
    }

    /// Shares one message; never throws: what goes wrong is the result's `problem`, kept for `status`.
    func shareMessage(
        _ data: Data, source: String, options: MailShareOptions, context: inout MailContext, onlyCorrespondence: Bool = false
    ) -> MailShareResult {
        var result: MailShareResult
        do {
            result = try share(data, source: source, options: options, context: &context, onlyCorrespondence: onlyCorrespondence)
        } catch let error as MailFormatError {
            result = MailShareResult(source: source, outcome: .failed, problem: "\(source): \(error.description); the file was left as it is")
        } catch let error as DesktopError {
            result = MailShareResult(source: source, outcome: .failed, problem: "\(source): \(error.message)")
        } catch {
            result = MailShareResult(source: source, outcome: .failed, problem: "\(source): \(error)")
        }
        try? replica.reportMailProblem(result.outcome == .failed ? result.problem : nil, source: source)
        return result
    }

    private func share(
        _ data: Data, source: String, options: MailShareOptions, context: inout MailContext, onlyCorrespondence: Bool
    ) throws -> MailShareResult {
        let message = try MailReader(maxBytes: Self.maxMessageBytes).read(data)
        if onlyCorrespondence, !context.planner.concernsSavedContact(message, directory: context.directory) {
            return MailShareResult(source: source, outcome: .notConcerned, messageID: message.messageID, subject: message.subject)
        }
        var plan = context.planner.plan(message, directory: context.directory, opportunityID: options.opportunityID)
        let mapping = context.planner.mapping
        if let existing = context.shared[plan.messageID.lowercased()] {
            var notes: [String] = []
            // Sharing again with a chosen opportunity settles the choice left open the first time.
            if let chosen = options.opportunityID, let field = mapping.field(.opportunity),
                case .linked(let opportunity) = plan.opportunity, opportunity.id == chosen
            {
                try context.editor.update(type: mapping.type, id: existing, fields: [field: .string(chosen)])
                notes.append("linked to the opportunity \(opportunity.name)")
            }
            return MailShareResult(
                source: source, outcome: .alreadyShared, messageID: plan.messageID, subject: message.subject,
                recordID: existing, direction: plan.direction.rawValue, notes: notes)
        }
        var notes = Self.notes(plan, mapping: mapping)
        if options.createContacts, !plan.unknownAddresses.isEmpty, let field = mapping.field(.contacts) {
            let created = try createContacts(plan.unknownAddresses, mapping: mapping, context: &context)
            let ids = plan.contacts.map(\.id) + created.map(\.id)
            plan.fields[field] = .array(ids.map(FieldValue.string))
            notes.removeAll { $0.hasPrefix("no contact has") }
            notes.append("created contacts: " + created.map(\.name).joined(separator: ", "))
        }
        let cache = AttachmentCache(home: home)
        for attachment in plan.attachments { try cache.store(attachment.data, sha256: attachment.ref.sha256) }
        let record = try context.editor.create(type: mapping.type, fields: plan.fields)
        context.shared[plan.messageID.lowercased()] = record.id
        let subject = message.subject ?? "(no subject)"
        try replica.recordMailShare(
            MailShare(
                messageID: plan.messageID, recordID: record.id, source: source, subject: subject,
                direction: plan.direction.rawValue, sharedAt: Timestamp.string(from: Date())))
        return MailShareResult(
            source: source, outcome: .shared, messageID: plan.messageID, subject: subject, recordID: record.id,
            direction: plan.direction.rawValue, notes: notes)
    }

    /// What the user should know about a planned share.
    static func notes(_ plan: SharedEmail, mapping: EmailMapping) -> [String] {
        var notes: [String] = []
        if plan.derivedID { notes.append("the message has no Message-ID; it is known by one derived from its content") }
        if !plan.unknownAddresses.isEmpty {
            notes.append(
                "no contact has " + plan.unknownAddresses.map(\.address).joined(separator: ", ")
                    + " (share again with --create-contacts to add them)")
        }
        if case .ambiguous(let candidates) = plan.opportunity {
            notes.append(
                "the account has several open opportunities; choose one with --opportunity ID: "
                    + candidates.map { "\($0.id) (\($0.name))" }.joined(separator: ", "))
        }
        for skipped in plan.skippedAttachments {
            notes.append("attachment \(skipped.name) (\(skipped.size) bytes) left out: \(skipped.reason)")
        }
        if let limit = plan.truncatedAt { notes.append("the text was cut at the package's limit of \(limit) characters") }
        return notes + plan.warnings
    }

    /// A contact for each address, named from its display name (last word the family name) or the address.
    private func createContacts(_ addresses: [MailAddress], mapping: EmailMapping, context: inout MailContext) throws
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
