// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Perch",
    platforms: [.macOS(.v15), .iOS(.v17)],
    products: [
        .executable(name: "perch", targets: ["perch"]),
        .library(name: "PerchCore", targets: ["PerchCore"]),
        .library(name: "PerchServer", targets: ["PerchServer"]),
        .library(name: "PerchClient", targets: ["PerchClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
    ],
    targets: [
        .target(
            name: "PerchCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The store's protocols and records, and nothing of either database: the two dialects below depend on it,
        // never on each other.
        .target(
            name: "PerchStore",
            dependencies: [
                "PerchCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The statement layer both dialects share: statements written once with `?` placeholders, the rows they
        // answer decoded once, the store rules that need nothing else, and the audience filter compiled to SQL.
        .target(name: "PerchSQL", dependencies: ["PerchCore", "PerchStore"]),
        .target(
            name: "PerchSQLite",
            dependencies: [
                "PerchCore",
                "PerchStore",
                "PerchSQL",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "PerchPostgres",
            dependencies: [
                "PerchCore",
                "PerchStore",
                "PerchSQL",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // `perch migrate`: a SQLite file's registry moved into PostgreSQL, the one place that reads both.
        .target(
            name: "PerchTransfer",
            dependencies: [
                "PerchCore",
                "PerchStore",
                "PerchPostgres",
                "PerchSQL",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "PerchGateways",
            dependencies: [
                "PerchCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "PerchSimulator",
            dependencies: [
                "PerchCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"]
        ),
        // The delivery engine: audience resolution, the scheduler, the worker, the gateway directory, hygiene and the
        // send queue every send path goes through. perch worker needs only this; PerchServer (the API and the
        // dashboard) builds on it.
        .target(
            name: "PerchDelivery",
            dependencies: [
                "PerchCore",
                "PerchStore",
                "PerchGateways",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // GET /healthz and GET /metrics on a listener of their own (perch worker's port, perch serve --metrics-port).
        .target(
            name: "PerchHealth",
            dependencies: [
                "PerchCore",
                "PerchStore",
                "PerchDelivery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "PerchServer",
            dependencies: [
                "PerchCore",
                "PerchStore",
                "PerchGateways",
                "PerchDelivery",
                "PerchHealth",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            // The web SDK, compiled into the binary (PackageResources) and served under /sdk/.
            resources: [
                .embedInCode("SDK/perch.js"), .embedInCode("SDK/perch-sw.js"),
                .embedInCode("SDK/example.html"), .embedInCode("SDK/example-sw.js"),
            ]
        ),
        .executableTarget(
            name: "perch",
            dependencies: [
                "PerchCore",
                "PerchStore",
                "PerchSQLite",
                "PerchServer",
                "PerchDelivery",
                "PerchHealth",
                "PerchGateways",
                "PerchSimulator",
                "PerchPostgres",
                "PerchTransfer",
                "PerchDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "perch-bench-webpush-encryption",
            dependencies: [
                "PerchCore", "PerchGateways",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "bench/gateways/WebPushEncryptionBench"
        ),
        .executableTarget(
            name: "perch-bench-gateways",
            dependencies: [
                "PerchCore", "PerchGateways", "PerchSimulator",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/gateways/GatewayThroughputBench"
        ),
        // The app-side client: Foundation and URLSession only, so it builds for iOS and Linux alike.
        .target(name: "PerchClient"),
        .testTarget(
            name: "PerchClientTests",
            dependencies: [
                "PerchClient",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "PerchDemo",
            dependencies: [
                "PerchCore", "PerchStore", "PerchServer", "PerchDelivery", "PerchSimulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "perch-bench-campaign",
            dependencies: [
                "PerchCore", "PerchStore", "PerchSQLite", "PerchDelivery", "PerchGateways", "PerchSimulator", "PerchDemo",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/campaign/CampaignBench"
        ),
        .executableTarget(
            name: "perch-bench-analytics",
            dependencies: ["PerchCore", "PerchStore", "PerchSQLite", "PerchPostgres", "PerchDelivery", .product(name: "Logging", package: "swift-log")],
            path: "bench/analytics/AnalyticsBench"
        ),
        .testTarget(
            name: "PerchDemoTests",
            dependencies: ["PerchDemo", "PerchCore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "PerchCoreTests", dependencies: ["PerchCore"]),
        // What the store and server suites share: the test PostgreSQL server (a fresh database per test).
        .target(
            name: "PerchTestSupport",
            dependencies: [
                "PerchCore", "PerchPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/PerchTestSupport"
        ),
        // The conformance suite: every store behaviour, run on both dialects.
        .testTarget(
            name: "PerchStoreTests",
            dependencies: [
                "PerchStore", "PerchCore", "PerchSQL", "PerchSQLite", "PerchPostgres", "PerchTransfer", "PerchTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "PerchPostgresTests", dependencies: ["PerchPostgres", "PerchStore", "PerchCore", "PerchSQL", "PerchTestSupport", .product(name: "PostgresNIO", package: "postgres-nio")]),
        .testTarget(name: "PerchSQLTests", dependencies: ["PerchSQL", "PerchCore", "PerchStore"]),
        .testTarget(
            name: "PerchServerTests",
            dependencies: [
                "PerchServer", "PerchDelivery", "PerchHealth", "PerchStore", "PerchSQL", "PerchSQLite", "PerchCore", "PerchGateways", "PerchSimulator", "PerchPostgres",
                "PerchTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The delivery engine's own tests: the worker, the resolver and the send waiters, on both backends.
        .testTarget(
            name: "PerchDeliveryTests",
            dependencies: [
                "PerchDelivery", "PerchGateways", "PerchStore", "PerchSQLite", "PerchCore", "PerchTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "PerchGatewaysTests",
            dependencies: [
                "PerchGateways", "PerchSimulator", "PerchCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ]
        ),
        .testTarget(
            name: "PerchSimulatorTests",
            dependencies: [
                "PerchSimulator", "PerchCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
