// CallsSdkBridge, the code CometChatCallsAdapter runs, against the real core: the core calls it on
// its threads, it hops to the main thread in order, and the SDK's completions come back stamped
// with their attempt. The CometChat objects are replaced by recording proxies.
import Foundation
import SwitchboardKit
import XCTest

/// How the recording `CometChatCalls` answers a join.
enum JoinAnswer {
    case success
    case error(code: String?, description: String?)
}

@MainActor
final class RecordingCallsProxy: CometChatCallsProxyProtocol {
    var log: [String] = []
    var answers: [JoinAnswer] = [.success]

    func initialise() { log.append("init") }
    func initialiseChat() { log.append("init-chat") }

    func joinSession(
        sessionID: String,
        settings: SessionSettings,
        onSuccess: @escaping @Sendable () -> Void,
        onError: @escaping @Sendable (String?, String?) -> Void
    ) {
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

    func registerListeners() { log.append("register") }
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

final class CallsSdkBridgeTests: XCTestCase {
    @MainActor
    func testJoinLeaveAndActionsThroughTheBridge() async throws {
        let calls = RecordingCallsProxy()
        let session = RecordingSessionProxy()
        let bridge = CallsSdkBridge(calls: calls, session: session)
        session.forwarder = bridge.forwarder
        try await withBridge(bridge) { core, viewModel in
            XCTAssertEqual(calls.log, ["init"], "standalone: the Calls SDK only")

            core.openURL(meetingLink("bridge-call"))
            await settleAcrossMainThread(core)
            XCTAssertTrue(calls.log.allSatisfy { !$0.hasPrefix("join") }, "no join before the view appears")

            viewModel.callViewAppeared()
            await settleAcrossMainThread(core)
            XCTAssertEqual(session.log.first, "register", "listeners are registered before the join")
            XCTAssertEqual(calls.log.last, "join bridge-call XCTest call")
            XCTAssertTrue(viewModel.state.isInCall, "\(viewModel.state)")

            // In-call actions reach the SDK only while its session is active.
            viewModel.toggleMic()
            await settleAcrossMainThread(core)
            XCTAssertFalse(session.log.contains("muted true"))
            session.active = true
            viewModel.toggleMic()
            await settleAcrossMainThread(core)
            XCTAssertTrue(session.log.contains("muted false"), "\(session.log)")

            viewModel.leave()
            await settleAcrossMainThread(core)
            XCTAssertEqual(session.log.filter { $0 == "leave" }.count, 1)
            XCTAssertTrue(viewModel.state.ended(.localLeave), "\(viewModel.state)")
            XCTAssertFalse(viewModel.isCallViewPresented)
        }
    }

    @MainActor
    func testJoinErrorsAreMappedAndStamped() async throws {
        let calls = RecordingCallsProxy()
        calls.answers = [
            .error(code: "INIT ERROR", description: "CometChatCalls in not Initialised properly"),
            .error(code: "AUTH TOKEN ERROR", description: "User not logged in or auth token invalid"),
        ]
        let bridge = CallsSdkBridge(calls: calls, session: RecordingSessionProxy())
        try await withBridge(bridge) { core, viewModel in
            core.openURL(meetingLink("bridge-error"))
            viewModel.callViewAppeared()
            await settleAcrossMainThread(core)

            XCTAssertFalse(viewModel.isCallViewPresented)
            let alert = try XCTUnwrap(viewModel.alertMessage, "\(viewModel.state)")
            XCTAssertTrue(alert.contains("AUTH TOKEN ERROR"), alert)
            XCTAssertTrue(alert.contains("auth token invalid"), alert)
        }
    }

    @MainActor
    func testAdditiveModeInitialisesBothSdks() async throws {
        let calls = RecordingCallsProxy()
        let bridge = CallsSdkBridge(calls: calls, session: RecordingSessionProxy())
        try await withBridge(bridge, mode: .additive) { core, _ in
            await settleAcrossMainThread(core)
            XCTAssertEqual(calls.log, ["init", "init-chat"])
        }
    }

    /// Starts a core with `bridge` as its SDK port, runs `body`, cleans up.
    @MainActor
    private func withBridge(
        _ bridge: CallsSdkBridge,
        mode: IntegrationMode = .standalone,
        _ body: (SwitchboardProxy, CallViewModel) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("switchboard-xctest-\(UUID().uuidString)", isDirectory: true)
        let viewModel = CallViewModel()
        let core = try SwitchboardShell.start(
            dataDirectory: directory,
            config: .standard(allowedHosts: [testHost], mode: mode, settings: .standard(title: "XCTest call")),
            sdk: bridge,
            audio: FakeAudioSession(),
            viewModel: viewModel
        )
        defer {
            core.shutdown()
            try? FileManager.default.removeItem(at: directory)
        }
        await settleAcrossMainThread(core)
        try await body(core, viewModel)
    }

    /// The bridge answers from the main thread, which answers the core, which calls the bridge...:
    /// settle the core and drain the main queue until neither has anything left.
    @MainActor
    private func settleAcrossMainThread(_ core: SwitchboardProxy) async {
        for _ in 0..<4 {
            let idle = await Task.detached { core.waitUntilIdle(timeoutMs: 5_000) }.value
            XCTAssertTrue(idle)
            await drainMainQueue()
        }
    }
}
