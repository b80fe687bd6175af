// The shell, wired as the app wires it, around the real Rust core: the real CallsSdkBridge over
// FakeCometChat (the SDK faked at the proxy seam, as CometChatCallsAdapter is the bridge over the
// real SDK) with a FakeTokenProvider, FakeAudioSession as the audio port, CallViewModel (through
// UiObserverBridge, with FakePermissions and FakeSystem) as the UI, a fresh data directory per test.
import Foundation
import SwitchboardKit
import XCTest

/// The host every test link uses (the core's allowed host in these tests).
let testHost = "meet.switchboard.example"

/// A meeting link for `sessionID`.
func meetingLink(_ sessionID: String) -> String {
    "https://\(testHost)/meet/\(sessionID)"
}

/// One app's worth of shell around a real core.
@MainActor
final class CallHarness {
    let dataDirectory: URL
    /// The SDK, behind the proxy protocols.
    let sdk: FakeCometChat
    /// The app's backend for login.
    let tokens: FakeTokenProvider
    /// The core's SDK port: the real bridge over `sdk`.
    let bridge: CallsSdkBridge
    let audio = FakeAudioSession()
    let viewModel = CallViewModel()
    let permissions: FakePermissions
    let system = FakeSystem()
    let ui: UiObserverBridge
    let core: SwitchboardProxy
    /// Every state the view model applied, in order.
    private(set) var rendered: [UiState] = []

    /// A shell around a new core; with `dataDirectory`, the core opens the log an earlier
    /// harness left there (the app launched again).
    init(
        dataDirectory: URL? = nil,
        script: [SdkEvent] = [.joinSucceeded, .sessionJoined],
        sdk: FakeCometChat? = nil,
        tokens: FakeTokenProvider = FakeTokenProvider(),
        permissions: Permissions = Permissions(microphone: .authorized, camera: .authorized),
        settings: SessionSettings? = nil,
        joinTimeoutMs: UInt64 = 30_000,
        leaveAckTimeoutMs: UInt64 = 10_000
    ) throws {
        self.dataDirectory = dataDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("switchboard-xctest-\(UUID().uuidString)", isDirectory: true)
        self.sdk = sdk ?? FakeCometChat(script: script)
        self.tokens = tokens
        bridge = self.sdk.bridge(tokens: tokens)
        self.permissions = FakePermissions(permissions)
        ui = UiObserverBridge(viewModel: viewModel, permissions: self.permissions, system: system)
        let config = try CoreConfig.standard(
            allowedHosts: [testHost],
            settings: settings ?? .standard(title: "XCTest call"),
            joinTimeoutMs: joinTimeoutMs,
            leaveAckTimeoutMs: leaveAckTimeoutMs
        )
        core = try SwitchboardShell.start(
            dataDirectory: self.dataDirectory,
            config: config,
            sdk: bridge,
            audio: audio,
            ui: ui
        )
        viewModel.onRender = { [weak self] state in self?.rendered.append(state) }
    }

    /// Stops the core and deletes the data directory.
    func finish() {
        core.shutdown()
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    /// Waits until the core has handled every input so far (off the main thread, so the main
    /// queue stays free), then until the main queue has run what was queued on it: the view
    /// model's renders and the bridge's hops (an init's answer goes to the main thread before it
    /// reaches the core, and may start a login). Repeats until a round changes nothing the test
    /// can see: the SDK's calls, the rendered states.
    func settle(file: StaticString = #filePath, line: UInt = #line) async {
        let core = self.core
        var seen = (-1, -1)
        for _ in 0 ..< 20 {
            let idle = await Task.detached { core.waitUntilIdle(timeoutMs: 5_000) }.value
            XCTAssertTrue(idle, "the core did not settle within 5 s", file: file, line: line)
            await drainMainQueue()
            let now = (sdk.calls.count, rendered.count)
            if now == seen { return }
            seen = now
        }
        XCTFail("the shell and the core kept busy for 20 rounds", file: file, line: line)
    }

    /// Settles until `condition` holds, or fails after `timeout` seconds (for the core's timers).
    func eventually(
        _ what: String,
        timeout: TimeInterval = 5,
        file: StaticString = #filePath,
        line: UInt = #line,
        _ condition: () -> Bool
    ) async {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline {
                XCTFail("timed out waiting for: \(what)", file: file, line: line)
                return
            }
            try? await Task.sleep(nanoseconds: 20_000_000)
            await settle(file: file, line: line)
        }
    }

