import Foundation
import PIMBridge

extension Desktop {
    /// The PIM target chosen at setup (or with `crm-desktop pim set`).
    public func pimTarget() throws -> PIMTarget { try PIMTarget(settings.pim) }

    /// The store of the chosen target, or nil for `none`.
    public func pimStore() throws -> (any PIMStore)? {
        switch try pimTarget() {
        case .none: return nil
        case .vdir(let path): return VdirStore(root: URL(fileURLWithPath: path))
        case .dav(let url):
            return DAVStore(url: url, user: settings.pimUser, password: home.pimPassword(), httpClient: DesktopHTTP.client)
        }
    }

    /// The two-way PIM sync of this desktop, or nil when no PIM is chosen.
    public func pimSync(force: Bool = false) throws -> PIMSync? {
        try pimStore().map { PIMSync(desktop: self, store: $0, target: settings.pim, force: force) }
    }
}
