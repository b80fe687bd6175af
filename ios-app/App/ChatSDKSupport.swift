// Additive mode only (chat + calls): initialising the CometChat Chat SDK when the core asks
// (init_chat). Compiled only with the SWITCHBOARD_ADDITIVE flag and the CometChatSDK package;
// a calls-only (standalone) build neither imports nor links the Chat SDK.
#if SWITCHBOARD_ADDITIVE
import CometChatSDK
import SwitchboardKit

enum ChatSDKSupport {
    /// `CometChat.init(appId:appSettings:onSuccess:onError:)`, run when the core sends init_chat.
    /// The chat login (with the same auth token as the Calls SDK) belongs to the host app's chat
    /// features and stays there.
    static func initialiser(appID: String, region: String) -> @MainActor () -> Void {
        {
            let appSettings = AppSettings.AppSettingsBuilder()
                .subscribePresenceForAllUsers()
                .setRegion(region: region)
                .build()
            _ = CometChat.init(
                appId: appID,
                appSettings: appSettings,
                onSuccess: { _ in ShellLog.info("Chat SDK initialised") },
                onError: { error in
                    ShellLog.error("Chat SDK init failed: \(String(describing: error.errorDescription))")
                }
            )
        }
    }
}
#endif
