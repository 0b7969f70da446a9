/// One property of a vCard or iCalendar object: `[group.]NAME;PARAM=value,value:VALUE` (RFC 6350 section 3.3,
/// RFC 5545 section 3.1), after unfolding. Both formats share this syntax, so one reader and one writer serve
/// both.
///
/// The value is kept as written (escapes and all): only the format layer knows whether a value is text (to
/// unescape), structured (split on `;`), a list (split on `,`) or binary, and a property the CRM does not map is
/// written back exactly as it was read.
public struct ContentLine: Sendable, Equatable {
    /// A parameter: `TYPE=work,cell` is `TYPE` with `["work", "cell"]`. A vCard 2.1 bare parameter such as
    /// `;WORK` has no values.
    public struct Parameter: Sendable, Equatable {
        /// Upper-cased.
        public var name: String
        /// Without the quotes a value may have had.
        public var values: [String]
        /// Whether the file wrote the values in double quotes (`X-COUCHDB-UUID="cb9e..."`): `ContentLineWriter`
        /// quotes them again, so a property the CRM does not map is written back as it was read. Not part of
        /// equality.
        public var quoted: Bool = false

        public init(name: String, values: [String]) {
            self.name = name.uppercased()
            self.values = values
        }

        public static func == (left: Parameter, right: Parameter) -> Bool {
            left.name == right.name && left.values == right.values
        }
    }

    /// The property group (`item1` in `item1.EMAIL`), as written.
    public var group: String?
    /// Upper-cased.
    public var name: String
    public var parameters: [Parameter]
    /// The raw value, unfolded but not unescaped.
    public var value: String
    /// The 1-based line of the file where the property starts (0 for one made in code), for error messages.
    public var line: Int
    /// The name as the file spelt it (`X-ABLabel`), nil for a line made in code. `ContentLineWriter` writes it
    /// instead of `name` while it still names the same property, so that programs matching names
    /// case-sensitively find their extensions again. Not part of equality.
    public var spelling: String?

    public init(group: String? = nil, name: String, parameters: [Parameter] = [], value: String, line: Int = 0) {
        self.group = group
        self.name = name.uppercased()
        self.parameters = parameters
        self.value = value
        self.line = line
    }

    /// Group, name, parameters, value and line are equal (not `spelling` nor how parameters were quoted).
    public static func == (left: ContentLine, right: ContentLine) -> Bool {
        left.group == right.group && left.name == right.name && left.parameters == right.parameters
            && left.value == right.value && left.line == right.line
    }

    /// The name to write: `spelling` while it names this property, else `name`.
    public var writtenName: String {
        if let spelling, spelling.uppercased() == name { return spelling }
        return name
    }

    /// The values of the first parameter named `name` (nil when absent).
    public func parameter(_ name: String) -> [String]? {
        let wanted = name.uppercased()
        return parameters.first { $0.name == wanted }?.values
    }

    /// The first value of parameter `name`.
    public func parameterValue(_ name: String) -> String? { parameter(name)?.first }

    /// Sets (or with nil removes) a parameter, keeping the others in order.
    public mutating func setParameter(_ name: String, _ values: [String]?) {
        let wanted = name.uppercased()
        if let values {
            if let index = parameters.firstIndex(where: { $0.name == wanted }) {
                parameters[index].values = values
            } else {
                parameters.append(Parameter(name: wanted, values: values))
            }
        } else {
            parameters.removeAll { $0.name == wanted }
        }
    }

    /// The `TYPE` values, lower-cased, whether written `TYPE=work,cell`, `TYPE=work;TYPE=cell` or (vCard 2.1)
    /// as bare parameters `;WORK;CELL`.
    public var types: Set<String> {
        var result = Set<String>()
        for parameter in parameters {
            if parameter.name == "TYPE" {
                for value in parameter.values { result.formUnion(value.split(separator: ",").map { $0.lowercased() }) }
            } else if parameter.values.isEmpty {
                result.insert(parameter.name.lowercased())
            }
        }
        return result
    }
}
