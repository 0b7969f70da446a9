/// The version of the desktop-server protocol this build speaks. Requests and responses carry it so that a
/// desktop too old for the server gets a clear "upgrade" answer.
public enum ProtocolVersion {
    public static let current = 1
    /// The oldest desktop protocol the server still serves.
    public static let oldestSupported = 1
    /// The HTTP header that carries it.
    public static let header = "CRM-Protocol-Version"
}
