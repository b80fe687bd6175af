// swift-tools-version:5.9
// SwitchboardKit: the Swift shell of Switchboard that does not need UIKit, SwiftUI, AVFoundation or
// CometChat: the generated bindings (SwitchboardCore), the adapters the core calls, the fakes, and
// the view model. It builds and tests on Linux against the real Rust library.
//
// Where the Rust library comes from (SWITCHBOARD_FFI overrides the default):
// - `system` (default on Linux): a system-library target. scripts/test-swift.sh writes its
//   module.modulemap and headers into Sources/SwitchboardFFI and links libswitchboard_ffi through
//   `-L`/`-rpath` flags on the command line.
// - `xcframework` (default on Apple platforms): ../build/SwitchboardFFI.xcframework, built by
//   scripts/build-xcframework.sh.
import Foundation
import PackageDescription

#if os(Linux)
let defaultLinkage = "system"
#else
let defaultLinkage = "xcframework"
#endif
let linkage = ProcessInfo.processInfo.environment["SWITCHBOARD_FFI"] ?? defaultLinkage

let ffiTarget: Target = linkage == "system"
    ? .systemLibrary(name: "SwitchboardFFI", path: "Sources/SwitchboardFFI")
    : .binaryTarget(name: "SwitchboardFFI", path: "../build/SwitchboardFFI.xcframework")

/// Complete concurrency checking for the hand-written code, in the Swift 5 language mode (the
/// generated bindings are compiled without it; see docs/ios-integration.md).
let strictConcurrency: [SwiftSetting] = [.enableExperimentalFeature("StrictConcurrency")]

let package = Package(
    name: "SwitchboardKit",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "SwitchboardKit", targets: ["SwitchboardKit"]),
    ],
    targets: [
        ffiTarget,
        // The generated UniFFI bindings, one Swift module for both crates' files.
        .target(
            name: "SwitchboardCore",
            dependencies: ["SwitchboardFFI"],
            exclude: ["README.md"]
        ),
        .target(
            name: "SwitchboardKit",
            dependencies: ["SwitchboardCore"],
            swiftSettings: strictConcurrency
        ),
        .testTarget(
            name: "SwitchboardKitTests",
            dependencies: ["SwitchboardKit"],
            swiftSettings: strictConcurrency
        ),
    ],
    swiftLanguageVersions: [.v5]
)
