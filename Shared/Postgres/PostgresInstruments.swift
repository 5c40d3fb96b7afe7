import Runtime

/// Metric handles looked up once per client rather than per statement.
struct PostgresInstruments: Sendable {
    let querySeconds: Histogram
    let poolWaitSeconds: Histogram
    let connectionsInUse: Gauge
    let reconnects: Counter
    let transactionRetries: Counter

    init(metrics: Metrics = .shared) {
        querySeconds = metrics.histogram("wl_pg_query_seconds", help: "Postgres statement round-trip time.")
        poolWaitSeconds = metrics.histogram("wl_pg_pool_wait_seconds",
                                            help: "Time spent waiting for a pooled Postgres connection.")
        connectionsInUse = metrics.gauge("wl_pg_pool_in_use", help: "Pooled Postgres connections lent out.")
        reconnects = metrics.counter("wl_pg_reconnects_total", help: "Broken Postgres sessions reconnected.")
        transactionRetries = metrics.counter("wl_pg_transaction_retries_total",
                                             help: "Transactions rerun after a serialization failure, deadlock or lost connection.")
    }
}
