// swift-tools-version: 6.1
// CRM Desktop: an open, offline-first CRM. See README.md and docs/ARCHITECTURE.md.
import PackageDescription

let package = Package(
    name: "crm-desktop",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "crm-server", targets: ["crm-server"]),
        .executable(name: "crm-desktop", targets: ["crm-desktop"]),
        .executable(name: "crm-bench", targets: ["crm-bench"]),
        .library(name: "CRMModel", targets: ["CRMModel"]),
        .library(name: "CRMSyncProtocol", targets: ["CRMSyncProtocol"]),
        .library(name: "CRMStore", targets: ["CRMStore"]),
        .library(name: "CRMStoreSQLite", targets: ["CRMStoreSQLite"]),
        .library(name: "CRMStorePostgres", targets: ["CRMStorePostgres"]),
        .library(name: "CRMServer", targets: ["CRMServer"]),
        .library(name: "CRMWeb", targets: ["CRMWeb"]),
        .library(name: "CRMDesktop", targets: ["CRMDesktop"]),
        .library(name: "PIMFormats", targets: ["PIMFormats"]),
        .library(name: "PIMBridge", targets: ["PIMBridge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // RFC 4180 CSV reading (quotes, line breaks in fields, CRLF, a UTF-8 BOM) from a stream.
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        // Templates of the web UI.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // The server's metrics, rendered for Prometheus.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // `crm-server serve`'s settings from the environment and a YAML or JSON file.
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // Customization package, records, field values, validation, merge. No I/O.
        .target(
            name: "CRMModel",
            dependencies: [.product(name: "Yams", package: "Yams")],
            resources: [.copy("Resources/default.yaml")]
        ),
        // Codable wire types shared by server and desktop.
        .target(name: "CRMSyncProtocol", dependencies: ["CRMModel"]),
        // Store protocols, queries, cursors and store errors; no database code.
        .target(name: "CRMStore", dependencies: ["CRMModel", "CRMSyncProtocol"]),
        // The stores on SQLite through GRDB: the embedded default.
        .target(
            name: "CRMStoreSQLite",
            dependencies: ["CRMStore", "CRMModel", "CRMSyncProtocol", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The same stores on PostgreSQL through postgres-nio: for several stateless servers on one database.
        .target(
            name: "CRMStorePostgres",
            dependencies: [
                "CRMStore", "CRMModel", "CRMSyncProtocol",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Server components and the HTTP application interface.
        .target(
            name: "CRMServer",
            dependencies: [
                "CRMModel", "CRMSyncProtocol", "CRMStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources/openapi.yaml")]
        ),
        // The web UI for users and administrators: server-rendered Mustache pages on the server's router.
        .target(
            name: "CRMWeb",
            dependencies: [
                "CRMServer", "CRMModel", "CRMStore", "CRMSyncProtocol",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Templates"), .copy("Static")]
        ),
        // vCard, iCalendar and (later) MIME codecs: pure, no I/O, no dependencies, fuzzable.
        .target(name: "PIMFormats"),
        // CRM <-> PIM: mapping per package, the vdir and CardDAV/CalDAV stores, two-way sync planning.
        .target(
            name: "PIMBridge",
            dependencies: [
                "PIMFormats", "CRMModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The desktop: offline replica, outbox, sync engine, package installer, first run assistant.
        .target(
            name: "CRMDesktop",
            dependencies: [
                "CRMModel", "CRMSyncProtocol", "PIMBridge", "PIMFormats",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Fixtures and a test server on loopback, shared by the test targets.
        .target(
            name: "CRMTesting",
            dependencies: [
                "CRMModel", "CRMStore", "CRMStoreSQLite", "CRMStorePostgres", "CRMServer", "CRMSyncProtocol", "CRMWeb",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .executableTarget(
            name: "crm-server",
            dependencies: [
                "CRMModel", "CRMStore", "CRMStoreSQLite", "CRMStorePostgres", "CRMServer", "CRMSyncProtocol", "CRMWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "crm-desktop",
            dependencies: [
                "CRMDesktop", "CRMModel", "CRMSyncProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The performance scenarios of docs/PERFORMANCE.md; run from a release build.
        .executableTarget(
            name: "crm-bench",
            dependencies: [
                "CRMDesktop", "CRMModel", "CRMServer", "CRMSyncProtocol", "CRMTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            path: "Benchmarks/crm-bench"
        ),
        .testTarget(name: "CRMModelTests", dependencies: ["CRMModel"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PIMFormatsTests", dependencies: ["PIMFormats"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PIMBridgeTests", dependencies: ["PIMBridge", "PIMFormats", "CRMModel", "CRMTesting"]),
        // The store conformance suite (its bodies are in CRMTesting) run on every store.
        .testTarget(
            name: "CRMStoreConformanceTests",
            dependencies: ["CRMStorePostgres", "CRMStoreSQLite", "CRMStore", "CRMModel", "CRMSyncProtocol", "CRMTesting"]
        ),
        .testTarget(
            name: "CRMStorePostgresTests",
            dependencies: ["CRMStorePostgres", "CRMStoreSQLite", "CRMStore", "CRMModel", "CRMSyncProtocol", "CRMTesting"]
        ),
        .testTarget(
            name: "CRMStoreSQLiteTests",
            dependencies: ["CRMStoreSQLite", "CRMStore", "CRMModel", "CRMSyncProtocol", "CRMTesting"]
        ),
        .testTarget(
            name: "CRMServerTests",
            dependencies: [
                "CRMServer", "CRMTesting", "CRMModel", "CRMStore", "CRMStoreSQLite", "CRMSyncProtocol",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "CRMWebTests",
            dependencies: [
                "CRMWeb", "CRMServer", "CRMTesting", "CRMModel", "CRMStore", "CRMSyncProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "CRMDesktopTests",
            dependencies: [
                "CRMDesktop", "CRMTesting", "CRMModel", "CRMSyncProtocol", "CRMServer", "CRMStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The answer-dropping proxy of the convergence tests, and the HTTPS tests.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
