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
                size.intValue > options.maxMessageBytes
            {
                let limit = options.maxMessageBytes
                let problem = "\(file): the message is \(size.intValue) bytes; sharing reads messages up to "
                    + "\(limit) bytes"
                    + (limit >= 1_048_576 ? " (\(limit / 1_048_576) MB)" : "") + "; the file was left as it is"
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
        var accountNames: [String: String] = [:]
        let contactType = try replica.requirePackage().types[match.contactType]
        if let field = match.accountField, let accountType = contactType?.fields[field]?.target?.first {
            for record in try replica.localRecords(type: accountType, user: user) {
                accountNames[record.id] = presenter.title(of: record.record)
            }
        }
        return EmailDirectory(
            userAddresses: try replica.userAddresses(), contacts: contacts, openOpportunities: opportunities,
            accountNames: accountNames)
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
        } catch let error as EmailPlanError {
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
        let message = try MailReader(maxBytes: options.maxMessageBytes).read(data)
        if onlyCorrespondence, !context.planner.concernsSavedContact(message, directory: context.directory) {
            return MailShareResult(source: source, outcome: .notConcerned, messageID: message.messageID, subject: message.subject)
        }
        var plan = try context.planner.plan(message, directory: context.directory, opportunityID: options.opportunityID)
        let mapping = context.planner.mapping
        if let existing = context.shared[plan.messageID.lowercased()] {
            return try shareAgain(plan, existing: existing, source: source, options: options, context: &context)
        }
        var notes = Self.notes(plan, directory: context.directory)
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
        let subject = plan.subject
        try replica.recordMailShare(
            MailShare(
                messageID: plan.messageID, recordID: record.id, source: source, subject: subject,
                direction: plan.direction.rawValue, sharedAt: Timestamp.string(from: Date())))
        return MailShareResult(
            source: source, outcome: .shared, messageID: plan.messageID, subject: subject, recordID: record.id,
            direction: plan.direction.rawValue, notes: notes)
    }

    /// What the user should know about a planned share.
    static func notes(_ plan: SharedEmail, directory: EmailDirectory) -> [String] {
        var notes: [String] = []
        if plan.derivedID { notes.append("the message has no Message-ID; it is known by one derived from its content") }
        if let original = plan.originalMessageID {
            notes.append(
                "the Message-ID is \(original.count) characters, longer than the package keeps; it is known by "
                    + "\(plan.messageID) (the text ends with the original)")
        }
        if !plan.ownAddressesKnown {
            notes.append(
                "your own email addresses are not known yet (your user profile has none, or this desktop has not "
                    + "synced since they were set), so the email was taken as inbound")
        }
        if !plan.ambiguousAccounts.isEmpty {
            notes.append(
                "the contacts belong to several accounts, so no account was linked: "
                    + plan.ambiguousAccounts.map(directory.accountName).joined(separator: ", ")
                    + "; choose one by sharing again with --opportunity ID of one of their open opportunities")
        }
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
}
