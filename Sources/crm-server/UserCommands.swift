import ArgumentParser
import CRMServer
import CRMStore
import Foundation

/// `crm-server user ...`: manage users while the server runs or not.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Add, list and change users.",
        subcommands: [Add.self, List.self, Set.self, Passwd.self, Disable.self, Enable.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The user name (lower-case).") var name: String
        @Option(help: "The role: sales-rep, sales-manager, service-agent, admin, or a role of your package.")
        var role: String
        @Option(help: "The user this user reports to.") var manager: String?
        @Option(help: "An email address the user sends from (repeat for several).") var email: [String] = []
        @Flag(help: "Read the password from standard input.") var passwordStdin = false
        @Option(help: "The bcrypt cost.") var bcryptCost: UInt8 = 12

        func run() async throws {
            let database = try await store.open()
            _ = try await store.ensurePackage(database)
            let password = try PasswordInput.read(fromStdin: passwordStdin, confirm: true)
            let user = try await UserAdministration(store: database, bcryptCost: bcryptCost).add(
                name: name, password: password, role: role, manager: manager, emails: email)
            print("added \(user.name) (\(user.role))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let users = try await store.open().users()
            print("NAME".padding(16) + "ROLE".padding(16) + "MANAGER".padding(16) + "ENABLED".padding(9) + "EMAILS")
            for user in users {
                print(
                    user.name.padding(16) + user.role.padding(16) + (user.manager ?? "-").padding(16)
                        + (user.enabled ? "yes" : "no").padding(9) + user.emails.joined(separator: ", "))
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a user's role, manager or emails.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option var role: String?
        @Option(help: "The new manager; 'none' removes it.") var manager: String?
        @Option(help: "The user's email addresses, replacing the old ones (repeat for several).")
        var email: [String] = []

        func run() async throws {
            var change = UserAdministration.Change(role: role, emails: email.isEmpty ? nil : email)
            if let manager { change.manager = .some(manager == "none" ? nil : manager) }
            let user = try await UserAdministration(store: store.open()).change(name, change)
            print("\(user.name): role \(user.role), manager \(user.manager ?? "-"), emails \(user.emails)")
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password; ends their sessions.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Flag(help: "Read the password from standard input.") var passwordStdin = false
        @Option(help: "The bcrypt cost.") var bcryptCost: UInt8 = 12

        func run() async throws {
            let password = try PasswordInput.read(fromStdin: passwordStdin, prompt: "New password: ", confirm: true)
            _ = try await UserAdministration(store: store.open(), bcryptCost: bcryptCost)
                .change(name, .init(password: password))
            print("password of \(name) changed; their sessions ended")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user; ends their sessions at once.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String

        func run() async throws {
            _ = try await UserAdministration(store: store.open()).change(name, .init(enabled: false))
            print("\(name) disabled; their sessions ended and their devices revoked")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String

        func run() async throws {
            _ = try await UserAdministration(store: store.open()).change(name, .init(enabled: true))
            print("\(name) enabled")
        }
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
