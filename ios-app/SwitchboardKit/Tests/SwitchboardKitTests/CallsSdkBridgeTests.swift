// CallsSdkBridge, the code CometChatCallsAdapter runs, against the real core: the core calls it on
// its threads, it runs each call on the main thread in order and throws what it could not do, the
// SDK's completions come back stamped with their attempt, and init and login are reported without
// the token ever reaching the core. The CometChat objects are replaced by recording proxies.
import Foundation
@testable import SwitchboardKit
import XCTest

/// How the recording `CometChatCalls` answers a join.
enum JoinAnswer {
    case success
    case error(code: String?, description: String?)
}

/// How the recording `CometChatCalls` answers init or login.
enum SetupAnswer {
    case success
    case error(description: String?)
    /// No answer yet (the SDK has not called back): an init's completions are kept in
    /// `heldInits`, so a test can call them back late, out of order or more than once.
    case silence
}

/// The completions one `initialise` was given.
struct HeldInit {
    let onSuccess: @Sendable () -> Void
    let onError: @Sendable (String?) -> Void
}

@MainActor
final class RecordingCallsProxy: CometChatCallsProxyProtocol {
    var log: [String] = []
    var answers: [JoinAnswer] = [.success]
    var initAnswer: SetupAnswer = .success
    /// The completions of every init answered with `.silence`, in the order of the inits.
    var heldInits: [HeldInit] = []
    var loginAnswers: [SetupAnswer] = [.success]
    /// `getLoggedInUser() != nil`; a successful login sets it.
    var loggedIn = true
    /// Every token `login(authToken:)` was given.
    var tokens: [String] = []
    /// Makes `joinSession` throw (as the adapter does with no call view on screen).
    var joinFailure: String?

    func initialise(onSuccess: @escaping @Sendable () -> Void, onError: @escaping @Sendable (String?) -> Void) throws {
        XCTAssertTrue(Thread.isMainThread)
        log.append("init")
        switch initAnswer {
        case .success: onSuccess()
        case let .error(description): onError(description)
        case .silence: heldInits.append(HeldInit(onSuccess: onSuccess, onError: onError))
        }
    }

    func isLoggedIn() -> Bool { loggedIn }

    func login(authToken: String, onSuccess: @escaping @Sendable () -> Void, onError: @escaping @Sendable (String?) -> Void) throws {
        log.append("login")
        tokens.append(authToken)
        let answer = loginAnswers.isEmpty ? .success : loginAnswers.removeFirst()
        switch answer {
        case .success:
            loggedIn = true
            onSuccess()
        case let .error(description): onError(description)
        case .silence: break
        }
    }

    func initialiseChat() throws { log.append("init-chat") }

    func joinSession(
        sessionID: String,
        settings: SessionSettings,
        onSuccess: @escaping @Sendable () -> Void,
        onError: @escaping @Sendable (String?, String?) -> Void
    ) throws {
        XCTAssertTrue(Thread.isMainThread)
        if let joinFailure {
            throw PortError.Failed(message: joinFailure)
        }
        log.append("join \(sessionID) \(settings.title)")
        for answer in answers {
            switch answer {
            case .success: onSuccess()
            case let .error(code, description): onError(code, description)
            }
        }
    }
}

@MainActor
final class RecordingSessionProxy: CallSessionProxyProtocol {
    var log: [String] = []
    var active = false
    /// The SDK's listener side: what `registerListeners` hooks up.
    var forwarder: SdkCallbackForwarder?

    func registerListeners() throws { log.append("register") }
    func leaveSession() {
        log.append("leave")
        active = false
        forwarder?.send(.sessionLeft)
    }
    func setAudioMuted(_ muted: Bool) { log.append("muted \(muted)") }
    func setVideoPaused(_ paused: Bool) { log.append("paused \(paused)") }
    func setAudioMode(_ name: String) { log.append("mode \(name)") }
    func isCallSessionActive() -> Bool { active }
}

/// The app's backend, answering at once.
final class FakeTokenProvider: TokenProvider, @unchecked Sendable {
    struct BackendDown: Error, CustomStringConvertible {
        var description: String { "the token service answered 503" }
    }

    private let lock = NSLock()
    private var result: Result<String, Error>
    private var count = 0

    init(_ result: Result<String, Error>) {
        self.result = result
    }

    var fetches: Int { lock.sync { count } }

