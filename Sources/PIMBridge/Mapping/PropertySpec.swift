import Synchronization

/// One right-hand side of a package's PIM mapping (`N.given`, `EMAIL;TYPE=work`, `TEL;TYPE=work,voice`,
/// `DTSTART;VALUE=DATE`, `DTSTART;TZID`, `ORG.unit`, `SUMMARY`), read once so the mapper works on structure,
/// not strings.
public struct PropertySpec: Sendable, Equatable, Hashable {
    /// The property name, upper-cased (`N`, `EMAIL`, `DTSTART`).
    public var name: String
    /// The component of a structured value (`given` of N, `street` of ADR, `unit` of ORG), when one is named.
    public var component: String?
    /// `TYPE` values the property must carry (lower-cased); the property is found by them and created with them.
    public var types: Set<String>
    /// A parameter the field stands for rather than the value: `DTSTART;VALUE=DATE` (all day) and
    /// `DTSTART;TZID` (the zone) map a field to a parameter of DTSTART.
    public var parameter: String?
    public var parameterValue: String?

    /// The specs of a mapping's properties (field name to spec), read once per process: every record mapped
    /// needs them, and reading them again for each was a twentieth of writing 10,000 contacts.
    static func specs(of properties: [String: String]) -> [String: PropertySpec] {
        if let known = cache.withLock({ $0[properties] }) { return known }
        let specs = properties.compactMapValues(PropertySpec.init)
        cache.withLock { $0[properties] = specs }
        return specs
    }

    private static let cache = Mutex<[[String: String]: [String: PropertySpec]]>([:])

    /// Reads a spec; nil for an empty one.
    public init?(_ text: String) {
        var parts = text.split(separator: ";").map(String.init)
        guard let head = parts.first, !head.isEmpty else { return nil }
        parts.removeFirst()
        let nameParts = head.split(separator: ".", maxSplits: 1).map(String.init)
        name = nameParts[0].uppercased()
        component = nameParts.count > 1 ? nameParts[1].lowercased() : nil
        types = []
        for part in parts {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            let key = pair[0].uppercased()
            if key == "TYPE", pair.count == 2 {
                types.formUnion(pair[1].split(separator: ",").map { $0.lowercased() })
            } else {
                parameter = key
                parameterValue = pair.count == 2 ? pair[1] : nil
            }
        }
    }

    /// The index of a named component in N, ADR and ORG values (RFC 6350 sections 6.2.2, 6.3.1, 6.6.4).
    public var componentIndex: Int? {
        guard let component else { return name == "ORG" ? 0 : nil }
        let order: [String: [String]] = [
            "N": ["family", "given", "additional", "prefix", "suffix"],
            "ADR": ["pobox", "ext", "street", "locality", "region", "code", "country"],
            "ORG": ["name", "unit"],
        ]
        return order[name]?.firstIndex(of: component)
    }
}
