import ArgumentParser
import CRMModel
import CRMServer
import Foundation

/// `crm-server package ...`: publish and list customization packages.
struct PackageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package", abstract: "Publish and list customization packages.",
        subcommands: [Publish.self, List.self])

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a package file and publish it; clients pick it up on their next sync.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The package's YAML file.") var file: String
        @Option(help: "Publish for these roles only (repeat); default: every role the package defines.")
        var role: [String] = []

        func run() async throws {
            let url = URL(fileURLWithPath: file)
            let yaml = try String(contentsOf: url, encoding: .utf8)
            do {
                let published = try await PackageService(store: store.open()).publish(
                    yaml: yaml, file: url.lastPathComponent, roles: role.isEmpty ? nil : role)
                print("published \(published.name) version \(published.version) for \(published.roles.joined(separator: ", "))")
            } catch let error as PackageLoadError {
                throw ValidationError(error.description)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List published packages.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            for package in try await store.open().publishedPackages() {
                let roles = package.roles.isEmpty ? "(no role)" : package.roles.joined(separator: ", ")
                print("\(package.name) v\(package.version)  \(Timestamp.string(from: package.publishedAt))  \(roles)")
            }
        }
    }
}
