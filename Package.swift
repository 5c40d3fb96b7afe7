// swift-tools-version:6.0
import PackageDescription

/// One package, no SwiftPM dependencies (see DESIGN.md §5): the toolchain plus Debian C libraries,
/// each wrapped once behind a small Swift module.
let strict: [SwiftSetting] = []

func system(_ name: String, pkgConfig: String? = nil) -> Target {
    .systemLibrary(name: name, path: "Shared/\(name)", pkgConfig: pkgConfig)
}

func shared(_ name: String, _ deps: [Target.Dependency]) -> Target {
    .target(name: name, dependencies: deps, path: "Shared/\(name)", swiftSettings: strict)
}

func service(_ folder: String, _ target: String, _ deps: [Target.Dependency]) -> Target {
    .executableTarget(name: target, dependencies: deps, path: "Services/\(folder)", swiftSettings: strict)
}

func tests(_ name: String, _ deps: [Target.Dependency]) -> Target {
    .testTarget(name: name, dependencies: deps, path: "Tests/\(name)", swiftSettings: strict)
}

let serviceDeps: [Target.Dependency] = ["ServiceKit", "Contracts", "Runtime", "Postgres", "Kafka", "HTTP"]

let package = Package(
    name: "wloadctl",
    products: [
        .executable(name: "trigger-service", targets: ["TriggerService"]),
        .executable(name: "dependency-resolver", targets: ["DependencyResolver"]),
        .executable(name: "dispatcher", targets: ["Dispatcher"]),
        .executable(name: "agent", targets: ["Agent"]),
        .executable(name: "audit-service", targets: ["AuditService"]),
        .executable(name: "cmdb-service", targets: ["CMDBService"]),
        .executable(name: "notifier", targets: ["Notifier"]),
        .executable(name: "dev-broker", targets: ["DevBroker"]),
        .executable(name: "wloadctl", targets: ["WLoadCtl"]),
        .executable(name: "wloadctl-bench", targets: ["WLoadCtlBench"]),
    ],
    targets: [
        system("CRdKafka", pkgConfig: "rdkafka"),
        system("CPostgres", pkgConfig: "libpq"),
        system("CMicroHTTPD", pkgConfig: "libmicrohttpd"),
        system("CSodium", pkgConfig: "libsodium"),
        system("CSpawn"),

        shared("Runtime", []),
        shared("Sodium", ["CSodium"]),
        shared("Kafka", ["CRdKafka", "Runtime"]),
        shared("Postgres", ["CPostgres", "Runtime"]),
        shared("HTTP", ["CMicroHTTPD", "Runtime"]),
        shared("Contracts", ["Runtime", "Scheduling"]),
        shared("Governance", ["Contracts", "Scheduling"]),
        shared("ServiceKit", ["Contracts", "Runtime", "Postgres", "Kafka", "HTTP", "Sodium"]),
        shared("LocalStack", ["Runtime", "Sodium"]),
        shared("Scheduling", []),

        service("trigger-service", "TriggerService", serviceDeps + ["Scheduling", "Sodium"]),
        service("dependency-resolver", "DependencyResolver", serviceDeps),
        service("dispatcher", "Dispatcher", serviceDeps + ["Governance"]),
        service("agent", "Agent", serviceDeps + ["CSpawn"]),
        service("audit-service", "AuditService", serviceDeps),
        service("cmdb-service", "CMDBService", serviceDeps),
        service("notifier", "Notifier", serviceDeps),
        service("dev-broker", "DevBroker", ["Kafka", "Runtime", "Contracts"]),
        service("wloadctl", "WLoadCtl", ["Contracts", "Runtime", "LocalStack", "HTTP", "Scheduling", "Governance"]),
        service("wloadctl-bench", "WLoadCtlBench", ["Contracts", "Runtime", "LocalStack", "HTTP", "Kafka", "Postgres"]),

        tests("RuntimeTests", ["Runtime"]),
        tests("ContractsTests", ["Contracts", "Runtime"]),
        tests("GovernanceTests", ["Governance", "Contracts"]),
        tests("KafkaTests", ["Kafka", "Runtime"]),
        tests("PostgresTests", ["Postgres", "Runtime", "LocalStack"]),
        tests("HTTPTests", ["HTTP", "Runtime"]),
        tests("SchedulingTests", ["Scheduling"]),
        tests("IntegrationTests", ["LocalStack", "Runtime", "Contracts", "HTTP", "Kafka", "Sodium", "Postgres", "ServiceKit"]),
    ],
    swiftLanguageModes: [.v6]
)
