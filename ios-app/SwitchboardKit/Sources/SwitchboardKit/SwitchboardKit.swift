// SwitchboardKit: the part of the Swift shell that needs neither UIKit, SwiftUI, AVFoundation nor
// CometChat, so it builds and is tested on Linux against the real Rust core.
//
// - Core/: the proxy the shell talks to the core through, logging, the main-thread hop, the errors
//   the ports throw (rule 13).
// - Calls/: the Calls SDK side: the proxy protocols for CometChat's objects, the bridge that
//   implements the core's `CallsSdk` port over them, the callback forwarder, the fake SDK.
// - Audio/: the AVAudioSession side, the same way.
// - System/: the UI port (`UiObserverBridge`): renders to the view model, and the permission
//   prompts, the Settings app and the share sheet through their protocols, with fakes.
// - ViewModel/: `CallViewModel`, which renders the core's `UiState` for SwiftUI.
//
// The generated bindings (module SwitchboardCore) are re-exported: `import SwitchboardKit` is enough.
@_exported import SwitchboardCore
