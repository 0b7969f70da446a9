import CRMModel
import Foundation
import PIMFormats

/// What sharing one email will write: the record's fields, the links found, and what the user should know
/// (addresses no contact has, a choice of opportunities, attachments left out, a body cut short).
public struct SharedEmail: Sendable {
    /// Seen from the user: they sent it (`outbound`) or received it (`inbound`).
    public enum Direction: String, Sendable {
        case inbound, outbound
    }

    /// The opportunity the email is linked to, or why it is not.
    public enum OpportunityLink: Sendable, Equatable {
        /// The account has no open opportunity, or the package does not link emails to opportunities.
        case none
        /// Exactly one open opportunity (or the one the user chose).
        case linked(EmailDirectory.Opportunity)
        /// Several open opportunities: the user picks one with `--opportunity ID`.
        case ambiguous([EmailDirectory.Opportunity])
    }

    /// An attachment that fits the package's limits: stored on the server and listed on the record.
    public struct Attachment: Sendable {
        public var ref: AttachmentRef
        public var data: Data
    }

    /// An attachment that does not fit: listed in the report, not stored.
    public struct SkippedAttachment: Sendable, Equatable {
        public var name: String
        public var size: Int
        public var reason: String
    }

    /// The message's Message-ID, or one derived from its content when it has none (`derivedID`), or from
    /// the Message-ID itself when it is too long for its field (`originalMessageID`).
    public var messageID: String
    public var derivedID: Bool
    /// The Message-ID as the message has it, when `messageID` had to be derived from it (too long).
    public var originalMessageID: String?
    /// The subject, or `(no subject)` when the message has none or only spaces.
    public var subject: String
    public var direction: Direction
    /// False when the user's own addresses are not known: every email is then taken as inbound.
    public var ownAddressesKnown: Bool
    /// The record's fields, attachments included; links as the planner found them.
    public var fields: [String: FieldValue]
    public var contacts: [EmailDirectory.Contact]
    public var accountID: String?
    /// The accounts of the matched contacts when they disagree (then no account is linked).
    public var ambiguousAccounts: [String]
    public var opportunity: OpportunityLink
    /// Addresses of the other side that no contact has (the user's own are never here).
    public var unknownAddresses: [MailAddress]
    public var attachments: [Attachment]
    public var skippedAttachments: [SkippedAttachment]
    /// The body field's limit when the body was cut to it.
    public var truncatedAt: Int?
    /// The reader's warnings (an unknown charset, an unreadable date...).
    public var warnings: [String]
}
