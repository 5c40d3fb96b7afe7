import Foundation
import Runtime
internal import CPostgres

/// Owns one `PGconn`: opened in `init`, closed in `deinit`. Every method blocks on the network,
/// so instances live on one serial queue (`ConnectionExecutor`) and are never shared.
final class LibpqConnection {
    private let handle: OpaquePointer
    /// Receives server notices (NOTICE/WARNING); kept alive as long as the PGconn that points at it.
    private let notices: NoticeSink

    /// Connects; throws `.connection` with libpq's message when the server cannot be reached.
    init(parameters: ConnectionParameters, logger: Logger) throws(PostgresError) {
        let connection = parameters.withCArrays { keywords, values in
            PQconnectdbParams(keywords, values, 0)
        }
        guard let connection else { throw PostgresError(.connection, "out of memory creating a connection") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection)).trimmed
            PQfinish(connection)
            throw PostgresError(.connection, message)
        }
        handle = connection
        notices = NoticeSink(logger: logger)
        // libpq prints notices to stderr by default; route them into our structured log instead.
        PQsetNoticeProcessor(connection, { context, message in
            guard let context, let message else { return }
            Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue().receive(String(cString: message))
        }, Unmanaged.passUnretained(notices).toOpaque())
    }

    deinit { PQfinish(handle) }

    /// The session is gone (libpq noticed a broken socket, or the server ended it).
    var isBroken: Bool { PQstatus(handle) == CONNECTION_BAD }

    /// Set when a statement left the protocol in a state we do not drive (COPY); only a reconnect
    /// brings such a session back to a known state.
    private(set) var needsReset = false

    /// Whether a transaction is open (or aborted and awaiting ROLLBACK) on this session.
    var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    var isInFailedTransaction: Bool { PQtransactionStatus(handle) == PQTRANS_INERROR }

    /// Reconnects with the original parameters.
    func reset() throws(PostgresError) {
        prepared.removeAll()
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(.connection, String(cString: PQerrorMessage(handle)).trimmed)
        }
        needsReset = false
    }

    /// Notices a server-side close while the session sat idle in the pool (a restart sends every
    /// backend's client a FATAL and an EOF), so the pool reconnects before lending the session
    /// out instead of letting the borrower's first statement fail. One non-blocking poll.
    ///
    /// The FATAL message and the EOF can need separate reads, so this reads while input is ready
    /// (a few rounds at most; an idle session has nothing else legitimate to receive).
    func noticeIdleClose() {
        for _ in 0..<4 {
            let socket = PQsocket(handle)
            guard socket >= 0 else { return }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { return }
            let consumed = PQconsumeInput(handle)
            while let notification = PQnotifies(handle) { PQfreemem(notification) }
            if consumed == 0 || isBroken { return }
        }
    }

    // MARK: - Statements

    /// Statements with parameters are prepared once per session and then only executed: the
    /// services run the same few dozen statements thousands of times a second, and parsing and
    /// planning each time was most of Postgres's work (see docs/performance.md). SQL text →
    /// statement name; bounded, so code that builds SQL text dynamically cannot grow it without
    /// limit (statements past the bound run unprepared).
    private var prepared: [String: String] = [:]
    static let maxPrepared = 512

    /// Statements whose results nobody reads, waiting to go out with the next statement that
    /// needs an answer (see `executeDeferred`).
    private var deferred: [Statement] = []

    struct Statement {
        let sql: String
        let parameters: [any PostgresBindable]
    }

    /// Whether statements are waiting to be sent; a deferred BEGIN counts as an open transaction.
    var hasDeferred: Bool { !deferred.isEmpty }

    /// Queues a statement to be sent in one round trip with the next one that needs its answer
    /// (libpq pipeline mode): the server runs them in order, so nothing changes but the waiting.
    /// Its error, if any, is thrown by that next statement.
    func executeDeferred(_ sql: String, _ parameters: [any PostgresBindable]) {
        deferred.append(Statement(sql: sql, parameters: parameters))
    }

    /// Forgets the deferred statements (the transaction they belong to is being abandoned).
    func discardDeferred() { deferred.removeAll() }

    /// Runs one statement with text parameters and returns its result (which owns the PGresult);
    /// deferred statements go first, in the same round trip.
    func execute(_ sql: String, _ parameters: [any PostgresBindable]) throws(PostgresError) -> PostgresResult {
        guard deferred.isEmpty else { return try last(of: pipeline(takeDeferred() + [Statement(sql: sql, parameters: parameters)])) }
        let result: OpaquePointer?
        if parameters.isEmpty {
            result = PQexecParams(handle, sql, 0, nil, nil, nil, nil, 0)
        } else if let name = try preparedName(sql) {
            result = try ParameterBuffer.withCStrings(parameters) { count, values in
                PQexecPrepared(handle, name, count, values, nil, nil, 0)
            }
        } else {
            result = try ParameterBuffer.withCStrings(parameters) { count, values in
                PQexecParams(handle, sql, count, nil, values, nil, nil, 0)
            }
        }
        return try check(result)
    }

    /// The session's prepared statement for `sql`, preparing it on first use; nil when the cache
    /// is full. A statement that fails to prepare (bad SQL) throws the server's error, exactly
    /// as executing it would.
    private func preparedName(_ sql: String) throws(PostgresError) -> String? {
        if let name = prepared[sql] { return name }
        guard prepared.count < Self.maxPrepared else { return nil }
        let name = "wl_\(prepared.count + 1)"
        _ = try check(PQprepare(handle, name, sql, 0, nil))
        prepared[sql] = name
        return name
    }

    /// Runs `statements` after the deferred ones, all in one round trip, and returns the
    /// results of `statements`, in order.
    func executeAll(_ statements: [Statement]) throws(PostgresError) -> [PostgresResult] {
        let waiting = takeDeferred()
        return Array(try pipeline(waiting + statements).dropFirst(waiting.count))
    }

    private func last(of results: [PostgresResult]) throws(PostgresError) -> PostgresResult {
        guard let last = results.last else { throw protocolError("pipeline returned no result") }
        return last
    }

    /// Runs `sql` through the simple protocol, which allows several statements and no parameters
    /// (after the deferred statements, which it waits for).
    func executeSimple(_ sql: String) throws(PostgresError) -> PostgresResult {
        if !deferred.isEmpty { _ = try pipeline(takeDeferred()) }
        return try check(PQexec(handle, sql))
    }

    private func takeDeferred() -> [Statement] {
        defer { deferred.removeAll() }
        return deferred
    }

    // MARK: - Pipelines

    /// Sends every statement, then one sync, and reads the results in order: one round trip.
    /// Returns every statement's result; throws the first error (the server skips what
    /// follows a failed statement until the sync).
    private func pipeline(_ statements: [Statement]) throws(PostgresError) -> [PostgresResult] {
        var names: [String?] = []
        for statement in statements {
            names.append(statement.parameters.isEmpty ? nil : try preparedName(statement.sql))
        }
        guard PQenterPipelineMode(handle) == 1 else { throw protocolError("cannot enter pipeline mode") }
        for (statement, name) in zip(statements, names) {
            let sent: Int32
            if statement.parameters.isEmpty {
                sent = PQsendQueryParams(handle, statement.sql, 0, nil, nil, nil, nil, 0)
            } else if let name {
                sent = try ParameterBuffer.withCStrings(statement.parameters) { count, values in
                    PQsendQueryPrepared(handle, name, count, values, nil, nil, 0)
                }
            } else {
                sent = try ParameterBuffer.withCStrings(statement.parameters) { count, values in
                    PQsendQueryParams(handle, statement.sql, count, nil, values, nil, nil, 0)
                }
            }
            guard sent == 1 else { throw protocolError("cannot send a pipelined statement") }
        }
        guard PQpipelineSync(handle) == 1 else { throw protocolError("cannot send a pipeline sync") }
        var firstError: PostgresError?
        var results: [PostgresResult] = []
        for _ in statements.indices {
            while let result = PQgetResult(handle) {
                guard PQresultStatus(result) != PGRES_PIPELINE_ABORTED else {
                    PQclear(result)
                    continue
                }
                do {
                    results.append(try check(result))
                } catch {
                    firstError = firstError ?? error
                }
            }
        }
        if let sync = PQgetResult(handle) { PQclear(sync) }
        guard PQexitPipelineMode(handle) == 1 else {
            // Results the server still owes us: only a new session is in a known state.
            needsReset = true
            throw firstError ?? protocolError("pipeline did not finish")
        }
        if let firstError { throw firstError }
        guard results.count == statements.count else { throw protocolError("pipeline returned \(results.count) results for \(statements.count) statements") }
        return results
    }

    /// A failure of the pipeline itself (not of a statement): the session is reset before reuse.
    private func protocolError(_ what: String) -> PostgresError {
        needsReset = true
        return PostgresError(isBroken ? .connection : .query, "\(what): \(String(cString: PQerrorMessage(handle)).trimmed)")
    }

    private func check(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let result else {
            throw PostgresError(isBroken ? .connection : .query, String(cString: PQerrorMessage(handle)).trimmed)
        }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            PQclear(result)
            needsReset = true
            throw PostgresError(.query, "COPY is not supported through this client")
        default:
            let error = makeError(result)
            PQclear(result)
            throw error
        }
    }

    private func makeError(_ result: OpaquePointer) -> PostgresError {
        func field(_ code: UInt8) -> String? {
            PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
        }
        let sqlState = field(UInt8(ascii: "C"))
        let message = field(UInt8(ascii: "M")) ?? String(cString: PQresultErrorMessage(result)).trimmed
        let code = isBroken ? .connection : PostgresError.code(forSQLState: sqlState)
        return PostgresError(code, message.isEmpty ? "connection lost" : message, sqlState: sqlState,
                             detail: field(UInt8(ascii: "D")), constraint: field(UInt8(ascii: "n")))
    }
}

/// Forwards server notices to the log at debug level (they are informational: "relation already
/// exists, skipping", a FATAL about to close an idle session).
final class NoticeSink {
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func receive(_ message: String) {
        logger.debug("postgres notice", ["pg.notice": message.trimmed])
    }
}
