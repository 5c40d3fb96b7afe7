/// Usage texts: the whole CLI, and one per command group for errors in that group.
enum Usage {
    static let text = """
        usage: wloadctl [--tenant T] <command> [arguments]

        Operator CLI for WLOADCTL. With no flags it talks to the local stack under .wloadctl/
        (endpoints from stack.json, admin credential from admin.token).

        stack:
          stack up                      start the local stack (idempotent) and wait until healthy
          stack down                    stop it (SIGTERM, then wait)
          stack status                  each process: pid, state, health from /healthz

        workflows and runs:
          workflow apply FILE           validate and store a workflow definition (FILE or - for stdin)
          workflow list                 stored workflows, latest versions
          run start NAME [--param k=v]... [--wait] [--timeout SECONDS]
                                        trigger a run and print its id; --wait shows progress and
                                        exits 0 only if it succeeded (1 failed, 2 timed out)
          run show RUN [--json]         a run and its tasks
          run wait RUN... [--timeout SECONDS]
                                wait for runs, one progress line each; 0 iff all succeeded
          run summary RUN...            table of runs: tenant, workflow, state, tasks succeeded/total
          run list [--workflow NAME]    recent runs

        operations:
          audit RUN                     the audit trail of a run
          resources [--class C] [--pool P]
                                        CMDB resources (agents register themselves)
          alert webhook URL             send this tenant's run-failure alerts to URL
          help                          this text

        RUN is a run id, or TENANT/ID to address a run of another tenant than --tenant.
        Environment: WLOADCTL_HOME (default ./.wloadctl), WLOADCTL_TOKEN, WLOADCTL_TENANT
        (default "default"); for `stack up`: WL_BIN_DIR, WL_LOG_LEVEL.
        """

    static let stack = "usage: wloadctl stack up|down|status"
    static let workflow = "usage: wloadctl workflow apply FILE | workflow list"
    static let run = """
        usage: wloadctl run start NAME [--param k=v]... [--wait] [--timeout SECONDS]
               wloadctl run show RUN [--json]
               wloadctl run wait RUN... [--timeout SECONDS]
               wloadctl run summary RUN...
               wloadctl run list [--workflow NAME]
        """
    static let audit = "usage: wloadctl audit RUN"
    static let resources = "usage: wloadctl resources [--class CLASS] [--pool POOL]"
    static let alert = "usage: wloadctl alert webhook URL"
}