    // MARK: - What the user and the system do

    /// A meeting link arrives (Universal Link).
    func open(_ sessionID: String) async {
        core.openURL(meetingLink(sessionID))
        await settle()
    }

    /// The call view's container appears on screen.
    func appear() async {
        viewModel.callViewAppeared()
        await settle()
    }

    /// The call view's container leaves the screen.
    func disappear() async {
        viewModel.callViewDisappeared()
        await settle()
    }

    /// Link, view, scripted join: the usual way into a call.
    func joinCall(_ sessionID: String) async {
        await open(sessionID)
        await appear()
    }

    /// An SDK listener callback for the current attempt.
    func fire(_ event: SdkEvent) async {
        sdk.fire(event)
        await settle()
    }

    /// One of the SDK's terminal callbacks.
    func fireTerminal(_ terminal: FakeCometChat.Terminal) async {
        sdk.fireTerminal(terminal)
        await settle()
    }

    /// The event log as exported JSON Lines.
    func exportedLog() throws -> String {
        let url = dataDirectory.appendingPathComponent("export-\(UUID().uuidString).jsonl")
        _ = try core.exportLog(to: url, redact: false)
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The exported log's lines that record a failed port call (`port_failed` incidents).
    func portFailures() throws -> [String] {
        try exportedLog().split(separator: "\n").map(String.init).filter { $0.contains("port_failed") }
    }

    /// Whether the view model went through a state matching `predicate`.
    func sawState(_ predicate: (UiState) -> Bool) -> Bool {
        rendered.contains(where: predicate)
    }

    /// How many `.ended` or `.error` states were rendered.
    var endings: Int {
        rendered.filter { state in
            switch state {
            case .ended, .error: return true
            default: return false
            }
        }.count
    }
}

/// Runs `body` with a fresh harness and always cleans it up.
@MainActor
func withHarness(
    script: [SdkEvent] = [.joinSucceeded, .sessionJoined],
    sdk: FakeCometChat? = nil,
    tokens: FakeTokenProvider = FakeTokenProvider(),
    permissions: Permissions = Permissions(microphone: .authorized, camera: .authorized),
    settings: SessionSettings? = nil,
    joinTimeoutMs: UInt64 = 30_000,
    leaveAckTimeoutMs: UInt64 = 10_000,
    _ body: (CallHarness) async throws -> Void
) async throws {
    let harness = try CallHarness(
        script: script,
        sdk: sdk,
        tokens: tokens,
        permissions: permissions,
        settings: settings,
        joinTimeoutMs: joinTimeoutMs,
        leaveAckTimeoutMs: leaveAckTimeoutMs
    )
    do {
        try await body(harness)
    } catch {
        harness.finish()
        throw error
    }
    harness.finish()
}

/// Returns once every block queued on the main queue before the call has run.
@MainActor
func drainMainQueue() async {
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        DispatchQueue.main.async { done.resume() }
    }
}

extension UiState {
    /// In the call (connected or reconnecting).
    var isInCall: Bool {
        if case .inCall = self { return true }
        return false
    }

    /// In the call and reconnecting: the banner shows.
    var isReconnecting: Bool {
        if case let .inCall(_, reconnecting, _, _, _, _, _, _, _, _) = self { return reconnecting }
        return false
    }

    /// Joining, with the join held for `waitingFor` (nil: joining, the join went out).
    func isJoining(waitingFor: WaitingFor?) -> Bool {
        if case let .joining(_, _, _, w) = self { return w == waitingFor }
        return false
    }

    /// An error alert that offers "Open Settings".
    var offersSettings: Bool {
        if case .error(_, _, true) = self { return true }
        return false
    }

    /// The call ended with `reason`.
    func ended(_ reason: EndReason) -> Bool {
        if case let .ended(r, _, _) = self { return r == reason }
        return false
    }

    /// An error alert.
    var isError: Bool {
        if case .error = self { return true }
        return false
    }
}
