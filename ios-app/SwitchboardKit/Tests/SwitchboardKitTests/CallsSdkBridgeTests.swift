// CallsSdkBridge, the code CometChatCallsAdapter runs, against the real core: the core calls it on
// its threads, it runs each call on the main thread in order and throws what it could not do, the
// SDK's completions come back stamped with their attempt, and init and login are reported without
// the token ever reaching the core. The CometChat objects are FakeCometChat, behind the same two
// proxy protocols as the real SDK; a TeeCore shows what reached the core.
import Foundation
@testable import SwitchboardKit
import XCTest

/// A core that notes every input as text, then hands it to the real core.
final class TeeCore: SwitchboardProxyProtocol, @unchecked Sendable {
    let core: SwitchboardProxy
    let recorder = RecordingCore()

    init(_ core: SwitchboardProxy) {
        self.core = core
    }

    var received: [String] { recorder.received }

    func openURL(_ url: String) { recorder.openURL(url); core.openURL(url) }
    func join(sessionID: String) { recorder.join(sessionID: sessionID); core.join(sessionID: sessionID) }
    func leave() { recorder.leave(); core.leave() }
    func sdkEvent(_ event: SdkEvent, attempt: UInt64) { recorder.sdkEvent(event, attempt: attempt); core.sdkEvent(event, attempt: attempt) }
    func audioEvent(_ event: AudioEvent) { recorder.audioEvent(event); core.audioEvent(event) }
    func toggleMic() { recorder.toggleMic(); core.toggleMic() }
    func toggleCamera() { recorder.toggleCamera(); core.toggleCamera() }
    func selectAudioRoute(speaker: Bool) { recorder.selectAudioRoute(speaker: speaker); core.selectAudioRoute(speaker: speaker) }
    func appState(_ state: AppState) { recorder.appState(state); core.appState(state) }
    func viewAppeared() { recorder.viewAppeared(); core.viewAppeared() }
    func viewDisappeared() { recorder.viewDisappeared(); core.viewDisappeared() }
    func retry() { recorder.retry(); core.retry() }
    func dismiss() { recorder.dismiss(); core.dismiss() }
    func answerSwitch(accept: Bool) { recorder.answerSwitch(accept: accept); core.answerSwitch(accept: accept) }
    func setupEvent(_ event: SetupEvent) { recorder.setupEvent(event); core.setupEvent(event) }
    func permissionChanged(media: MediaKind, status: Authorization) {
        recorder.permissionChanged(media: media, status: status)
        core.permissionChanged(media: media, status: status)
    }
    func newMeeting(sessionID: String) { recorder.newMeeting(sessionID: sessionID); core.newMeeting(sessionID: sessionID) }
    func openSettings() { recorder.openSettings(); core.openSettings() }
    var uiState: UiState { core.uiState }
}

/// Collects every ShellLog line.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.sync { lines } }
    func add(_ line: String) { lock.sync { lines.append(line) } }
}

final class CallsSdkBridgeTests: XCTestCase {
    @MainActor
    func testJoinLeaveAndActionsThroughTheBridge() async throws {
        let sdk = FakeCometChat(script: [.joinSucceeded])
        let bridge = sdk.bridge(tokens: nil)
        try await withBridge(bridge) { rig in
            XCTAssertEqual(sdk.calls, [.initialise], "standalone: the Calls SDK only; a user is logged in: no login")

            rig.core.openURL(meetingLink("bridge-call"))
            await rig.settle()
            XCTAssertEqual(sdk.joinCount, 0, "no join before the view appears")

            rig.viewModel.callViewAppeared()
            await rig.settle()
            let settings = try SessionSettings.standard(title: "XCTest call")
            XCTAssertEqual(Array(sdk.calls.dropFirst()), [
                .registerListeners, .joinSession(sessionID: "bridge-call", settings: settings),
            ], "listeners are registered before the join")
            XCTAssertTrue(rig.viewModel.state.isInCall, "\(rig.viewModel.state)")

            // In-call actions reach the SDK only while its session is active; a refused one is
            // thrown back to the core, which logs it (rule 13).
            sdk.sessionLost = true
            rig.viewModel.toggleMic()
            await rig.settle()
            XCTAssertFalse(sdk.calls.contains(.setAudioMuted(true)))
            let refused = try rig.portFailures()
            XCTAssertEqual(refused.count, 1, "\(refused)")
            XCTAssertTrue(refused[0].contains("mute_audio"), refused[0])
            XCTAssertTrue(refused[0].contains("no active call session"), refused[0])
            XCTAssertTrue(rig.viewModel.state.isInCall, "a refused mute changes nothing else")

            sdk.sessionLost = false
            rig.viewModel.toggleMic()
            await rig.settle()
            XCTAssertEqual(sdk.calls.last, .setAudioMuted(false), "\(sdk.calls)")

            rig.viewModel.leave()
            await rig.settle()
            XCTAssertEqual(sdk.leaveCount, 1)
            XCTAssertTrue(rig.viewModel.state.ended(.localLeave), "\(rig.viewModel.state)")
            XCTAssertFalse(rig.viewModel.isCallViewPresented)
            XCTAssertEqual(sdk.initCount, 2, "the SDK is initialised again after the call: \(sdk.calls)")
            XCTAssertEqual(try rig.portFailures().count, 1)
        }
    }

