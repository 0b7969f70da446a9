/// Why a customization package was refused: the file, the line and column where known, and the key at fault.
public struct PackageLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the package came from (`default.yaml`), or `<wire>` for JSON received over HTTP.
    public var file: String
    public var line: Int?
    public var column: Int?
    /// The dotted path of the key at fault (`types.Contact.fields.accountId.target`).
    public var key: String
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, key: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return key.isEmpty ? "\(location): \(message)" : "\(location): \(key): \(message)"
    }
}
