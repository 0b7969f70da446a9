// swift-tools-version: 6.1
// Fuzz targets (libFuzzer) for the readers that take outside input: vCard, iCalendar, MIME mail, the customization
// package loader and the JSON request bodies of the server. A separate package so `swift build` of the CRM itself
// never sees them; `scripts/fuzz.sh` builds them with `--sanitize fuzzer --sanitize address` and runs them.
import PackageDescription

let package = Package(
    name: "crm-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "crm-desktop", path: "..")],
    targets: [
        .executableTarget(name: "FuzzVCard", dependencies: [.product(name: "PIMFormats", package: "crm-desktop")]),
        .executableTarget(
            name: "FuzzICalendar", dependencies: [.product(name: "PIMFormats", package: "crm-desktop")]),
        .executableTarget(name: "FuzzMail", dependencies: [.product(name: "PIMFormats", package: "crm-desktop")]),
        .executableTarget(name: "FuzzPackage", dependencies: [.product(name: "CRMModel", package: "crm-desktop")]),
        .executableTarget(
            name: "FuzzRequestJSON",
            dependencies: [
                .product(name: "CRMModel", package: "crm-desktop"),
                .product(name: "CRMSyncProtocol", package: "crm-desktop"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