    @MainActor
    func testJoinErrorsAreMappedAndStamped() async throws {
        // The fake reports each in the SDK's words ("INIT ERROR", "AUTH TOKEN ERROR"); the bridge
        // maps them back.
        let sdk = FakeCometChat(script: [
            .joinFailed(code: .`init`, message: "CometChatCalls in not Initialised properly"),
            .joinFailed(code: .authToken, message: "User not logged in or auth token invalid"),
        ])
        try await withBridge(sdk.bridge(tokens: nil)) { rig in
            rig.core.openURL(meetingLink("bridge-error"))
            rig.viewModel.callViewAppeared()
            await rig.settle()

            XCTAssertFalse(rig.viewModel.isCallViewPresented)
            let alert = try XCTUnwrap(rig.viewModel.alertMessage, "\(rig.viewModel.state)")
            XCTAssertTrue(alert.contains("AUTH TOKEN ERROR"), alert)
            XCTAssertTrue(alert.contains("auth token invalid"), alert)
        }
    }

    @MainActor
    func testAJoinTheAdapterCannotStartIsLogged() async throws {
        let sdk = FakeCometChat()
        sdk.failures = [.joinSession: "no call view on screen to join into"]
        try await withBridge(sdk.bridge(tokens: nil)) { rig in
            rig.core.openURL(meetingLink("no-container"))
            rig.viewModel.callViewAppeared()
            await rig.settle()
            let failures = try rig.portFailures()
            XCTAssertEqual(failures.count, 1, "\(failures)")
            XCTAssertTrue(failures[0].contains("join_session"), failures[0])
            XCTAssertTrue(failures[0].contains("no call view on screen"), failures[0])
        }
    }

    @MainActor
    func testAdditiveModeInitialisesBothSdks() async throws {
        let sdk = FakeCometChat()
        try await withBridge(sdk.bridge(tokens: nil), mode: .additive) { rig in
            await rig.settle()
            XCTAssertEqual(sdk.calls, [.initialise, .initialiseChat])
        }
    }

    // MARK: - Init and login (rule 11)

    @MainActor
    func testInitWithNobodyLoggedInLogsInWithTheProvidersToken() async throws {
        let sdk = FakeCometChat(initResponse: .succeeded(loggedIn: false))
        let tokens = FakeTokenProvider(.success("tok-1"))
        try await withBridge(sdk.bridge(tokens: tokens)) { rig in
            XCTAssertEqual(sdk.calls, [.initialise, .login(authToken: "tok-1")])
            XCTAssertEqual(tokens.fetches, 1)
            XCTAssertEqual(rig.tee.received.filter { $0.hasPrefix("setup_event") }, [
                "setup_event \(SetupEvent.initSucceeded(request: 1, loggedIn: false))",
                "setup_event \(SetupEvent.loginSucceeded)",
            ])

            rig.core.openURL(meetingLink("after-login"))
            rig.viewModel.callViewAppeared()
            await rig.settle()
            XCTAssertEqual(sdk.joinedSessionIDs, ["after-login"])
        }
    }

