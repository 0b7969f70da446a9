import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The desktop's home folder (`--home`, env `CRM_DESKTOP_HOME`, default `~/.crm-desktop`): the replica, the
/// settings, the device's refresh token and the sync lock. Created with owner-only permissions (0700), since it
/// holds a token that opens sessions without a password.
public struct DesktopHome: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The folder from the flag, else `CRM_DESKTOP_HOME`, else `~/.crm-desktop`.
    public static func resolve(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> DesktopHome
    {
        if let flag, !flag.isEmpty { return DesktopHome(path: absolute(flag)) }
        if let env = environment["CRM_DESKTOP_HOME"], !env.isEmpty { return DesktopHome(path: absolute(env)) }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return DesktopHome(path: (home as NSString).appendingPathComponent(".crm-desktop"))
    }

    private static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return expanded }
        return (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(expanded)
    }

    public var replicaPath: String { file("replica.sqlite") }
    public var settingsPath: String { file("settings.json") }
    public var credentialsPath: String { file("refresh-token") }
    public var lockPath: String { file("sync.lock") }
    public var pimPasswordPath: String { file("pim-password") }
    /// The default PIM target: a vdir folder inside the home folder.
    public var defaultPIMFolder: String { file("pim") }

    /// The DAV server's password, when one is kept.
    public func pimPassword() -> String? {
        guard let data = FileManager.default.contents(atPath: pimPasswordPath) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        return text.isEmpty ? nil : text
    }

    /// Keeps the DAV server's password, readable by the owner only (a scheduled sync needs it unattended).
    public func savePIMPassword(_ password: String?) throws {
        guard let password else {
            try? FileManager.default.removeItem(atPath: pimPasswordPath)
            return
        }
        try writePrivate(Data((password + "\n").utf8), to: pimPasswordPath)
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Creates the folder (0700) when absent and tightens its permissions when present.
    public func create() throws {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
        } catch {
            throw DesktopError(.invalidInput, "cannot create the home folder \(path): \(error.localizedDescription)", field: "--home")
        }
    }

    /// Whether `setup` ran here.
    public var isSetUp: Bool { FileManager.default.fileExists(atPath: settingsPath) }

    /// The settings written by setup, or `.notSetUp`.
    public func settings() throws -> DesktopSettings {
        guard let data = FileManager.default.contents(atPath: settingsPath) else {
            throw DesktopError(.notSetUp, "\(path) is not set up; run `crm-desktop setup` first")
        }
        do {
            return try JSONDecoder().decode(DesktopSettings.self, from: data)
        } catch {
            throw DesktopError(.invalidInput, "cannot read \(settingsPath): \(error); run `crm-desktop setup` again")
        }
    }

    public func save(_ settings: DesktopSettings) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writePrivate(try encoder.encode(settings), to: settingsPath)
    }

    /// The device's refresh token (nil when none is kept).
    public func refreshToken() -> String? {
        guard let data = FileManager.default.contents(atPath: credentialsPath) else { return nil }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : token
    }

    /// Keeps the refresh token, readable by the owner only (0600), written atomically.
    public func saveRefreshToken(_ token: String?) throws {
        guard let token else {
            try? FileManager.default.removeItem(atPath: credentialsPath)
            return
        }
        try writePrivate(Data((token + "\n").utf8), to: credentialsPath)
    }

    /// Writes a file with mode 0600 through a temporary file and a rename.
    func writePrivate(_ data: Data, to target: String) throws {
        let temporary = target + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else {
            throw DesktopError(.invalidInput, "cannot write \(target): \(String(cString: strerror(errno)))")
        }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == data.count, synced == 0, rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw DesktopError(
                errno == ENOSPC ? .diskFull : .invalidInput, "cannot write \(target): \(reason)")
        }
    }
}

/// What setup chose: which server, which user, which device, and where the PIM data goes.
public struct DesktopSettings: Codable, Sendable, Equatable {
    public var server: String
    public var user: String
    public var device: String
    public var deviceName: String
    /// Where CRM contacts, events and tasks go: `none`, `vdir:PATH` or `dav:URL` (see `PIMTarget`).
    public var pim: String
    /// The user name at the DAV server (its password is kept in `pim-password`, owner-only).
    public var pimUser: String?
    /// The IANA time zone date windows are computed in (nil: the machine's).
    public var timeZone: String?
    /// The largest share of a collection's items one PIM sync may delete on either side without `--force`
    /// (`crm-desktop pim set --max-delete-share`); nil: `PIMSync.defaultMaxDeleteShare`.
    public var pimMaxDeleteShare: Double?
    /// The maildir folder whose every message is shared (the user moves mail there to share it); nil: none.
    public var mailShareFolder: String?
    /// Maildir folders whose messages to or from contacts who keep their correspondence are shared.
    public var mailFolders: [String]?
    /// A PEM file of the certificate authority that signed the server's certificate, trusted besides the
    /// system's (`setup --ca-file`); nil: the system's only.
    public var caFile: String?

    public init(
        server: String, user: String, device: String, deviceName: String, pim: String, pimUser: String? = nil,
        timeZone: String? = nil
    ) {
        self.server = server
        self.user = user
        self.device = device
        self.deviceName = deviceName
        self.pim = pim
        self.pimUser = pimUser
        self.timeZone = timeZone
    }
}
