// The home screen: join by id, a new meeting, the last call's ending, the error alert (with Open
// Settings when a permission is off), and the call view, which is presented exactly while the
// core's UiState says so (joining, in call, leaving).
import SwiftUI
import SwitchboardKit

struct ContentView: View {
    @ObservedObject var viewModel: CallViewModel
    let host: CallViewHost
    @State private var sessionID = ""

    var body: some View {
        NavigationStack {
            Form {
                Section("Join a call") {
                    TextField("Session ID", text: $sessionID)
                        .textInputAutocapitalization(.never)
                        .autocorrectionDisabled()
                    Button("Join") { viewModel.join(sessionID: sessionID) }
                        .disabled(sessionID.isEmpty)
                }
                Section {
                    // A fresh session id (UUID); invite others from the call's share button.
                    Button("New meeting") { viewModel.newMeeting() }
                } footer: {
                    Text("Starts a call in a new session. Share its link from the call's invite button.")
                }
                if let ended = viewModel.endedMessage {
                    Section("Last call") {
                        Text(ended)
                        if viewModel.canRetry {
                            Button("Call again") { viewModel.retry() }
                        }
                        Button("OK") { viewModel.dismissEnded() }
                    }
                }
            }
            .navigationTitle("Switchboard")
        }
        // The core presents and dismisses the call view; SwiftUI's own attempts to change the
        // binding are ignored (a full-screen cover cannot be swiped away anyway).
        .fullScreenCover(isPresented: Binding(
            get: { viewModel.isCallViewPresented },
            set: { _ in }
        )) {
            CallView(viewModel: viewModel, host: host)
        }
        // `.error` takes the call view down and shows this alert; OK tells the core (dismiss()).
        .alert(
            "Call error",
            isPresented: Binding(get: { viewModel.alertMessage != nil }, set: { _ in }),
            presenting: viewModel.alertMessage
        ) { _ in
            if viewModel.canOpenSettings {
                Button("Open Settings") { viewModel.openSettings() }
            }
            if viewModel.canRetry {
                Button("Retry") { viewModel.retry() }
            }
            Button("OK", role: .cancel) { viewModel.dismissAlert() }
        } message: { message in
            Text(message)
        }
    }
}
