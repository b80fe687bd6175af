// Where the Calls SDK draws and who listens to it: the call view's container (a plain UIView) and
// its Coordinator. The SwiftUI call view (CallView.swift) only asks this file for both and hands
// back what happens to the container; all the wiring is here, in a file the Linux type-check
// compiles (no SwiftUI).
import SwitchboardKit
import UIKit

/// The UIView the SDK draws into. SwiftUI owns it; the SDK adds its own subviews. It reports
/// entering and leaving a window: the precise moment the SDK can (or can no longer) draw. A
/// navigation push removes a view from its window and a pop brings it back; the core joins once.
final class CallContainerUIView: UIView {
    var onWindowChange: ((Bool) -> Void)?
    /// The host that made it (SwiftUI's dismantle is static and gets only the view).
    weak var host: CallViewHost?

    override func didMoveToWindow() {
        super.didMoveToWindow()
        onWindowChange?(window != nil)
    }
}

/// The call view's container and Coordinator, shared by the SwiftUI call view and
/// `CometChatCallsAdapter`, which reads both on the main thread when the core says to register
/// listeners and to join.
@MainActor
final class CallViewHost {
    /// The adapter's forwarder: Coordinators report through it, stamped with the current attempt.
    let forwarder = SdkCallbackForwarder()
    /// The container on screen, if any.
    private(set) weak var container: UIView?
    /// The latest Coordinator, held strongly: the SDK holds its listeners weakly (v5), and a late
    /// callback after the view is gone must still reach the core (which records and ignores it).
    private(set) var coordinator: CallCoordinator?

    /// A Coordinator for a new call view (SwiftUI's `makeCoordinator`).
    func makeCoordinator() -> CallCoordinator {
        CallCoordinator(forwarder: forwarder)
    }

    /// The container for a new call view (SwiftUI's `makeUIView`). The SDK needs the container
    /// and the listener before the core joins; the core joins once the container is in a window
    /// (`callViewAppeared`, reported to the view model), exactly once per attempt.
    func makeContainer(coordinator: CallCoordinator, viewModel: CallViewModel) -> CallContainerUIView {
        let container = CallContainerUIView(frame: .zero)
        container.backgroundColor = .black
        // Laid out by frame, not constraints, so the SDK's in-app picture in picture can move it.
        container.autoresizingMask = [.flexibleWidth, .flexibleHeight]
        container.onWindowChange = { [weak viewModel] inWindow in
            if inWindow {
                viewModel?.callViewAppeared()
            } else {
                viewModel?.callViewDisappeared()
            }
        }
        container.host = self
        self.container = container
        self.coordinator = coordinator
        return container
    }

    /// The call view is gone (SwiftUI's `dismantleUIView`): its container no longer reports, and
    /// the adapter can no longer join into it.
    func dismantle(_ container: CallContainerUIView) {
        container.onWindowChange = nil
        if self.container === container {
            self.container = nil
        }
    }
}
