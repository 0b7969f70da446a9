/// How `crm-desktop share FILE.eml` and mail tracking may be told to share.
public struct MailShareOptions: Sendable {
    /// The open opportunity to link when the account has several (`--opportunity ID`).
    public var opportunityID: String?
    /// Create a contact for each address of the other side that no contact has (`--create-contacts`).
    public var createContacts: Bool
    /// The largest message file read (`Desktop.maxMessageBytes`, 50 MB); a larger one is reported, not read.
    public var maxMessageBytes: Int

    public init(
        opportunityID: String? = nil, createContacts: Bool = false, maxMessageBytes: Int = Desktop.maxMessageBytes
    ) {
        self.opportunityID = opportunityID
        self.createContacts = createContacts
        self.maxMessageBytes = maxMessageBytes
    }
}

/// What became of one message: shared as a new record, already in the CRM, left alone, or not readable.
public struct MailShareResult: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable {
        /// A new record, sent to the server with the next sync (where it joins the record another user shared).
        case shared
        /// This desktop had shared the message already (or it is in the replica): nothing new was written.
        case alreadyShared = "already-shared"
        /// Tracking looked at it: it is not to or from a contact who keeps their correspondence.
        case notConcerned = "not-concerned"
        /// Not shared: `problem` says why; the file is left as it is.
        case failed
    }

    /// The file the message was read from.
    public var source: String
    public var outcome: Outcome
    public var messageID: String?
    public var subject: String?
    public var recordID: String?
    public var direction: String?
    /// What the user should know: addresses without a contact, several open opportunities, attachments left
    /// out, a body cut at the package's limit, contacts created, the reader's warnings.
    public var notes: [String]
    /// Why it failed, naming the line when the message is malformed.
    public var problem: String?

    public init(
        source: String, outcome: Outcome, messageID: String? = nil, subject: String? = nil, recordID: String? = nil,
        direction: String? = nil, notes: [String] = [], problem: String? = nil
    ) {
        self.source = source
        self.outcome = outcome
        self.messageID = messageID
        self.subject = subject
        self.recordID = recordID
        self.direction = direction
        self.notes = notes
        self.problem = problem
    }
}
