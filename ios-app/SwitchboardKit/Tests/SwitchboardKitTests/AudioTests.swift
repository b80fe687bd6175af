// The audio side: AudioSessionBridge runs the core's calls in order, off the main thread; the
// core's audio policy reaches the session; notifications reach the core.
import Foundation
import SwitchboardKit
import XCTest

final class RecordingAudioProxy: AudioSessionProxyProtocol, @unchecked Sendable {
    /// What AVAudioSession throws when another app's audio cannot be interrupted.
    static let cannotInterruptOthers = NSError(
        domain: "NSOSStatusErrorDomain",
        code: 561_017_449,
        userInfo: [NSLocalizedDescriptionKey: "Session activation failed"]
    )
    private let lock = NSLock()
    private var entries: [String] = []
    var failActivation = false

    var log: [String] {
        lock.lock()
        defer { lock.unlock() }
        return entries
    }

    private func append(_ entry: String) {
        lock.lock()
        entries.append(entry)
        lock.unlock()
    }

    func setCategory(_ category: AudioCategory, mode: AudioSessionMode, options: AudioOptions) throws {
        XCTAssertFalse(Thread.isMainThread, "AVAudioSession calls can block: never on the main thread")
        append("category \(category) \(mode) bluetooth=\(options.allowBluetooth) speaker=\(options.defaultToSpeaker)")
    }

    func setActive(_ active: Bool, notifyOthersOnDeactivation: Bool) throws {
        append("active \(active) notify=\(notifyOthersOnDeactivation)")
        if active && failActivation { throw Self.cannotInterruptOthers }
    }

    func overrideOutputToSpeaker(_ speaker: Bool) throws {
        append("speaker \(speaker)")
    }
}

final class AudioTests: XCTestCase {
    func testTheBridgeKeepsTheCoresOrderAndThrowsTheErrorWithItsCode() async throws {
        let proxy = RecordingAudioProxy()
        proxy.failActivation = true // a failure is thrown back; later calls still run
        let bridge = AudioSessionBridge(proxy: proxy)
        // The core calls its ports on its own threads.
        let thrown = await Task.detached { () -> String? in
            var message: String?
            do {
                try bridge.configure(
                    category: .playAndRecord,
                    mode: .voiceChat,
                    options: AudioOptions(allowBluetooth: true, defaultToSpeaker: true)
                )
                do {
                    try bridge.activate()
                } catch let PortError.Failed(text) {
                    message = text
                }
                try bridge.overrideOutput(speaker: true)
                try bridge.deactivate(notifyOthers: true)
            } catch {
                XCTFail("only the activation fails: \(error)")
            }
            return message
        }.value
        XCTAssertEqual(proxy.log, [
            "category playAndRecord voiceChat bluetooth=true speaker=true",
            "active true notify=false",
            "speaker true",
            "active false notify=true",
        ])
        XCTAssertEqual(
            thrown,
            "audio session activate: NSOSStatusErrorDomain error 561017449 ('!pri'): Session activation failed"
        )
    }

    func testTheFakeFailsTheMethodTheCoreNamesForEachEffect() {
        let options = AudioOptions(allowBluetooth: true, defaultToSpeaker: false)
        XCTAssertEqual(
            FakeAudioSession.Method(performing: .configureAudio(category: .playAndRecord, mode: .voiceChat, options: options)),
            .configure
        )
        XCTAssertEqual(FakeAudioSession.Method(performing: .activateAudio), .activate)
        XCTAssertEqual(FakeAudioSession.Method(performing: .deactivateAudio(notifyOthers: true)), .deactivate)
        XCTAssertEqual(FakeAudioSession.Method(performing: .overrideOutput(speaker: false)), .overrideOutput)
        XCTAssertNil(FakeAudioSession.Method(performing: .muteAudio(attempt: 1)), "an SDK effect is no audio method")
        XCTAssertNil(
            FakeAudioSession.Method(performing: .startTimer(id: TimerId(kind: .joinTimeout, attempt: 1), afterMs: 5)),
            "a timer is no port's"
        )
    }

    @MainActor
    func testAFailedActivationMakesTheCallsAudioUnavailableUntilTheNextForeground() async throws {
        try await withHarness { h in
            h.audio.failures = [.activate: "NSOSStatusErrorDomain error 561017449 ('!pri')"]
            await h.joinCall("no-audio")
            XCTAssertTrue(h.viewModel.state.isInCall, "\(h.viewModel.state)")
            XCTAssertTrue(h.viewModel.isAudioUnavailable)
            XCTAssertEqual(h.viewModel.callNotices.count, 1)
            XCTAssertTrue(h.viewModel.callNotices[0].hasPrefix("Audio is unavailable"), "\(h.viewModel.callNotices)")
            let failures = try h.portFailures()
            XCTAssertFalse(failures.isEmpty)
            XCTAssertTrue(failures.allSatisfy { $0.contains("'!pri'") }, "\(failures)")

            // The next foreground tries again; this time the session activates.
            h.audio.failures = [:]
            let before = h.audio.calls.count
            h.core.appState(.foreground)
            await h.settle()
            XCTAssertTrue(h.audio.calls.dropFirst(before).contains(.activateAudio), "\(h.audio.calls)")
            XCTAssertFalse(h.viewModel.isAudioUnavailable)
            XCTAssertEqual(h.viewModel.callNotices, [])
        }
    }

    @MainActor
    func testTheCallConfiguresPlayAndRecordAndNotificationsReachTheCore() async throws {
        try await withHarness { h in
            await h.joinCall("audio-call")
            let configured = h.audio.calls.compactMap { call -> AudioCategory? in
                if case let .configureAudio(category, _, _) = call { return category }
                return nil
            }
            XCTAssertFalse(configured.isEmpty)
            XCTAssertFalse(configured.contains(.playback), ".playback captures no microphone")
            XCTAssertTrue(configured.allSatisfy { $0 == .playAndRecord })

            h.audio.post(.interruptionBegan(reason: .default))
            await h.settle()
            XCTAssertTrue(h.viewModel.isAudioInterrupted)
            h.audio.post(.interruptionEnded(shouldResume: true))
            await h.settle()
            XCTAssertFalse(h.viewModel.isAudioInterrupted)

            h.audio.post(AudioEventMapping.routeChange(reasonRaw: 1, outputPortType: "BluetoothHFP"))
            await h.settle()
            XCTAssertEqual(h.viewModel.audioRoute, .bluetoothHfp)

            let before = h.audio.calls.count
            h.audio.post(.mediaServicesReset)
            await h.settle()
            XCTAssertTrue(h.audio.calls.dropFirst(before).contains {
                if case .configureAudio(.playAndRecord, _, _) = $0 { return true }
                return false
            }, "media services reset: the session is configured again")
            XCTAssertTrue(h.viewModel.state.isInCall)
        }
    }
}
