/// A mailbox of an address header: the display name (RFC 2047-decoded) and the address as written.
///
/// Equality is exact; addresses are case-insensitive in practice, so match contacts by `lowercasedAddress`.
public struct MailAddress: Sendable, Hashable {
    /// The display name, or nil when the mailbox has none (a comment such as `a@b (Ann)` counts as one).
    public var name: String?
    /// The address as written, e.g. `Ann.Lee@Example.com`; an address without `@` is kept as it was.
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    /// The address lowercased: the key to compare and link addresses by.
    public var lowercasedAddress: String { address.lowercased() }
}
