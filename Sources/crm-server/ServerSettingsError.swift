/// A setting of `serve` that cannot be used, naming the key, where its value came from and what it must be.
struct ServerSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The dotted key (`server.port`), or the file for a file that cannot be read.
    var key: String
    /// Where the value came from: `--port`, `CRM_SERVER_PORT`, `FILE`, or `default`.
    var source: String
    var message: String

    var description: String { "\(key) (from \(source)): \(message)" }
}