    @MainActor
    func testTheTokenNeverReachesTheCoreOrTheLog() async throws {
        let secret = "eyJTOKEN-never-leaves-the-sdk"
        // The SDK's error quotes the token it refused (the bridge must not pass that on).
        let sdk = FakeCometChat(
            initResponse: .succeeded(loggedIn: false),
            loginResponse: .failed(description: "ERROR_AUTHTOKEN_WITH_SPACE: '\(secret)' has a space")
        )
        let tokens = FakeTokenProvider(.success(secret))
        let lines = LogLines()
        ShellLog.setObserver { lines.add($0) }
        defer { ShellLog.setObserver(nil) }
        try await withBridge(sdk.bridge(tokens: tokens)) { rig in
            XCTAssertEqual(sdk.loginTokens, [secret], "the SDK gets the token")
            let failed = try XCTUnwrap(rig.tee.received.first { $0.contains("loginFailed") }, "\(rig.tee.received)")
            XCTAssertTrue(failed.contains("ERROR_AUTHTOKEN_WITH_SPACE"), failed)
            XCTAssertTrue(failed.contains("[auth token]"), failed)

            // The next join logs in again; this time it works and the call goes ahead.
            sdk.loginResponse = .succeeded
            rig.core.openURL(meetingLink("token-call"))
            rig.viewModel.callViewAppeared()
            await rig.settle()
            XCTAssertEqual(sdk.loginTokens, [secret, secret])
            XCTAssertEqual(sdk.joinedSessionIDs, ["token-call"], "\(sdk.calls)")
            XCTAssertTrue(rig.viewModel.state.isInCall, "\(rig.viewModel.state)")

            XCTAssertFalse(rig.tee.received.isEmpty)
            for input in rig.tee.received {
                XCTAssertFalse(input.contains(secret), "the core was given the token: \(input)")
            }
            let log = try rig.exportedLog()
            XCTAssertTrue(log.contains("login_failed"), log)
            XCTAssertFalse(log.contains(secret), "the token is in the core's log")
            for line in lines.all {
                XCTAssertFalse(line.contains(secret), "the token is in the shell's log: \(line)")
            }
        }
    }

