import ArgumentParser

@main
struct CRMServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm-server",
        abstract: "The CRM server: records, users, customization packages and the JSON web API.",
        subcommands: [
            ServeCommand.self, UserCommand.self, PackageCommand.self, DeviceCommand.self, DemoDataCommand.self,
            MigrateCommand.self, CopyCommand.self, ImportCommand.self, ExportCommand.self, BackupCommand.self,
            RestoreCommand.self, ConfigCommand.self, QuietHoursCommand.self,
        ])
}
