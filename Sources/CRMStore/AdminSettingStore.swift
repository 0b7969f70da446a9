/// Server-wide settings an administrator changes while servers run (quiet hours), kept in the store beside the
/// sync facts, so every server on one database reads the same and a backup carries them. Values are text
/// (JSON where structured); servers read them at each use, never caching what an admin command may change.
public protocol AdminSettingStore: Sendable {
    /// The value under `key`, nil when none is set.
    func adminSetting(_ key: String) async throws -> String?
    /// Sets the value under `key`; nil removes it.
    func setAdminSetting(_ key: String, _ value: String?) async throws
}
