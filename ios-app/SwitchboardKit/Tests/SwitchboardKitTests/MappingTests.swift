// The shell's mappings: joinSession's error codes (through the core), AVAudioSession's raw
// notification values.
import Foundation
import SwitchboardKit
import XCTest

final class JoinErrorMappingTests: XCTestCase {
    private func code(_ sdkCode: String?, description: String?) -> JoinErrorCode? {
        if case let .joinFailed(code, _) = JoinErrorMapping.event(code: sdkCode, description: description) {
            return code
        }
        return nil
    }

    func testTheSdksCodesMapToTheCoresCodes() {
        XCTAssertEqual(code("INIT ERROR", description: nil), .`init`)
        XCTAssertEqual(code("AUTH TOKEN ERROR", description: nil), .authToken)
        XCTAssertEqual(code("SESSION ID ERROR", description: nil), .sessionId)
        XCTAssertEqual(code("API ERROR", description: nil), .api)
        XCTAssertEqual(code(" auth_token_error ", description: nil), .authToken)
        XCTAssertEqual(code("ERR_SOMETHING", description: nil), .other(code: "ERR_SOMETHING"))
    }

    func testACodeNamedOnlyInTheDescriptionIsFound() {
        XCTAssertEqual(code(nil, description: "INIT ERROR: not initialised"), .`init`)
        XCTAssertEqual(code("", description: "something else"), .other(code: "UNKNOWN ERROR"))
    }

    func testTheEventCarriesTheDescription() {
        XCTAssertEqual(
            JoinErrorMapping.event(code: "API ERROR", description: "Invalid call token"),
            .joinFailed(code: .api, message: "Invalid call token")
        )
        XCTAssertEqual(
            JoinErrorMapping.event(code: "API ERROR", description: nil),
            .joinFailed(code: .api, message: "API ERROR")
        )
        XCTAssertEqual(
            JoinErrorMapping.event(code: nil, description: nil),
            .joinFailed(code: .other(code: "UNKNOWN ERROR"), message: "Failed to join the call")
        )
    }

    func testAudioModesUseTheSdksStrings() {
        XCTAssertEqual(
            [AudioMode.speaker, .earpiece, .bluetooth, .headphones].map(\.cometChatName),
            ["SPEAKER", "EARPIECE", "BLUETOOTH", "HEADPHONES"]
        )
    }
}

final class AudioEventMappingTests: XCTestCase {
    func testRouteChanges() {
        XCTAssertEqual(
            AudioEventMapping.routeChange(reasonRaw: 2, outputPortType: "Receiver"),
            .routeChanged(reason: .oldDeviceUnavailable, output: .receiver)
        )
        XCTAssertEqual(
            AudioEventMapping.routeChange(reasonRaw: 1, outputPortType: "BluetoothHFP"),
            .routeChanged(reason: .newDeviceAvailable, output: .bluetoothHfp)
        )
        XCTAssertEqual(
            AudioEventMapping.routeChange(reasonRaw: nil, outputPortType: nil),
            .routeChanged(reason: .unknown, output: .other)
        )
        let reasons: [UInt: RouteChangeReason] = [
            0: .unknown, 3: .categoryChange, 4: .override, 5: .unknown, 6: .wakeFromSleep,
            7: .noSuitableRouteForCategory, 8: .routeConfigurationChange, 99: .unknown,
        ]
        for (raw, reason) in reasons {
            XCTAssertEqual(AudioEventMapping.routeChangeReason(raw: raw), reason, "raw \(raw)")
        }
        let ports: [String: AudioPort] = [
            "Speaker": .speaker, "BluetoothA2DPOutput": .bluetoothA2dp, "Headphones": .headphones,
            "CarAudio": .carAudio, "AirPlay": .airPlay, "USBAudio": .other,
        ]
        for (raw, port) in ports {
            XCTAssertEqual(AudioEventMapping.port(portType: raw), port, raw)
        }
    }

    func testInterruptions() {
        XCTAssertEqual(
            AudioEventMapping.interruption(typeRaw: 1, optionsRaw: nil, reasonRaw: 2),
            .interruptionBegan(reason: .builtInMicMuted)
        )
        XCTAssertEqual(
            AudioEventMapping.interruption(typeRaw: 1, optionsRaw: nil, reasonRaw: nil),
            .interruptionBegan(reason: .default)
        )
        XCTAssertEqual(
            AudioEventMapping.interruption(typeRaw: 0, optionsRaw: 1, reasonRaw: nil),
            .interruptionEnded(shouldResume: true)
        )
        XCTAssertEqual(
            AudioEventMapping.interruption(typeRaw: 0, optionsRaw: 0, reasonRaw: nil),
            .interruptionEnded(shouldResume: false)
        )
        XCTAssertNil(AudioEventMapping.interruption(typeRaw: nil, optionsRaw: nil, reasonRaw: nil))
        XCTAssertNil(AudioEventMapping.interruption(typeRaw: 7, optionsRaw: nil, reasonRaw: nil))
    }
}

final class ShellMessageTests: XCTestCase {
    func testTheJoiningLinesAreTheCoresWords() {
        // crates/domain/src/device.rs, WaitingFor::message.
        XCTAssertEqual(WaitingFor.callingService.message, "Connecting to the calling service…")
        XCTAssertEqual(WaitingFor.microphonePermission.message, "Waiting for microphone access…")
        XCTAssertEqual(WaitingFor.cameraPermission.message, "Waiting for camera access…")
    }

    func testPortFailuresAreOneLineWithTheErrorsCode() {
        let error = NSError(domain: "NSOSStatusErrorDomain", code: 560_557_684, userInfo: [NSLocalizedDescriptionKey: "Interrupted"])
        XCTAssertEqual(PortFailure.describe(error), "NSOSStatusErrorDomain error 560557684 ('!int'): Interrupted")
        XCTAssertEqual(PortFailure.describe(NSError(domain: "D", code: -50)), PortFailure.describe(NSError(domain: "D", code: -50)))
        XCTAssertTrue(PortFailure.describe(NSError(domain: "D", code: -50)).hasPrefix("D error -50: "))
        XCTAssertEqual(PortFailure.describe(PortError.Failed(message: "as given")), "as given")
        XCTAssertEqual(PortFailure.error("share_link", "no window").message, "share_link: no window")
        XCTAssertEqual(PortFailure.fourCharacterCode(561_017_449), "!pri")
        XCTAssertNil(PortFailure.fourCharacterCode(-50))
        XCTAssertNil(PortFailure.fourCharacterCode(1))
    }
}
