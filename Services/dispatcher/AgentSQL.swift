/// How the dispatcher's SQL tells live agents from lost ones, in one place. Both take the agent
/// timeout in seconds as parameter `$1` and read `agent_liveness` as `a`.
enum AgentSQL {
    /// Heard from within the timeout and not marked lost by the sweeper.
    static let isLive = "(a.lost_at IS NULL AND a.last_seen >= now() - make_interval(secs => $1::float8))"

    /// `live`, `draining` or `lost`.
    static let state = "CASE WHEN NOT \(isLive) THEN 'lost' WHEN a.draining THEN 'draining' ELSE 'live' END"
}
