/// The root object of the embedding API: holds engine-wide configuration and creates modules.
/// Engines are immutable and can be shared across threads.
public final class Engine: Sendable {
    /// The configuration the engine was created with.
    public let configuration: EngineConfiguration

    /// Creates an engine.
    public init(configuration: EngineConfiguration = EngineConfiguration()) {
        self.configuration = configuration
    }

    /// The backend modules run on.
    public var backend: Backend { configuration.backend }
}
