/// What the CRM knows when an email is shared: the user's own addresses (they tell inbound from outbound),
/// the contacts addresses are matched against, and the open opportunities an email may be linked to.
public struct EmailDirectory: Sendable {
    /// A contact, with the addresses it is found by.
    public struct Contact: Sendable, Equatable {
        public var id: String
        public var name: String
        /// Lowercased.
        public var addresses: [String]
        public var accountID: String?
        /// The contact asks for every email with them to be kept (`saveCorrespondence`).
        public var savesCorrespondence: Bool

        public init(id: String, name: String, addresses: [String], accountID: String?, savesCorrespondence: Bool) {
            self.id = id
            self.name = name
            self.addresses = addresses.map { $0.lowercased() }
            self.accountID = accountID
            self.savesCorrespondence = savesCorrespondence
        }
    }

    /// An open opportunity of an account.
    public struct Opportunity: Sendable, Equatable {
        public var id: String
        public var name: String
        public var accountID: String

        public init(id: String, name: String, accountID: String) {
            self.id = id
            self.name = name
            self.accountID = accountID
        }
    }

    /// Lowercased.
    public let userAddresses: Set<String>
    public let contacts: [Contact]
    public let openOpportunities: [Opportunity]
    /// Account names by id, for messages that name an account.
    public let accountNames: [String: String]
    private let contactsByAddress: [String: [Contact]]
    private let opportunitiesByAccount: [String: [Opportunity]]

    public init(
        userAddresses: [String], contacts: [Contact], openOpportunities: [Opportunity],
        accountNames: [String: String] = [:]
    ) {
        self.userAddresses = Set(userAddresses.map { $0.lowercased() })
        self.contacts = contacts
        self.openOpportunities = openOpportunities
        self.accountNames = accountNames
        var byAddress: [String: [Contact]] = [:]
        for contact in contacts {
            for address in Set(contact.addresses) { byAddress[address, default: []].append(contact) }
        }
        contactsByAddress = byAddress
        opportunitiesByAccount = Dictionary(grouping: openOpportunities, by: \.accountID)
    }

    /// The directory with `added` contacts too (contacts just created for unknown addresses).
    public func adding(_ added: [Contact]) -> EmailDirectory {
        EmailDirectory(
            userAddresses: Array(userAddresses), contacts: contacts + added, openOpportunities: openOpportunities,
            accountNames: accountNames)
    }

    /// `Name (id)` of an account, or its id when the name is not known.
    public func accountName(_ id: String) -> String {
        accountNames[id].map { "\($0) (\(id))" } ?? id
    }

    /// The contacts that have `address` (any case) among their addresses, in a stable order.
    public func contacts(for address: String) -> [Contact] {
        (contactsByAddress[address.lowercased()] ?? []).sorted { $0.id < $1.id }
    }

    /// The open opportunities of `accountID`, by name.
    public func openOpportunities(of accountID: String) -> [Opportunity] {
        (opportunitiesByAccount[accountID] ?? []).sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    /// The addresses of contacts flagged to keep their correspondence (lowercased): what mail tracking looks for.
    public var correspondenceAddresses: Set<String> {
        Set(contacts.filter(\.savesCorrespondence).flatMap(\.addresses))
    }
}
