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

// MARK: - The container the Calls SDK draws into

/// The SDK's container in SwiftUI. Everything it does is `CallViewHost`'s (CallViewHost.swift).
struct CallContainerView: UIViewRepresentable {
    let host: CallViewHost
    let viewModel: CallViewModel

    func makeCoordinator() -> CallCoordinator {
        host.makeCoordinator()
    }

    func makeUIView(context: Context) -> CallContainerUIView {
        host.makeContainer(coordinator: context.coordinator, viewModel: viewModel)
    }

    func updateUIView(_ uiView: CallContainerUIView, context: Context) {}

    static func dismantleUIView(_ uiView: CallContainerUIView, coordinator: CallCoordinator) {
        uiView.host?.dismantle(uiView)
    }
}