    @MainActor
    func testATokenProviderFailureIsALoginFailure() async throws {
        let sdk = FakeCometChat(initResponse: .succeeded(loggedIn: false))
        let tokens = FakeTokenProvider(.failure(FakeTokenProvider.BackendDown()))
        try await withBridge(sdk.bridge(tokens: tokens)) { rig in
            XCTAssertEqual(sdk.calls, [.initialise], "no token: the SDK's login is never called")
            XCTAssertEqual(rig.tee.received.last, "setup_event \(SetupEvent.loginFailed(message: "the app's token provider gave no auth token: the token service answered 503"))")

            // The join that follows asks for a token again; it still fails, so the call is not
            // joined and the user sees why, with a retry.
            rig.core.openURL(meetingLink("no-token"))
            rig.viewModel.callViewAppeared()
            await rig.settle()
            XCTAssertEqual(sdk.joinCount, 0)
            let alert = try XCTUnwrap(rig.viewModel.alertMessage, "\(rig.viewModel.state)")
            XCTAssertTrue(alert.contains("login failed"), alert)
            XCTAssertTrue(alert.contains("answered 503"), alert)
            XCTAssertTrue(rig.viewModel.canRetry)
        }
    }

    @MainActor
    func testAnEmptyTokenOrNoProviderFailsTheLogin() async throws {
        let sdk = FakeCometChat(initResponse: .succeeded(loggedIn: false))
        try await withBridge(sdk.bridge(tokens: FakeTokenProvider(.success("")))) { rig in
            XCTAssertEqual(rig.tee.received.last, "setup_event \(SetupEvent.loginFailed(message: "the app's token provider gave an empty auth token"))")
            XCTAssertEqual(sdk.loginTokens, [])
        }

        let noProvider = FakeCometChat(initResponse: .succeeded(loggedIn: false))
        try await withBridge(noProvider.bridge(tokens: nil)) { rig in
            let failures = try rig.portFailures()
            XCTAssertEqual(failures.count, 1, "\(failures)")
            XCTAssertTrue(failures[0].contains("login_calls_sdk"), failures[0])
            XCTAssertTrue(failures[0].contains("no token provider"), failures[0])

            // The core counts the failed port call as a failed login: a join is refused with it.
            rig.core.openURL(meetingLink("no-provider"))
            await rig.settle()
            let alert = try XCTUnwrap(rig.viewModel.alertMessage, "\(rig.viewModel.state)")
            XCTAssertTrue(alert.contains("no token provider"), alert)
        }
    }

    @MainActor
    func testAnInitErrorReachesTheCoreWithItsDescription() async throws {
        let sdk = FakeCometChat(initResponse: .failed(description: "App ID is invalid"))
        try await withBridge(sdk.bridge(tokens: nil)) { rig in
            XCTAssertEqual(rig.tee.received.last, "setup_event \(SetupEvent.initFailed(request: 1, message: "App ID is invalid"))")
            sdk.initResponse = .failed(description: nil)
            rig.core.openURL(meetingLink("init-failed")) // the next attempt initialises again
            await rig.settle()
            XCTAssertEqual(sdk.calls, [.initialise, .initialise])
            XCTAssertTrue(rig.tee.received.contains(
                "setup_event \(SetupEvent.initFailed(request: 2, message: "CometChatCalls init failed and gave no error description"))"
            ), "\(rig.tee.received)")
            let alert = try XCTUnwrap(rig.viewModel.alertMessage, "\(rig.viewModel.state)")
            XCTAssertTrue(alert.contains("init failed"), alert)
        }
    }

    @MainActor
    func testAJoinWaitsInJoiningUntilTheSdkIsReady() async throws {
        let sdk = FakeCometChat(initResponse: nil)
        try await withBridge(sdk.bridge(tokens: nil)) { rig in
            rig.core.openURL(meetingLink("cold-start"))
            rig.viewModel.callViewAppeared()
            await rig.settle()
            XCTAssertTrue(rig.viewModel.isCallViewPresented)
            XCTAssertEqual(rig.viewModel.connectingMessage, "Connecting to the calling service…")
            XCTAssertEqual(sdk.joinCount, 0, "nothing joins before init has succeeded")

            XCTAssertEqual(sdk.heldInits.count, 1)
            sdk.answerHeldInit(0, .succeeded(loggedIn: true)) // init #1's late onSuccess
            await rig.settle()
            XCTAssertEqual(rig.tee.received.filter { $0.hasPrefix("setup_event") }, [
                "setup_event \(SetupEvent.initSucceeded(request: 1, loggedIn: true))",
            ])
            XCTAssertEqual(sdk.joinedSessionIDs, ["cold-start"])
            XCTAssertNil(rig.viewModel.connectingMessage)
        }
    }

    // MARK: - Numbered inits

    /// The bridge names, in each completion, the request the core gave that init, and reports
    /// every completion it gets (late, out of order, repeated): choosing is the core's job.
    @MainActor
    func testEveryInitCompletionIsReportedWithTheRequestItWasGiven() async throws {
        let core = RecordingCore()
        let sdk = FakeCometChat(initResponse: nil, forwarder: SdkCallbackForwarder(core: core))
        let bridge = sdk.bridge(tokens: nil)
        try bridge.initCalls(request: 7)
        try bridge.initCalls(request: 8)
        XCTAssertEqual(sdk.calls, [.initialise, .initialise])
        XCTAssertEqual(sdk.heldInits.count, 2)
        await drainMainQueue()
        XCTAssertEqual(core.received, [], "nothing is reported before the SDK answers")

        // The newer init answers first; then the older one, late; then the newer one again.
        sdk.answerHeldInit(1, .succeeded(loggedIn: false))
        await drainMainQueue()
        sdk.answerHeldInit(0, .failed(description: "App ID is invalid"))
        sdk.answerHeldInit(1, .succeeded(loggedIn: true))
        await drainMainQueue()
        XCTAssertEqual(core.received, [
            "setup_event \(SetupEvent.initSucceeded(request: 8, loggedIn: false))",
            "setup_event \(SetupEvent.initFailed(request: 7, message: "App ID is invalid"))",
            "setup_event \(SetupEvent.initSucceeded(request: 8, loggedIn: true))",
        ])
        withExtendedLifetime(core) {}
    }

    /// An init that went unanswered past the join timeout is asked for again (#2); init #1's
    /// completions, when they come at last, reach the core, which records them and ignores them:
    /// the join waits for #2's answer and goes out on it.
    @MainActor
    func testALateCompletionOfAnOlderInitReachesTheCoreWhichIgnoresIt() async throws {
        let sdk = FakeCometChat(initResponse: nil)
        try await withBridge(sdk.bridge(tokens: nil), joinTimeoutMs: 1_000) { rig in
            XCTAssertEqual(sdk.calls, [.initialise])
            rig.core.openURL(meetingLink("late-init"))
            rig.viewModel.callViewAppeared()
            await rig.settle()
            XCTAssertEqual(rig.viewModel.connectingMessage, "Connecting to the calling service…")
            await rig.eventually("the held join times out") { rig.viewModel.state.isError }
            XCTAssertTrue(rig.viewModel.canRetry, "\(rig.viewModel.state)")

            // The retry finds init #1 overdue and asks again: init #2.
            rig.viewModel.callViewDisappeared()
            rig.viewModel.retry()
            await rig.settle()
            XCTAssertEqual(sdk.calls, [.initialise, .initialise], "\(sdk.calls)")
            XCTAssertEqual(sdk.heldInits.count, 2)

            // Init #1 answers at last, both ways: reported as #1, and ignored.
            sdk.answerHeldInit(0, .failed(description: "init #1 gave up"))
            sdk.answerHeldInit(0, .succeeded(loggedIn: true))
            await rig.settle()
            let reports = rig.tee.received.filter { $0.hasPrefix("setup_event") }
            XCTAssertEqual(reports, [
                "setup_event \(SetupEvent.initFailed(request: 1, message: "init #1 gave up"))",
                "setup_event \(SetupEvent.initSucceeded(request: 1, loggedIn: true))",
            ])
            XCTAssertFalse(rig.viewModel.state.isError, "a stale failure fails nothing: \(rig.viewModel.state)")
            rig.viewModel.callViewAppeared()
            await rig.settle()
            XCTAssertEqual(rig.viewModel.connectingMessage, "Connecting to the calling service…",
                           "a stale success readies nothing: \(rig.viewModel.state)")
            XCTAssertEqual(sdk.joinCount, 0, "\(sdk.calls)")
            let log = try rig.exportedLog()
            XCTAssertTrue(log.contains("init #1 gave up"), "the stale completion is in the core's log")

            // Init #2's answer is the one that counts.
            sdk.answerHeldInit(1, .succeeded(loggedIn: true))
            await rig.settle()
            XCTAssertEqual(
                rig.tee.received.filter { $0.hasPrefix("setup_event") }.last,
                "setup_event \(SetupEvent.initSucceeded(request: 2, loggedIn: true))"
            )
            XCTAssertEqual(sdk.joinedSessionIDs, ["late-init"], "\(sdk.calls)")
            XCTAssertTrue(rig.viewModel.state.isInCall, "\(rig.viewModel.state)")
        }
    }

    // MARK: - Rig

    @MainActor
    struct Rig {
        let core: SwitchboardProxy
        let tee: TeeCore
        let viewModel: CallViewModel
        let directory: URL

        /// The bridge answers from the main thread, which answers the core, which calls the
        /// bridge...: settle the core and drain the main queue until neither has anything left.
        func settle() async {
            for _ in 0..<4 {
                let core = self.core
                let idle = await Task.detached { core.waitUntilIdle(timeoutMs: 5_000) }.value
                XCTAssertTrue(idle)
                await drainMainQueue()
            }
        }

        /// Settles until `condition` holds, or fails after `timeout` seconds (for the core's timers).
        func eventually(
            _ what: String,
            timeout: TimeInterval = 10,
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
                await settle()
            }
        }

        func exportedLog() throws -> String {
            let url = directory.appendingPathComponent("export-\(UUID().uuidString).jsonl")
            _ = try core.exportLog(to: url, redact: false)
            return try String(contentsOf: url, encoding: .utf8)
        }

        func portFailures() throws -> [String] {
            try exportedLog().split(separator: "\n").map(String.init).filter { $0.contains("port_failed") }
        }
    }

    /// Starts a core with `bridge` as its SDK port (reporting through a `TeeCore`), runs `body`,
    /// cleans up.
    @MainActor
    private func withBridge(
        _ bridge: CallsSdkBridge,
        mode: IntegrationMode = .standalone,
        joinTimeoutMs: UInt64? = nil,
        _ body: (Rig) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("switchboard-xctest-\(UUID().uuidString)", isDirectory: true)
        let viewModel = CallViewModel()
        let ui = UiObserverBridge(viewModel: viewModel, permissions: FakePermissions(), system: FakeSystem())
        let core = try SwitchboardShell.start(
            dataDirectory: directory,
            config: .standard(
                allowedHosts: [testHost],
                mode: mode,
                settings: .standard(title: "XCTest call"),
                joinTimeoutMs: joinTimeoutMs
            ),
            sdk: bridge,
            audio: FakeAudioSession(),
            ui: ui
        )
        // Before the main thread runs anything the core asked of the bridge: every report goes
        // through the tee.
        let tee = TeeCore(core)
        bridge.attach(tee)
        ui.attach(tee)
        defer {
            core.shutdown()
            try? FileManager.default.removeItem(at: directory)
        }
        let rig = Rig(core: core, tee: tee, viewModel: viewModel, directory: directory)
        await rig.settle()
        try await body(rig)
        withExtendedLifetime(tee) {}
    }
}
