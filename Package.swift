// swift-tools-version:6.0
import PackageDescription

// Release link of the skiff binary on Linux (see Benchmarks/rss/README.md): lld instead of gold, so that
// the executable's functions can be laid out in the order Benchmarks/rss/skiff.order gives (the code that
// runs at startup, when idle and while serving requests ends up together and the rest of the 40 MB of
// text is never paged in); no dynamic symbol table for the executable (the toolchain's static-stdlib
// link adds --export-dynamic: 7 MB of .dynsym/.dynstr/.gnu.hash nothing looks up); packed relative
// relocations (4 MB of .rela.dyn read at every start become 50 KB of .relr.dyn). The ordering works per
// function only when the objects have one section per function: build with
//   swift build -c release --static-swift-stdlib --product skiff \
//     -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections
// (packaging/build-deb and install.sh do); without them it orders whole object files.
let skiffReleaseLinkerFlags = [
  "-use-ld=lld",
  "-Xlinker", "--no-export-dynamic",
  "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
  "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Benchmarks/rss/skiff.order",
  "-Xlinker", "--no-warn-symbol-ordering",
]

let package = Package(
  name: "skiff",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "skiff", targets: ["skiff"]),
    .executable(name: "etcd-bench", targets: ["etcd-bench"]),
    .executable(name: "runtime-bench", targets: ["runtime-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.70.0"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
    .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.0.0"),
    .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.28.0"),
    .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.0"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
    .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.21.0"),
    .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.0.0"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.0.0"),
    .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.0.0"),
    .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
    .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.35.0"),
    .package(url: "https://github.com/apple/swift-certificates.git", from: "1.10.0"),
    .package(url: "https://github.com/apple/swift-asn1.git", from: "1.3.0"),
    .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
    .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.21.0"),
  ],
  targets: [
    .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
    .target(name: "SkiffCore", dependencies: [.product(name: "Logging", package: "swift-log")]),
    .target(name: "KubeAPI", dependencies: ["SkiffCore", .product(name: "Yams", package: "Yams")]),
    .target(name: "KubeSchema", dependencies: ["KubeAPI"]),
    .target(name: "KubeProto", dependencies: ["KubeAPI"]),
    .target(
      name: "PKI",
      dependencies: [
        "SkiffCore",
        .product(name: "X509", package: "swift-certificates"),
        .product(name: "SwiftASN1", package: "swift-asn1"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .target(
      name: "CRuntime",
      cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-Wall", "-Wextra", "-Wno-unused-parameter"])],
      linkerSettings: [.linkedLibrary("z"), .linkedLibrary("zstd")]
    ),
    .target(
      name: "Runtime",
      dependencies: [
        "SkiffCore", "CSeccomp", "CRuntime",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ],
      plugins: ["ShimImage"]
    ),
    .plugin(name: "ShimImage", capability: .buildTool()),
    .target(
      name: "APIServer",
      dependencies: [
        "SkiffCore", "Store", "KubeAPI", "KubeSchema", "KubeProto", "PKI", "KubeClient",
        .product(name: "X509", package: "swift-certificates"),
        .product(name: "DequeModule", package: "swift-collections"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "NIOHTTP2", package: "swift-nio-http2"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .target(
      name: "Store",
      dependencies: [
        "SkiffCore", "CSQLite",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "DequeModule", package: "swift-collections"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]
    ),
    .target(
      name: "EtcdServer",
      dependencies: [
        "Store", "SkiffCore",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "NIOHTTP2", package: "swift-nio-http2"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Logging", package: "swift-log"),
      ],
      exclude: ["Proto"]
    ),
    .target(
      name: "KubeClient",
      dependencies: [
        "KubeAPI", "SkiffCore",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "DequeModule", package: "swift-collections"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .target(
      name: "Controllers",
      dependencies: [
        "KubeAPI", "KubeClient", "SkiffCore", "PKI",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]
    ),
    .target(
      name: "Kubelet",
      dependencies: [
        "KubeAPI", "KubeClient", "Runtime", "PKI", "SkiffCore", "CRuntime", "SkiffNetwork",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "X509", package: "swift-certificates"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]
    ),
    .target(
      name: "SkiffNetwork",
      dependencies: [
        "KubeAPI", "KubeClient", "SkiffCore", "CRuntime",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]
    ),
    .target(
      name: "Addons",
      dependencies: [
        "KubeAPI", "KubeClient", "SkiffCore", "CRuntime",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]
    ),
    .target(
      name: "HollowNodes",
      dependencies: ["KubeAPI", "KubeClient", "SkiffCore", .product(name: "Logging", package: "swift-log")]
    ),
    .target(
      name: "SkiffCLI",
      dependencies: [
        "SkiffCore", "Store", "EtcdServer", "APIServer", "PKI", "Runtime", "KubeClient", "Controllers", "HollowNodes",
        "Kubelet",
        "SkiffNetwork", "Addons",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .executableTarget(
      name: "skiff", dependencies: ["SkiffCLI", "SkiffCore", "CRuntime"],
      linkerSettings: [.unsafeFlags(skiffReleaseLinkerFlags, .when(platforms: [.linux], configuration: .release))]
    ),
    .executableTarget(
      name: "etcd-bench",
      dependencies: [
        "EtcdServer",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      path: "Benchmarks/EtcdBench"
    ),
    .executableTarget(
      name: "json-bench", dependencies: ["KubeAPI"], path: "Benchmarks/json", exclude: ["README.md"]),
    .executableTarget(name: "runtime-bench", dependencies: ["Runtime"], path: "Benchmarks/RuntimeBench"),
    .executableTarget(
      name: "controlplane-bench", dependencies: ["KubeAPI", "KubeClient"], path: "Benchmarks/ControlPlaneBench"),
    .executableTarget(
      name: "podstartup-bench", dependencies: ["KubeAPI", "KubeClient", "SkiffTestSupport"],
      path: "Benchmarks/PodStartupBench"),
    .executableTarget(name: "proxy-bench", dependencies: ["SkiffNetwork"], path: "Benchmarks/ProxyBench"),
    .executableTarget(
      name: "dns-bench", dependencies: ["Addons", "KubeAPI", .product(name: "Logging", package: "swift-log")],
      path: "Benchmarks/DNSBench"),
    .executableTarget(
      name: "apiserver-bench",
      dependencies: [
        "KubeAPI", "KubeClient",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ],
      path: "Benchmarks/APIServerBench"),
    .executableTarget(
      name: "kubeproto-bench", dependencies: ["KubeProto", "KubeAPI"], path: "Benchmarks/KubeProtoBench"),
    .testTarget(name: "StoreTests", dependencies: ["Store", "SkiffCore"]),
    .testTarget(name: "KubeAPITests", dependencies: ["KubeAPI", "SkiffCore"]),
    .testTarget(name: "KubeSchemaTests", dependencies: ["KubeSchema", "KubeAPI"]),
    .testTarget(name: "KubeProtoTests", dependencies: ["KubeProto", "KubeAPI"], exclude: ["Fixtures"]),
    .testTarget(
      name: "PKITests",
      dependencies: [
        "PKI",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "NIOTLS", package: "swift-nio"),
      ]
    ),
    .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "SkiffCore", "SkiffTestSupport"]),
    .testTarget(
      name: "APIServerTests", dependencies: ["APIServer", "KubeAPI", "Store", "skiff", "SkiffTestSupport"],
      exclude: ["Python"]),
    .testTarget(name: "KubeClientTests", dependencies: ["KubeClient", "KubeAPI"]),
    .testTarget(
      name: "ControllersTests",
      dependencies: [
        "Controllers", "HollowNodes", "KubeClient", "KubeAPI", "APIServer", "Store", "PKI", "SkiffCore",
        "SkiffTestSupport",
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Logging", package: "swift-log"),
      ]),
    .testTarget(
      name: "KubeletTests",
      dependencies: [
        "Kubelet", "KubeAPI", "KubeClient", "Runtime", "CRuntime", "PKI", "SkiffCore", "SkiffTestSupport", "APIServer",
        "Store", "skiff",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ]),
    .testTarget(
      name: "NetworkTests", dependencies: ["SkiffNetwork", "KubeAPI", "KubeClient", "SkiffCore", "SkiffTestSupport"]),
    .testTarget(
      name: "AddonsTests",
      dependencies: [
        "Addons", "KubeAPI", "KubeClient", "SkiffCore", "SkiffTestSupport",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ]),
    .testTarget(
      name: "SkiffCLITests",
      dependencies: ["SkiffCLI", "Store", "EtcdServer", "skiff", "SkiffTestSupport", "SkiffCore", "CRuntime"]),
    .target(name: "SkiffTestSupport", dependencies: ["Runtime", "SkiffCore"], path: "Tests/SkiffTestSupport"),
    .testTarget(
      name: "EtcdServerTests",
      dependencies: [
        "EtcdServer", "Store", "skiff", "SkiffTestSupport",
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
      ]
    ),
  ],
  swiftLanguageModes: [.v6]
)
