// The audio side: AudioSessionBridge runs the core's calls in order, off the main thread; the
// core's audio policy reaches the session; notifications reach the core.
import Foundation
import SwitchboardKit
import XCTest

final class RecordingAudioProxy: AudioSessionProxyProtocol, @unchecked Sendable {
    struct Failure: Error {}
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
        if active && failActivation { throw Failure() }
    }

    func overrideOutputToSpeaker(_ speaker: Bool) throws {
        append("speaker \(speaker)")
    }
}

final class AudioTests: XCTestCase {
    func testTheBridgeKeepsTheCoresOrder() {
        let proxy = RecordingAudioProxy()
        proxy.failActivation = true // a failure is logged; later calls still run
        let bridge = AudioSessionBridge(proxy: proxy)
        bridge.configure(
            category: .playAndRecord,
            mode: .voiceChat,
            options: AudioOptions(allowBluetooth: true, defaultToSpeaker: true)
        )
        bridge.activate()
        bridge.overrideOutput(speaker: true)
        bridge.deactivate(notifyOthers: true)
        bridge.drain()
        XCTAssertEqual(proxy.log, [
            "category playAndRecord voiceChat bluetooth=true speaker=true",
            "active true notify=false",
            "speaker true",
            "active false notify=true",
        ])
    }

    @MainActor
    func testTheCallConfiguresPlayAndRecordAndNotificationsReachTheCore() async throws {
        try await withHarness { h in
            await h.joinCall("audio-call")
            let configured = h.audio.calls.compactMap { call -> AudioCategory? in
                if case let .configure(category, _, _) = call { return category }
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
                if case .configure(.playAndRecord, _, _) = $0 { return true }
                return false
            }, "media services reset: the session is configured again")
            XCTAssertTrue(h.viewModel.state.isInCall)
        }
    }
}
