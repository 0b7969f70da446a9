import CRMModel
import Foundation
import PIMBridge
import PIMFormats

/// What `crm-desktop share` made of one item of a file: a new record, or an existing one it was linked to.
public struct SharedItem: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        /// A new record, sent to the server with the next sync.
        case created
        /// The item matched a record by the type's duplicate rules (or carried its CRM id): nothing was copied.
        case linked
    }

    /// The file the item came from.
    public var file: String
    public var outcome: Outcome
    public var record: LocalRecord
}

extension Desktop {
    /// The file types `share` takes as vCard and iCalendar.
    static let shareableExtensions: Set<String> = ["vcf", "vcard", "ics", "ical", "ifb", "icalendar"]

    /// Whether `share` reads `file` as an email (`.eml`, or a file of a maildir's `cur/` or `new/`).
    public static func isEmailFile(_ file: String) -> Bool {
        let url = URL(fileURLWithPath: file)
        let folder = url.deletingLastPathComponent().lastPathComponent
        return url.pathExtension.lowercased() == "eml" || folder == "cur" || folder == "new"
    }

    /// Shares files of the user's own with the CRM as the PIM bridge shares an item marked `CATEGORIES:CRM`:
    /// each vCard becomes a contact, each event or to-do an activity, unless the type's duplicate rules find the
    /// record already (then it is linked, not copied). The records go to the server with the next sync, and to
    /// the PIM with it.
    ///
    /// Every file is read before anything is created: an unreadable one fails with its path and line, and
    /// nothing is created.
    public func share(files: [String]) throws -> [SharedItem] {
        let package = try replica.requirePackage()
        let mapper = pimMapper(package)
        let directory = try PIMDirectory.build(replica: replica, user: user)
        var readings: [(file: String, reading: PIMReading)] = []
        for file in files {
            readings += try Self.readShared(file, mapper: mapper, directory: directory).map { (file, $0) }
        }
        let editor = try editor()
        var shared: [SharedItem] = []
        for (file, reading) in readings {
            let fields = reading.fields.filter { !$0.value.isNull }
            let record: LocalRecord
            let outcome: SharedItem.Outcome
            if let id = reading.crmID, let known = try replica.localRecord(id: id, user: user) {
                (record, outcome) = (known, .linked)
            } else if let match = try duplicate(of: fields, type: reading.type, package: package) {
                (record, outcome) = (match, .linked)
            } else {
                do {
                    (record, outcome) = (try editor.create(type: reading.type, fields: fields), .created)
                } catch var error as DesktopError {
                    let done = shared.filter { $0.outcome == .created }.count
                    error.message = "\(file): \(error.message)"
                        + (done > 0 ? " (the \(done) records shared before it stay)" : "; nothing was created")
                    throw error
                }
            }
            try replica.reshare(crmID: record.id)
            shared.append(SharedItem(file: file, outcome: outcome, record: record))
        }
        return shared
    }

    /// The items of one file as the mapping reads them: the collection from the content (a vCard is a contact,
    /// an iCalendar file with a VTODO a task, else an event); several vCards in one file are several items.
    static func readShared(_ file: String, mapper: PIMMapper, directory: PIMDirectory) throws -> [PIMReading] {
        let fileExtension = (file as NSString).pathExtension.lowercased()
        if isEmailFile(file) {
            throw DesktopError(.invalidInput, "\(file): an email is shared with `shareMail`, not as a PIM item", field: "FILE")
        }
        guard shareableExtensions.contains(fileExtension) else {
            throw DesktopError(
                .invalidInput, "\(file): share takes emails (.eml), vCard (.vcf) and iCalendar (.ics) files", field: "FILE")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DesktopError(.notFound, "\(file): cannot be read (no such file, or not readable)", field: "FILE")
        }
        let text = String(decoding: data, as: UTF8.self)
        let head = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }.prefix(20).uppercased()
        do {
            if head.hasPrefix("BEGIN:VCARD") {
                let cards = try VCardReader.read(data: data)
                guard cards.count > 1 else {
                    return [try mapper.read(data, in: .contacts, current: nil, directory: directory)]
                }
                return try cards.map { card in
                    try mapper.read(Data(VCardWriter.write(card).utf8), in: .contacts, current: nil, directory: directory)
                }
            }
            guard head.hasPrefix("BEGIN:VCALENDAR") else {
                throw PIMFormatError(line: 1, "the file holds neither a vCard (BEGIN:VCARD) nor iCalendar (BEGIN:VCALENDAR)")
            }
            let collection: PIMCollection = text.uppercased().contains("BEGIN:VTODO") ? .tasks : .calendar
            return [try mapper.read(data, in: collection, current: nil, directory: directory)]
        } catch let error as PIMFormatError {
            let place = error.line > 0 ? "\(file), line \(error.line)" : file
            throw DesktopError(.invalidInput, "\(place): \(error.message); nothing was shared", field: "FILE")
        }
    }

    /// A record of the replica that shared fields match by the type's duplicate rules: sets of fields OR'ed,
    /// fields within a set AND'ed, compared case-insensitively as text. The rule `PIMSync` applies to a shared
    /// PIM item.
    public func duplicate(of fields: [String: FieldValue], type: String, package: CustomizationPackage) throws
        -> LocalRecord?
    {
        // A global key (an iCalendar UID, an email's Message-ID) names one record whoever shares it; then the
        // package's duplicate rules (sets of fields OR'ed, fields within a set AND'ed, without case).
        let rules = (package.types[type]?.globalKeys ?? []).map { [$0] } + (package.types[type]?.duplicates ?? [])
        guard !rules.isEmpty else { return nil }
        let key = { (value: FieldValue?) in value.map { FieldText.display($0).lowercased() } ?? "" }
        for record in try replica.localRecords(type: type, user: user) where !record.incomplete {
            for rule in rules where rule.allSatisfy({ !key(fields[$0]).isEmpty }) {
                if rule.allSatisfy({ key(fields[$0]) == key(record.fields[$0]) }) { return record }
            }
        }
        return nil
    }
}
