/// One vCard (RFC 6350), as a list of properties in file order, so that whatever the CRM does not map (X-...,
/// vendor extensions, groups such as `item1.EMAIL` with `item1.X-ABLabel`) is written back as it was read.
///
/// `VCardReader` normalizes what it reads from vCard 2.1 and 3.0 to the vCard 4.0 form (see `properties`), so
/// code that maps a card reads one form whatever program wrote it.
///
/// A property's preference is its `PREF` parameter (`PREF=1` is the most preferred); the reader turns 3.0's
/// `TYPE=pref` and 2.1's bare `PREF` into `PREF=1`, so `types` no longer lists "pref".
///
/// Two cards are equal when their properties are, ignoring the line numbers the properties were read from.
public struct VCard: Sendable, Equatable, PropertyList {
    /// Everything between BEGIN:VCARD and END:VCARD except BEGIN, END and VERSION, in file order, normalized to
    /// vCard 4.0 form: quoted-printable decoded and CHARSET converted to UTF-8 (then those parameters dropped),
    /// 2.1 bare type parameters turned into TYPE=..., values otherwise as written (escaped); binary (PHOTO,
    /// LOGO, SOUND, KEY with ENCODING=b/BASE64) kept exactly as it was.
    ///
    /// The details are in VCardNormalizer.swift; in short: `TYPE=pref` (3.0) and a bare `PREF`
    /// (2.1) become `PREF=1` (4.0), `ENCODING=BASE64` becomes `ENCODING=b` with the base64 text unchanged but for
    /// the folding whitespace, and 2.1 text values get the escapes 4.0 wants (`\,`, `\;`, `\n`).
    public var properties: [ContentLine]

    public init(properties: [ContentLine] = []) {
        self.properties = properties
    }




    /// Sets the first property `name` to escaped `value`, keeping its group and parameters; appends when absent;
    /// nil removes every property of that name.
    public mutating func setText(_ name: String, _ value: String?) {
        setValue(name, value.map(TextValue.escape))
    }

    /// The unescaped components of a structured value (N, ADR, ORG, GENDER), split on unescaped `;`.
    ///
    /// A component that is itself a list (`Richter,James` as additional names in N) comes as one string with
    /// its commas.
    public func structured(_ name: String) -> [String]? {
        first(name).map { TextValue.split($0.value, on: ";").map(TextValue.unescape) }
    }

    /// Sets the first property `name` to the escaped components joined with `;` (like `setText`: group and
    /// parameters kept, appended when absent, nil removes every property of that name).
    public mutating func setStructured(_ name: String, _ components: [String]?) {
        setValue(name, components.map { $0.map(TextValue.escape).joined(separator: ";") })
    }

    /// The UID, unescaped (often a `urn:uuid:` URI).
    public var uid: String? {
        get { text("UID") }
        set { setText("UID", newValue) }
    }

    /// Sets the raw (already escaped) value of the first property `name`, or appends one, or with nil removes
    /// every property of that name.
    private mutating func setValue(_ name: String, _ raw: String?) {
        let wanted = name.uppercased()
        guard let raw else {
            properties.removeAll { $0.name == wanted }
            return
        }
        if let index = properties.firstIndex(where: { $0.name == wanted }) {
            properties[index].value = raw
        } else {
            properties.append(ContentLine(name: wanted, value: raw))
        }
    }

    public static func == (left: VCard, right: VCard) -> Bool {
        guard left.properties.count == right.properties.count else { return false }
        return zip(left.properties, right.properties).allSatisfy { a, b in
            a.group == b.group && a.name == b.name && a.parameters == b.parameters && a.value == b.value
        }
    }
}
