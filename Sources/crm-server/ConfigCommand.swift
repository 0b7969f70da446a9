import ArgumentParser
import Foundation

/// `crm-server config show`: the settings `serve` would run with, each with where it came from, secrets masked.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show the effective configuration of crm-server serve.",
        subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every setting of serve with its value and source (flag, environment, file, default).",
            discussion: """
                Takes the flags serve takes, so `crm-server config show --config FILE --port 9000` shows what \
                `serve` would run with. Secrets (the database password, a password inside an address) are masked. \
                Exits 1 after the table when a setting is not valid, naming it.
                """)

        @OptionGroup var options: ServeOptions

        func run() async throws {
            let settings = try await options.resolve(validate: false)
            let rows = settings.values.map { value in
                (value.setting.key, Self.shown(value), value.source.description)
            }
            let keyWidth = max(3, rows.map(\.0.count).max() ?? 0) + 2
            let valueWidth = min(60, max(5, rows.map(\.1.count).max() ?? 0)) + 2
            print("KEY".padded(keyWidth) + "VALUE".padded(valueWidth) + "SOURCE")
            for (key, value, source) in rows { print(key.padded(keyWidth) + value.padded(valueWidth) + source) }
            try settings.validate()
        }

        /// The value as `config show` prints it: secrets masked, a password inside an address masked.
        static func shown(_ value: ServerSettings.Value) -> String {
            guard let text = value.text else { return "(unset)" }
            if value.setting.secret { return "********" }
            return maskingPassword(text)
        }

        /// `scheme://user:secret@host/...` with the secret as `********`.
        static func maskingPassword(_ text: String) -> String {
            guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@"),
                let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
            else { return text }
            return String(text[..<text.index(after: colon)]) + "********" + String(text[at...])
        }
    }
}

extension String {
    fileprivate func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
