// Rule 12: the microphone and camera statuses read at launch reach the core; what is undetermined
// is asked before the join; a denied microphone means no join and an "Open Settings" action; a
// denied camera means a video call joined with video paused, and the view says so.
import Foundation
@testable import SwitchboardKit
import XCTest

private let undetermined = Permissions(microphone: .notDetermined, camera: .notDetermined)

final class PermissionTests: XCTestCase {
    @MainActor
    func testUndeterminedPermissionsAreAskedBeforeTheJoin() async throws {
        try await withHarness(permissions: undetermined) { h in
            await h.joinCall("ask-first")
            XCTAssertEqual(h.permissions.requests, [.microphone, .camera], "a video call asks for both")
            XCTAssertEqual(h.sdk.joinCount, 0, "no join before the answers")
            XCTAssertTrue(h.viewModel.isCallViewPresented)
            XCTAssertEqual(h.viewModel.connectingMessage, "Waiting for microphone access…")

            h.permissions.answer(.microphone, granted: true)
            await h.settle()
            XCTAssertEqual(h.viewModel.connectingMessage, "Waiting for camera access…")
            XCTAssertEqual(h.sdk.joinCount, 0)

            h.permissions.answer(.camera, granted: true)
            await h.settle()
            XCTAssertEqual(h.sdk.joinCount, 1)
            XCTAssertTrue(h.viewModel.state.isInCall, "\(h.viewModel.state)")
            XCTAssertFalse(h.viewModel.isCameraUnavailable)
            XCTAssertNil(h.viewModel.connectingMessage)
        }
    }

    @MainActor
    func testAMicrophoneDeniedAtThePromptEndsTheAttemptWithOpenSettings() async throws {
        try await withHarness(permissions: undetermined) { h in
            h.permissions.setPromptAnswer(.microphone, granted: false)
            h.permissions.setPromptAnswer(.camera, granted: true)
            await h.joinCall("say-no")
            XCTAssertEqual(h.sdk.joinCount, 0, "no join without the microphone")
            XCTAssertFalse(h.viewModel.isCallViewPresented)
            XCTAssertTrue(h.viewModel.state.offersSettings, "\(h.viewModel.state)")
            XCTAssertTrue(h.viewModel.canOpenSettings)
            let alert = try XCTUnwrap(h.viewModel.alertMessage)
            XCTAssertTrue(alert.contains("Settings"), alert)

            h.viewModel.openSettings()
            await h.settle()
            XCTAssertEqual(h.system.settingsOpened, 1, "Open Settings opens this app's page in Settings")
        }
    }

    @MainActor
    func testAMicrophoneDeniedAtLaunchRefusesTheJoinAtOnce() async throws {
        try await withHarness(permissions: Permissions(microphone: .denied, camera: .authorized)) { h in
            await h.open("denied")
            XCTAssertFalse(h.viewModel.isCallViewPresented, "no call view for a call that cannot be joined")
            XCTAssertTrue(h.viewModel.canOpenSettings, "\(h.viewModel.state)")
            XCTAssertEqual(h.permissions.requests, [], "a denied microphone is not asked for again")
            XCTAssertEqual(h.sdk.joinCount, 0)

            h.viewModel.openSettings()
            await h.settle()
            XCTAssertEqual(h.system.settingsOpened, 1)
        }
    }

    @MainActor
    func testACameraDeniedJoinsWithVideoPausedAndSaysSo() async throws {
        try await withHarness(permissions: Permissions(microphone: .authorized, camera: .denied)) { h in
            await h.joinCall("no-camera")
            XCTAssertEqual(h.sdk.joinCount, 1)
            XCTAssertEqual(h.sdk.joinSettings.map(\.startVideoPaused), [true], "the join asks the SDK to start with video paused")
            XCTAssertTrue(h.viewModel.isCameraUnavailable)
            XCTAssertEqual(h.viewModel.callNotices.count, 1)
            XCTAssertTrue(h.viewModel.callNotices[0].hasPrefix("Camera access is off"), "\(h.viewModel.callNotices)")
        }
    }

    @MainActor
    func testAPermissionChangedInSettingsIsReportedWhenTheAppReturns() async throws {
        try await withHarness(permissions: Permissions(microphone: .denied, camera: .authorized)) { h in
            h.permissions.set(.microphone, .authorized) // the user allowed it in Settings
            h.ui.refreshPermissions()
            await h.settle()
            await h.joinCall("allowed-later")
            XCTAssertEqual(h.sdk.joinCount, 1)
            XCTAssertTrue(h.viewModel.state.isInCall, "\(h.viewModel.state)")
        }
    }

    @MainActor
    func testAPromptThatCannotBeShownIsLoggedAndTheJoinTimesOut() async throws {
        try await withHarness(permissions: undetermined, joinTimeoutMs: 300) { h in
            h.permissions.setFailure("Info.plist has no NSMicrophoneUsageDescription")
            await h.joinCall("no-prompt")
            let failures = try h.portFailures()
            XCTAssertEqual(failures.count, 2, "both requests failed: \(failures)")
            XCTAssertTrue(failures.allSatisfy { $0.contains("NSMicrophoneUsageDescription") }, "\(failures)")
            XCTAssertTrue(failures.contains { $0.contains("request_permission") }, "\(failures)")

            await h.eventually("the join timeout") { h.viewModel.alertMessage != nil }
            XCTAssertEqual(h.sdk.joinCount, 0)
            XCTAssertTrue(h.viewModel.canRetry)
        }
    }

    // MARK: - UiObserverBridge alone

    @MainActor
    func testTheBridgeReportsAnswersAndOnlyTheChangesItSees() async throws {
        let permissions = FakePermissions(undetermined)
        let ui = UiObserverBridge(viewModel: CallViewModel(), permissions: permissions, system: FakeSystem())
        XCTAssertEqual(ui.launchPermissions, undetermined)
        let core = RecordingCore()
        ui.attach(core)

        permissions.setPromptAnswer(.microphone, granted: true)
        try ui.requestPermission(media: .microphone)
        XCTAssertEqual(core.received, ["permission_changed microphone authorized"])

        permissions.setPromptAnswer(.camera, granted: false)
        try ui.requestPermission(media: .camera)
        XCTAssertEqual(core.received.last, "permission_changed camera denied")

        ui.refreshPermissions()
        XCTAssertEqual(core.received.count, 2, "nothing changed: nothing reported")
        permissions.set(.camera, .restricted)
        ui.refreshPermissions()
        XCTAssertEqual(core.received.last, "permission_changed camera restricted")
        XCTAssertEqual(core.received.count, 3)

        permissions.setFailure("cannot ask")
        XCTAssertThrowsError(try ui.requestPermission(media: .microphone)) { error in
            XCTAssertEqual((error as? PortError)?.message, "request_permission microphone: cannot ask")
        }
    }
}
