// Convenience constructors for the core's configuration. The values mirror the Rust defaults
// (`CoreConfig::default()` and `SessionSettings::default()` in crates/domain/src/settings.rs),
// which the FFI does not export.

public extension SessionSettings {
    /// A call's settings, with the core's defaults for everything not given.
    static func standard(
        title: String = "Switchboard call",
        sessionType: SessionType = .video,
        startAudioMuted: Bool = false,
        startVideoPaused: Bool = false,
        audioMode: AudioMode = .speaker,
        idleTimeoutS: UInt32 = 300
    ) -> SessionSettings {
        SessionSettings(
            title: title,
            sessionType: sessionType,
            startAudioMuted: startAudioMuted,
            startVideoPaused: startVideoPaused,
            audioMode: audioMode,
            idleTimeoutS: idleTimeoutS
        )
    }
}

public extension CoreConfig {
    /// The core's configuration: which link hosts open calls, calls-only (`standalone`, the Chat
    /// SDK is never initialised) or chat-and-calls (`additive`), the call settings and timeouts.
    static func standard(
        allowedHosts: [String],
        mode: IntegrationMode = .standalone,
        settings: SessionSettings = .standard(),
        joinTimeoutMs: UInt64 = 30_000,
        leaveAckTimeoutMs: UInt64 = 10_000
    ) -> CoreConfig {
        CoreConfig(
            mode: mode,
            allowedHosts: allowedHosts,
            settings: settings,
            joinTimeoutMs: joinTimeoutMs,
            leaveAckTimeoutMs: leaveAckTimeoutMs
        )
    }
}
