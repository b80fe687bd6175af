// The call screen, in the seed's shape: a SwiftUI view around a UIViewRepresentable container the
// Calls SDK draws into, with a Coordinator (CallCoordinator.swift) as the SDK's listener. The view
// only draws UiState and reports what happens to it; it never joins, leaves or dismisses by itself.
import SwiftUI
import SwitchboardKit
import UIKit

struct CallView: View {
    @ObservedObject var viewModel: CallViewModel
    let host: CallViewHost

    var body: some View {
        ZStack(alignment: .top) {
            Color.black.ignoresSafeArea()
            CallContainerView(host: host, viewModel: viewModel)
                .ignoresSafeArea()
            VStack(spacing: 8) {
                if viewModel.isLeaving {
                    Banner(text: "Leaving…")
                } else if case .joining = viewModel.state {
                    Banner(text: "Joining \(viewModel.title)…")
                    // The join is held: what for ("Connecting to the calling service…").
                    if let waiting = viewModel.connectingMessage {
                        Banner(text: waiting)
                    }
                    // The SDK's controls are not drawn yet: the only way out while joining.
                    Button("Cancel", role: .cancel) { viewModel.leave() }
                        .buttonStyle(.borderedProminent)
                }
                if viewModel.isReconnecting {
                    Banner(text: "Reconnecting…")
                }
                if viewModel.isAudioInterrupted {
                    Banner(text: "Audio interrupted")
                }
                // Audio unavailable, camera unavailable.
                ForEach(viewModel.callNotices, id: \.self) { notice in
                    Banner(text: notice)
                }
            }
            .padding(.top, 8)
        }
        // A link for another call arrived: the core asks, the user answers.
        .confirmationDialog(
            "Switch calls?",
            isPresented: Binding(get: { viewModel.switchOffer != nil }, set: { _ in }),
            titleVisibility: .visible
        ) {
            Button("Leave this call and join the other") { viewModel.answerSwitch(accept: true) }
            Button("Stay in this call", role: .cancel) { viewModel.answerSwitch(accept: false) }
        } message: {
            Text("A link for another call was opened.")
        }
    }
}

/// A one-line status banner over the SDK's call UI.
private struct Banner: View {
    let text: String

    var body: some View {
        Text(text)
            .font(.footnote.weight(.semibold))
            .padding(.horizontal, 12)
            .padding(.vertical, 6)
            .background(.thinMaterial, in: Capsule())
    }
}

// MARK: - UIKit container bridging the Calls SDK

/// The UIView the SDK draws into. SwiftUI owns it; the SDK adds its own subviews.
struct CallContainerView: UIViewRepresentable {
    let host: CallViewHost
    let viewModel: CallViewModel

    func makeCoordinator() -> CallCoordinator {
        CallCoordinator(forwarder: host.forwarder)
    }

    func makeUIView(context: Context) -> CallContainerUIView {
        let container = CallContainerUIView(frame: .zero)
        container.backgroundColor = .black
        // Laid out by frame, not constraints, so the SDK's in-app PiP can move it.
        container.autoresizingMask = [.flexibleWidth, .flexibleHeight]
        // The SDK needs the container and the listener before the core joins; the core joins once
        // the container is in a window (view_appeared), exactly once per attempt.
        host.attach(container: container, coordinator: context.coordinator)
        container.onWindowChange = { [weak viewModel] inWindow in
            if inWindow {
                viewModel?.callViewAppeared()
            } else {
                viewModel?.callViewDisappeared()
            }
        }
        container.host = host
        return container
    }

    func updateUIView(_ uiView: CallContainerUIView, context: Context) {}

    static func dismantleUIView(_ uiView: CallContainerUIView, coordinator: CallCoordinator) {
        uiView.onWindowChange = nil
        uiView.host?.detach(container: uiView)
    }
}

/// Reports entering and leaving a window: the precise moment the SDK can (or can no longer) draw.
/// A navigation push removes a view from its window and a pop brings it back; the core joins once.
final class CallContainerUIView: UIView {
    var onWindowChange: ((Bool) -> Void)?
    weak var host: CallViewHost?

    override func didMoveToWindow() {
        super.didMoveToWindow()
        onWindowChange?(window != nil)
    }
}

/// Where the SDK draws and who listens to it: the call view's container and Coordinator. The
/// container attaches itself when created; `CometChatCallsAdapter` reads both on the main thread
/// when the core says to register listeners and to join.
@MainActor
final class CallViewHost {
    /// The adapter's forwarder: Coordinators report through it, stamped with the current attempt.
    let forwarder = SdkCallbackForwarder()
    /// The container on screen, if any.
    private(set) weak var container: UIView?
    /// The latest Coordinator, held strongly: the SDK holds its listeners weakly (v5), and a late
    /// callback after the view is gone must still reach the core (which records and ignores it).
    private(set) var coordinator: CallCoordinator?

    func attach(container: UIView, coordinator: CallCoordinator) {
        self.container = container
        self.coordinator = coordinator
    }

    func detach(container: UIView) {
        if self.container === container {
            self.container = nil
        }
    }
}
