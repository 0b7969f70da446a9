import Foundation

/// The default sales-and-service package that ships with the server (`packages/default.yaml`).
public enum DefaultPackage {
    /// The YAML source of the default package.
    public static func yaml() throws -> String {
        guard let url = Bundle.module.url(forResource: "default", withExtension: "yaml") else {
            throw PackageLoadError(file: "default.yaml", key: "", message: "the default package is not installed")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The default package, loaded and checked.
    public static func load() throws -> CustomizationPackage {
        try PackageLoader.load(yaml: yaml(), file: "default.yaml")
    }
}