    func fetchAuthToken(completion: @escaping @Sendable (Result<String, Error>) -> Void) {
        let result = lock.sync { () -> Result<String, Error> in
            count += 1
            return self.result
        }
        completion(result)
    }
}

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
        let calls = RecordingCallsProxy()
        let session = RecordingSessionProxy()
        let bridge = CallsSdkBridge(calls: calls, session: session, tokens: nil)
        session.forwarder = bridge.forwarder
        try await withBridge(bridge) { rig in
            XCTAssertEqual(calls.log, ["init"], "standalone: the Calls SDK only; a user is logged in: no login")

            rig.core.openURL(meetingLink("bridge-call"))
            await rig.settle()
            XCTAssertTrue(calls.log.allSatisfy { !$0.hasPrefix("join") }, "no join before the view appears")

            rig.viewModel.callViewAppeared()
            await rig.settle()
            XCTAssertEqual(session.log.first, "register", "listeners are registered before the join")
            XCTAssertEqual(calls.log.last, "join bridge-call XCTest call")
            XCTAssertTrue(rig.viewModel.state.isInCall, "\(rig.viewModel.state)")

            // In-call actions reach the SDK only while its session is active; a refused one is
            // thrown back to the core, which logs it (rule 13).
            rig.viewModel.toggleMic()
            await rig.settle()
            XCTAssertFalse(session.log.contains("muted true"))
            let refused = try rig.portFailures()
            XCTAssertEqual(refused.count, 1, "\(refused)")
            XCTAssertTrue(refused[0].contains("mute_audio"), refused[0])
            XCTAssertTrue(refused[0].contains("no active call session"), refused[0])
            XCTAssertTrue(rig.viewModel.state.isInCall, "a refused mute changes nothing else")

            session.active = true
            rig.viewModel.toggleMic()
            await rig.settle()
            XCTAssertTrue(session.log.contains("muted false"), "\(session.log)")

            rig.viewModel.leave()
            await rig.settle()
            XCTAssertEqual(session.log.filter { $0 == "leave" }.count, 1)
            XCTAssertTrue(rig.viewModel.state.ended(.localLeave), "\(rig.viewModel.state)")
            XCTAssertFalse(rig.viewModel.isCallViewPresented)
            XCTAssertEqual(calls.log.filter { $0 == "init" }.count, 2, "the SDK is initialised again after the call: \(calls.log)")
            XCTAssertEqual(try rig.portFailures().count, 1)
        }
    }

    @MainActor
    func testJoinErrorsAreMappedAndStamped() async throws {
        let calls = RecordingCallsProxy()
        calls.answers = [
            .error(code: "INIT ERROR", description: "CometChatCalls in not Initialised properly"),
            .error(code: "AUTH TOKEN ERROR", description: "User not logged in or auth token invalid"),
        ]
        let bridge = CallsSdkBridge(calls: calls, session: RecordingSessionProxy(), tokens: nil)
        try await withBridge(bridge) { rig in
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
        let calls = RecordingCallsProxy()
        calls.joinFailure = "no call view on screen to join into"
        let bridge = CallsSdkBridge(calls: calls, session: RecordingSessionProxy(), tokens: nil)
        try await withBridge(bridge) { rig in
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
        let calls = RecordingCallsProxy()
        let bridge = CallsSdkBridge(calls: calls, session: RecordingSessionProxy(), tokens: nil)
        try await withBridge(bridge, mode: .additive) { rig in
            await rig.settle()
            XCTAssertEqual(calls.log, ["init", "init-chat"])
        }
    }

    // MARK: - Init and login (rule 11)

    @MainActor
    func testInitWithNobodyLoggedInLogsInWithTheProvidersToken() async throws {
        let calls = RecordingCallsProxy()
        calls.loggedIn = false
        let tokens = FakeTokenProvider(.success("tok-1"))
        let bridge = CallsSdkBridge(calls: calls, session: RecordingSessionProxy(), tokens: tokens)
        try await withBridge(bridge) { rig in
            XCTAssertEqual(calls.log, ["init", "login"])
            XCTAssertEqual(calls.tokens, ["tok-1"])
            XCTAssertEqual(tokens.fetches, 1)
            XCTAssertEqual(rig.tee.received.filter { $0.hasPrefix("setup_event") }, [
                "setup_event \(SetupEvent.initSucceeded(request: 1, loggedIn: false))",
                "setup_event \(SetupEvent.loginSucceeded)",
            ])

            rig.core.openURL(meetingLink("after-login"))
            rig.viewModel.callViewAppeared()
            await rig.settle()
            XCTAssertEqual(calls.log.last, "join after-login XCTest call")
        }
    }

    @MainActor
    func testTheTokenNeverReachesTheCoreOrTheLog() async throws {
        let secret = "eyJTOKEN-never-leaves-the-sdk"
        let calls = RecordingCallsProxy()
        calls.loggedIn = false
        // The SDK's error quotes the token it refused (the bridge must not pass that on).
        calls.loginAnswers = [.error(description: "ERROR_AUTHTOKEN_WITH_SPACE: '\(secret)' has a space"), .success]
        let tokens = FakeTokenProvider(.success(secret))
        let lines = LogLines()
        ShellLog.setObserver { lines.add($0) }
        defer { ShellLog.setObserver(nil) }
        let bridge = CallsSdkBridge(calls: calls, session: RecordingSessionProxy(), tokens: tokens)
        try await withBridge(bridge) { rig in
            XCTAssertEqual(calls.tokens, [secret], "the SDK gets the token")
            let failed = try XCTUnwrap(rig.tee.received.first { $0.contains("loginFailed") }, "\(rig.tee.received)")
            XCTAssertTrue(failed.contains("ERROR_AUTHTOKEN_WITH_SPACE"), failed)
            XCTAssertTrue(failed.contains("[auth token]"), failed)

            // The next join logs in again; this time it works and the call goes ahead.
            rig.core.openURL(meetingLink("token-call"))
            rig.viewModel.callViewAppeared()
            await rig.settle()
            XCTAssertEqual(calls.tokens, [secret, secret])
            XCTAssertEqual(calls.log.last, "join token-call XCTest call", "\(calls.log)")
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
        let calls = RecordingCallsProxy()
        calls.loggedIn = false
        let bridge = CallsSdkBridge(
            calls: calls,
            session: RecordingSessionProxy(),
            tokens: FakeTokenProvider(.failure(FakeTokenProvider.BackendDown()))
        )
        try await withBridge(bridge) { rig in
            XCTAssertEqual(calls.log, ["init"], "no token: the SDK's login is never called")
            XCTAssertEqual(rig.tee.received.last, "setup_event \(SetupEvent.loginFailed(message: "the app's token provider gave no auth token: the token service answered 503"))")

            // The join that follows asks for a token again; it still fails, so the call is not
            // joined and the user sees why, with a retry.
            rig.core.openURL(meetingLink("no-token"))
            rig.viewModel.callViewAppeared()
            await rig.settle()
            XCTAssertFalse(calls.log.contains { $0.hasPrefix("join") })
            let alert = try XCTUnwrap(rig.viewModel.alertMessage, "\(rig.viewModel.state)")
            XCTAssertTrue(alert.contains("login failed"), alert)
            XCTAssertTrue(alert.contains("answered 503"), alert)
            XCTAssertTrue(rig.viewModel.canRetry)
        }
    }

    @MainActor
    func testAnEmptyTokenOrNoProviderFailsTheLogin() async throws {
        let calls = RecordingCallsProxy()
        calls.loggedIn = false
        let bridge = CallsSdkBridge(calls: calls, session: RecordingSessionProxy(), tokens: FakeTokenProvider(.success("")))
        try await withBridge(bridge) { rig in
            XCTAssertEqual(rig.tee.received.last, "setup_event \(SetupEvent.loginFailed(message: "the app's token provider gave an empty auth token"))")
            XCTAssertEqual(calls.tokens, [])
        }

        let noProvider = RecordingCallsProxy()
        noProvider.loggedIn = false
        let bare = CallsSdkBridge(calls: noProvider, session: RecordingSessionProxy(), tokens: nil)
        try await withBridge(bare) { rig in
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
        let calls = RecordingCallsProxy()
        calls.initAnswer = .error(description: "App ID is invalid")
        let bridge = CallsSdkBridge(calls: calls, session: RecordingSessionProxy(), tokens: nil)
        try await withBridge(bridge) { rig in
            XCTAssertEqual(rig.tee.received.last, "setup_event \(SetupEvent.initFailed(request: 1, message: "App ID is invalid"))")
            calls.initAnswer = .error(description: nil)
            rig.core.openURL(meetingLink("init-failed")) // the next attempt initialises again
            await rig.settle()
            XCTAssertEqual(calls.log, ["init", "init"])
            XCTAssertTrue(rig.tee.received.contains(
                "setup_event \(SetupEvent.initFailed(request: 2, message: "CometChatCalls init failed and gave no error description"))"
            ), "\(rig.tee.received)")
            let alert = try XCTUnwrap(rig.viewModel.alertMessage, "\(rig.viewModel.state)")
            XCTAssertTrue(alert.contains("init failed"), alert)
        }
    }

    @MainActor
    func testAJoinWaitsInJoiningUntilTheSdkIsReady() async throws {
        let calls = RecordingCallsProxy()
        calls.initAnswer = .silence
        let bridge = CallsSdkBridge(calls: calls, session: RecordingSessionProxy(), tokens: nil)
        try await withBridge(bridge) { rig in
            rig.core.openURL(meetingLink("cold-start"))
            rig.viewModel.callViewAppeared()
            await rig.settle()
            XCTAssertTrue(rig.viewModel.isCallViewPresented)
            XCTAssertEqual(rig.viewModel.connectingMessage, "Connecting to the calling service…")
            XCTAssertFalse(calls.log.contains { $0.hasPrefix("join") }, "nothing joins before init has succeeded")

            XCTAssertEqual(calls.heldInits.count, 1)
            calls.heldInits[0].onSuccess() // init #1's late onSuccess
            await rig.settle()
            XCTAssertEqual(rig.tee.received.filter { $0.hasPrefix("setup_event") }, [
                "setup_event \(SetupEvent.initSucceeded(request: 1, loggedIn: true))",
            ])
            XCTAssertEqual(calls.log.last, "join cold-start XCTest call")
            XCTAssertNil(rig.viewModel.connectingMessage)
        }
    }

    // MARK: - Numbered inits

    /// The bridge names, in each completion, the request the core gave that init, and reports
    /// every completion it gets (late, out of order, repeated): choosing is the core's job.
    @MainActor
    func testEveryInitCompletionIsReportedWithTheRequestItWasGiven() async throws {
        let calls = RecordingCallsProxy()
        calls.initAnswer = .silence
        calls.loggedIn = false
        let core = RecordingCore()
        let bridge = CallsSdkBridge(
            calls: calls,
            session: RecordingSessionProxy(),
            tokens: nil,
            forwarder: SdkCallbackForwarder(core: core)
        )
        try bridge.initCalls(request: 7)
        try bridge.initCalls(request: 8)
        XCTAssertEqual(calls.log, ["init", "init"])
        XCTAssertEqual(calls.heldInits.count, 2)
        await drainMainQueue()
        XCTAssertEqual(core.received, [], "nothing is reported before the SDK answers")

        // The newer init answers first; then the older one, late; then the newer one again.
        calls.heldInits[1].onSuccess()
        await drainMainQueue()
        calls.heldInits[0].onError("App ID is invalid")
        calls.loggedIn = true
        calls.heldInits[1].onSuccess()
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
        let calls = RecordingCallsProxy()
        calls.initAnswer = .silence
        let bridge = CallsSdkBridge(calls: calls, session: RecordingSessionProxy(), tokens: nil)
        try await withBridge(bridge, joinTimeoutMs: 1_000) { rig in
            XCTAssertEqual(calls.log, ["init"])
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
            XCTAssertEqual(calls.log, ["init", "init"], "\(calls.log)")
            XCTAssertEqual(calls.heldInits.count, 2)

            // Init #1 answers at last, both ways: reported as #1, and ignored.
            calls.heldInits[0].onError("init #1 gave up")
            calls.heldInits[0].onSuccess()
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
            XCTAssertFalse(calls.log.contains { $0.hasPrefix("join") }, "\(calls.log)")
            let log = try rig.exportedLog()
            XCTAssertTrue(log.contains("init #1 gave up"), "the stale completion is in the core's log")

            // Init #2's answer is the one that counts.
            calls.heldInits[1].onSuccess()
            await rig.settle()
            XCTAssertEqual(
                rig.tee.received.filter { $0.hasPrefix("setup_event") }.last,
                "setup_event \(SetupEvent.initSucceeded(request: 2, loggedIn: true))"
            )
            XCTAssertEqual(calls.log.last, "join late-init XCTest call", "\(calls.log)")
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
