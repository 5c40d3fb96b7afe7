/// How a `PostgresClient` reaches its server.
public struct PostgresConfiguration: Sendable {
    /// libpq conninfo (`host=127.0.0.1 port=5432 user=postgres dbname=wl`) or a
    /// `postgresql://` URI. Session settings the module relies on (DateStyle, TimeZone,
    /// bytea_output) are added to whatever `options` it already carries.
    public var connectionString: String
    /// Pooled connections, opened on demand. Each is a server backend, so the sum over all
    /// processes must stay under the server's `max_connections`.
    public var poolSize: Int = 8
    /// Shown in `pg_stat_activity`, so operators can tell which service holds a session.
    public var applicationName: String = "wloadctl"

    public init(connectionString: String, poolSize: Int = 8, applicationName: String = "wloadctl") {
        self.connectionString = connectionString
        self.poolSize = poolSize
        self.applicationName = applicationName
    }

}
