/// How a shared email becomes a record (DESIGN section 4): which type and fields hold its parts, and how its
/// addresses find contacts, their accounts and an open opportunity. Data in the package, like the PIM mappings.
public struct EmailMapping: Codable, Sendable, Equatable {
    /// The parts of an email a field may hold.
    public enum Part: String, Codable, Sendable, CaseIterable {
        /// Subject line (text).
        case subject
        /// When it was sent (datetime).
        case date
        /// The sender as `Name <address>` (text).
        case from
        /// To and Cc recipients, comma-separated (text).
        case to, cc
        /// `inbound` or `outbound`, seen from the user (picklist or text).
        case direction
        /// Message-ID without brackets (text; a global key, so one record per message).
        case messageId
        /// The Message-ID it answers (text).
        case inReplyTo
        /// The readable body, truncated at the field's maxLength with a note saying so (text).
        case body
        /// The attachments within the field's limits (attachments).
        case attachments
        /// The matched contacts (references to the contact type).
        case contacts
        /// The account of the matched contacts, when they agree on one (reference).
        case account
        /// The one open opportunity of that account (reference).
        case opportunity
    }

    /// The record type emails become (`Activity`).
    public var type: String
    /// Fixed values every shared email gets (`display: email`, `kind: Email`).
    public var set: [String: String]?
    /// Part name (`EmailMapping.Part`) to field of `type`.
    public var fields: [String: String]
    /// Which records addresses are matched against.
    public var match: Match

    /// Contacts matched by address, and the opportunities an email may be linked to.
    public struct Match: Codable, Sendable, Equatable {
        /// The contact type (`Contact`).
        public var contactType: String
        /// Its email fields, compared without regard to case.
        public var emailFields: [String]
        /// Its reference to the contact's account (`accountId`).
        public var accountField: String?
        /// Its boolean field that asks for every email with the contact to be kept (`saveCorrespondence`).
        public var saveCorrespondence: String?
        /// The opportunity type (`Opportunity`); absent: emails are not linked to opportunities.
        public var opportunityType: String?
        /// The opportunity's reference to its account.
        public var opportunityAccountField: String?
        /// Which of an account's opportunities are open; an email links one only when exactly one is.
        public var openOpportunity: FieldCondition?

        public init(
            contactType: String, emailFields: [String], accountField: String? = nil,
            saveCorrespondence: String? = nil, opportunityType: String? = nil,
            opportunityAccountField: String? = nil, openOpportunity: FieldCondition? = nil
        ) {
            self.contactType = contactType
            self.emailFields = emailFields
            self.accountField = accountField
            self.saveCorrespondence = saveCorrespondence
            self.opportunityType = opportunityType
            self.opportunityAccountField = opportunityAccountField
            self.openOpportunity = openOpportunity
        }
    }

    public init(type: String, set: [String: String]? = nil, fields: [String: String], match: Match) {
        self.type = type
        self.set = set
        self.fields = fields
        self.match = match
    }

    /// The mapping as a role sees it (`types` are the role's): parts and matches on hidden types or fields go;
    /// nil when the role does not see the email or contact type.
    func visible(in types: [String: ObjectType]) -> EmailMapping? {
        guard let type = types[self.type], let contact = types[match.contactType] else { return nil }
        var mapping = self
        mapping.fields = fields.filter { type.fields[$0.value] != nil }
        mapping.set = set?.filter { type.fields[$0.key] != nil }
        mapping.match.emailFields = match.emailFields.filter { contact.fields[$0] != nil }
        if mapping.match.emailFields.isEmpty { return nil }
        if let name = match.accountField, contact.fields[name] == nil { mapping.match.accountField = nil }
        if let name = match.saveCorrespondence, contact.fields[name] == nil { mapping.match.saveCorrespondence = nil }
        if let name = match.opportunityType {
            if let opportunity = types[name] {
                if let field = match.opportunityAccountField, opportunity.fields[field] == nil {
                    mapping.match.opportunityAccountField = nil
                }
                if let condition = match.openOpportunity, opportunity.fields[condition.field] == nil {
                    mapping.match.openOpportunity = nil
                }
            } else {
                mapping.match.opportunityType = nil
                mapping.match.opportunityAccountField = nil
                mapping.match.openOpportunity = nil
            }
        }
        return mapping
    }

    /// The field that holds `part`, if the package maps it.
    public func field(_ part: Part) -> String? { fields[part.rawValue] }
}
