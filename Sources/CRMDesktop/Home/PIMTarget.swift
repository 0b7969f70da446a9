import Foundation

/// Where the desktop writes CRM contacts, events and tasks: nowhere, a vdir folder (`vdir:PATH`, the embedded
/// default, read by khal, khard and vdirsyncer), or a CardDAV/CalDAV server (`dav:URL`).
public enum PIMTarget: Sendable, Equatable, CustomStringConvertible {
    case none
    case vdir(path: String)
    case dav(url: URL)

    /// Reads `none`, `vdir:PATH` (a relative path is taken from the current folder, `~` expanded) or
    /// `dav:http(s)://...`; anything else names the flag.
    public init(_ text: String, field: String = "--pim") throws {
        if text == "none" {
            self = .none
        } else if text.hasPrefix("vdir:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else {
                throw DesktopError(.invalidInput, "vdir: needs a folder, like vdir:~/.local/share/crm", field: field)
            }
            let expanded = (path as NSString).expandingTildeInPath
            self = .vdir(
                path: expanded.hasPrefix("/")
                    ? expanded : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(expanded))
        } else if text.hasPrefix("dav:") {
            guard let url = URL(string: String(text.dropFirst(4))), url.scheme == "http" || url.scheme == "https",
                url.host != nil
            else {
                throw DesktopError(
                    .invalidInput, "dav: needs a server address, like dav:https://dav.example.com/", field: field)
            }
            self = .dav(url: url)
        } else {
            throw DesktopError(
                .invalidInput, "'\(text)' is not a PIM target: write none, vdir:FOLDER or dav:https://SERVER/",
                field: field)
        }
    }

    public var description: String {
        switch self {
        case .none: "none"
        case .vdir(let path): "vdir:" + path
        case .dav(let url): "dav:" + url.absoluteString
        }
    }
}
