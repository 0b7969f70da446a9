import Configuration
import Foundation
import SystemPackage
import Yams

/// The effective settings of `crm-server serve`: for every key its value and where it came from. Flags win over
/// the environment, the environment over the configuration file (`--config FILE` or `CRM_CONFIG`, YAML or JSON),
/// the file over the defaults. The environment and the file are read through swift-configuration's providers.
struct ServerSettings: Sendable {
    enum Source: Sendable, Equatable, CustomStringConvertible {
        case flag(String)
        case environment(String)
        case file(String)
        case defaultValue

        var description: String {
            switch self {
            case .flag(let flag): flag
            case .environment(let name): name
            case .file(let path): path
            case .defaultValue: "default"
            }
        }
    }

    /// One key's effective value (nil: unset) and its source.
    struct Value: Sendable {
        var setting: ServerSetting
        var text: String?
        var source: Source
    }

    var values: [Value]
    /// The configuration file read, if any.
    var file: String?

    /// Resolves every key, then checks the values; errors name the key and the flag, variable or file it came from.
    /// - Parameter flags: the flags given, by key (flags not given are absent).
    /// - Parameter validate: false leaves the checks to the caller (`config show` prints first, then checks).
    static func resolve(flags: [String: String], environment: [String: String], file: String?, validate: Bool = true)
        async throws -> ServerSettings
    {
        let fileName = file ?? environment["CRM_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        var fileProvider: (any ConfigProvider)?
        if let fileName { fileProvider = try await Self.provider(fileName) }
        let environmentProvider = EnvironmentVariablesProvider(environmentVariables: environment)
        var values: [Value] = []
        for setting in ServerSetting.all {
            if let flag = setting.flag, let text = flags[setting.key] {
                values.append(Value(setting: setting, text: text, source: .flag(flag)))
            } else if let text = try Self.lookup(setting, in: environmentProvider, key: ["crm"] + setting.components) {
                values.append(Value(setting: setting, text: text, source: .environment(setting.environmentName)))
            } else if let fileProvider, let fileName, let text = try Self.lookup(setting, in: fileProvider, file: fileName) {
                values.append(Value(setting: setting, text: text, source: .file(fileName)))
            } else {
                values.append(Value(setting: setting, text: setting.defaultValue, source: .defaultValue))
            }
        }
        let settings = ServerSettings(values: values, file: fileName)
        if validate { try settings.validate() }
        return settings
    }

    /// The value of `key` as text (nil: unset).
    subscript(key: String) -> String? { value(key).text }

    func value(_ key: String) -> Value {
        guard let found = values.first(where: { $0.setting.key == key }) else {
            preconditionFailure("no setting \(key)")
        }
        return found
    }

    /// The whole-number value of an `.int` key (checked by `validate`).
    func int(_ key: String) -> Int { Int(self[key] ?? "") ?? 0 }

    /// The number value of a `.double` key (checked by `validate`).
    func double(_ key: String) -> Double { Double(self[key] ?? "") ?? 0 }

    /// An error about `key`'s value, naming where it came from.
    func error(_ key: String, _ message: String) -> ServerSettingsError {
        ServerSettingsError(key: key, source: value(key).source.description, message: message)
    }

    // MARK: - Reading the sources

    /// The file's provider: JSON for a `.json` file, YAML otherwise. Keys the file holds that `serve` does not
    /// know are refused, so a misspelt key does not pass unnoticed.
    private static func provider(_ path: String) async throws -> any ConfigProvider {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServerSettingsError(key: path, source: "--config", message: "the configuration file cannot be read")
        }
        let unknown: [String]
        do {
            let tree = try Yams.load(yaml: String(decoding: data, as: UTF8.self))
            guard tree == nil || tree is [String: Any] else {
                throw ServerSettingsError(
                    key: path, source: "--config", message: "the file must hold keys and values (such as server: port: 8080)")
            }
            unknown = Self.keys(of: tree as? [String: Any] ?? [:]).filter { ServerSetting.named($0) == nil }
        } catch let error as ServerSettingsError {
            throw error
        } catch {
            throw ServerSettingsError(key: path, source: "--config", message: "not YAML or JSON: \(error)")
        }
        if let first = unknown.first {
            throw ServerSettingsError(
                key: first, source: path,
                message: "not a setting of crm-server serve (the keys: "
                    + ServerSetting.all.filter { $0.flag != nil }.map(\.key).joined(separator: ", ") + ")")
        }
        do {
            if path.lowercased().hasSuffix(".json") {
                return try await FileProvider<JSONSnapshot>(filePath: FilePath(path))
            }
            return try await FileProvider<YAMLSnapshot>(filePath: FilePath(path))
        } catch {
            throw ServerSettingsError(key: path, source: "--config", message: "cannot be read: \(error)")
        }
    }

    /// The dotted keys of the leaves of a parsed file.
    private static func keys(of tree: [String: Any], prefix: String = "") -> [String] {
        tree.keys.sorted().flatMap { name -> [String] in
            let key = prefix.isEmpty ? name : prefix + "." + name
            if let nested = tree[name] as? [String: Any] { return keys(of: nested, prefix: key) }
            return [key]
        }
    }

    /// The environment's text for a setting, nil when the variable is unset or empty.
    private static func lookup(_ setting: ServerSetting, in provider: some ConfigProvider, key: [String]) throws -> String? {
        let result = try provider.value(forKey: AbsoluteConfigKey(key), type: .string)
        guard case .string(let text)? = result.value?.content, !text.isEmpty else { return nil }
        return text
    }

    /// The file's value for a setting, read as the setting's type; a value of another type names the key and file.
    private static func lookup(_ setting: ServerSetting, in provider: any ConfigProvider, file: String) throws -> String? {
        let type: ConfigType =
            switch setting.kind {
            case .string: .string
            case .int: .int
            case .double: .double
            }
        let result: LookupResult
        do {
            result = try provider.value(forKey: AbsoluteConfigKey(setting.components), type: type)
        } catch {
            let what =
                switch setting.kind {
                case .string: "text"
                case .int: "a whole number"
                case .double: "a number"
                }
            throw ServerSettingsError(key: setting.key, source: file, message: "must be \(what)")
        }
        switch result.value?.content {
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        case .double(let number)?: return String(number)
        default: return nil
        }
    }
}
