/// Polls dependency-resolver for runs until every one has finished, showing progress.
/// A run the resolver does not know yet (404) is still queued: trigger-service accepted it and
/// the request is on its way through Kafka.
struct RunWatcher {
    let runs: [RunReference]
    let api: APIClient
    let timeout: Duration?
    var interval: Duration = .milliseconds(250)
    /// How long the resolver may stay unreachable (a restart) before the wait gives up.
    var unreachableLimit: Duration = .seconds(60)

    /// 0 when every run succeeded, 1 when any failed or was cancelled, 2 on timeout.
    func wait() async throws -> Int32 {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        var display = ProgressDisplay()
        var latest: [RunDetail?] = Array(repeating: nil, count: runs.count)
        var unreachableSince: ContinuousClock.Instant?
        var note: String?
        while true {
            for (index, reference) in runs.enumerated() where !(latest[index]?.isFinished ?? false) {
                do {
                    latest[index] = try await poll(reference)
                    unreachableSince = nil
                    note = nil
                } catch let error as Unreachable {
                    let since = unreachableSince ?? clock.now
                    unreachableSince = since
                    note = "(dependency-resolver unreachable, retrying)"
                    if clock.now - since > unreachableLimit {
                        display.finish()
                        throw CLIError(error.description)
                    }
                }
            }
            display.show(runs.indices.map { line(runs[$0], latest[$0], note: note) })
            if latest.allSatisfy({ $0?.isFinished ?? false }) { break }
            if let deadline, clock.now >= deadline {
                display.finish()
                let open = runs.indices.filter { !(latest[$0]?.isFinished ?? false) }.map { runs[$0].id }
                Output.error("error: timed out; still running: \(open.joined(separator: " "))")
                return ExitCode.timeout
            }
            try await Task.sleep(for: interval)
        }
        display.finish()
        let failed = latest.compactMap { $0 }.filter { $0.state != "succeeded" }
        for run in failed {
            Output.error("run \(run.id) \(run.state)")
        }
        return failed.isEmpty ? ExitCode.success : ExitCode.failure
    }

    private func poll(_ reference: RunReference) async throws -> RunDetail? {
        let client = reference.client(from: api)
        let answer = try await client.send("GET", "dependency-resolver", "/v1/runs/\(reference.escapedID)")
        if answer.status == 404 { return nil }
        guard (200..<300).contains(answer.status) else {
            throw APIClient.apiError(service: "dependency-resolver", status: answer.status, body: answer.body)
        }
        return try APIClient.decode(RunDetail.self, answer.body, service: "dependency-resolver")
    }

    /// `run 1b2c3d4e… running  3/10 succeeded  2 running  0 failed` (plus tenant and workflow
    /// when several runs are shown).
    private func line(_ reference: RunReference, _ run: RunDetail?, note: String?) -> String {
        var text = "run \(reference.short) "
        if let run, !(run.state == "queued" && run.tasks.isEmpty) {
            let state = run.state.padding(toLength: 9, withPad: " ", startingAt: 0)
            text += "\(state) \(run.count("succeeded"))/\(run.tasks.count) succeeded  "
                + "\(run.count("dispatched", "running")) running  \(run.count("failed")) failed"
            if runs.count > 1 { text += "  \(run.tenant ?? reference.tenant ?? api.tenantLabel) \(run.workflow)" }
        } else {
            text += "queued"
            if runs.count > 1 { text += "  \(run?.tenant ?? reference.tenant ?? api.tenantLabel)\(run.map { " " + $0.workflow } ?? "")" }
        }
        if let note { text += "  " + note }
        return text
    }
}
