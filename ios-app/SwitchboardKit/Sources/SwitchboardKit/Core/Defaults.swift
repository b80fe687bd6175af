// Convenience constructors for the core's configuration. The values come from the Rust core
// (`defaultSessionSettings()` and `defaultCoreConfig(allowedHosts:)`, which hand over
// `SessionSettings::default()` and `CoreConfig::default()`): only what is given here changes.

public extension SessionSettings {
    /// A call's settings: the core's defaults, with `title` when given.
    static func standard(title: String? = nil) throws -> SessionSettings {
        var settings = try defaultSessionSettings()
        if let title { settings.title = title }
        return settings
    }
}

public extension CoreConfig {
    /// The core's configuration: which link hosts open calls, and, when given, calls-only
    /// (`standalone`) or chat-and-calls (`additive`), the call settings and the timeouts; the
    /// core's defaults for the rest.
    static func standard(
        allowedHosts: [String],
        mode: IntegrationMode? = nil,
        settings: SessionSettings? = nil,
        joinTimeoutMs: UInt64? = nil,
        leaveAckTimeoutMs: UInt64? = nil
    ) throws -> CoreConfig {
        var config = try defaultCoreConfig(allowedHosts: allowedHosts)
        if let mode { config.mode = mode }
        if let settings { config.settings = settings }
        if let joinTimeoutMs { config.joinTimeoutMs = joinTimeoutMs }
        if let leaveAckTimeoutMs { config.leaveAckTimeoutMs = leaveAckTimeoutMs }
        return config
    }
}
