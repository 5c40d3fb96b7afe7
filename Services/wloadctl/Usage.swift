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
          dispatch-keys DIR             create the dispatcher's signing key pair in DIR (kept if it
                                        exists): dispatch.key for dispatchers, dispatch.pub for agents

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
          run cancel RUN                cancel a run (its unfinished tasks are skipped)

        schedules and triggers:
          cron next EXPR [--tz ZONE] [--from ISO8601] [--count N]
                                        the next N (default 5) fire times of a cron expression, in
                                        ZONE (IANA name, default UTC); local, needs no stack
          schedule list [--workflow NAME]
                                        schedules with state and next/last fire
          schedule pause WORKFLOW SCHEDULE_ID
          schedule resume WORKFLOW SCHEDULE_ID
                                        stop or restart a schedule (resuming does not catch up)
          schedule fires WORKFLOW SCHEDULE_ID [--limit N]
                                        a schedule's recent fires and the runs they queued
          backfill WORKFLOW --from X --to Y [--schedule ID]
                                        queue a run for every fire in [X, Y] that has not run
          calendar put NAME [DATE...] [--file F] [--description TEXT]
                                        store a business calendar (YYYY-MM-DD dates; F: one per
                                        line, # comments, - for stdin)
          calendar list                 calendars and their date counts
          calendar show NAME            a calendar's description and dates
          calendar delete NAME          delete a calendar no schedule names
          webhook create WORKFLOW NAME  a signed webhook that starts runs; prints its URL and secret
          webhook list                  this tenant's webhooks
          webhook delete ID             delete a webhook

        operations:
          audit RUN                     the audit trail of a run
          resources [--class C] [--pool P]
                                        CMDB resources (agents register themselves)
          alert webhook URL             send this tenant's run-failure alerts to URL

        tenants and credentials:
          tenant create NAME [--display-name TEXT] [--weight N]
                                        create a tenant (platform admin only); N 1-1000 is its
                                        share of contended capacity (default 1)
          tenant list                   tenants (a tenant credential sees its own)
          tenant show NAME              a tenant's display name, weight and creation
          token create NAME --role admin|operator|viewer
                                        issue an API credential for the tenant (--tenant T);
                                        prints the token, shown only this once
          token list                    the tenant's credentials: names and roles
          token revoke NAME             revoke one (every service refuses it within 5 s)
          whoami                        the credential in use, its role and tenant

        governance (dispatcher):
          queue [--limit N]             this tenant's running/queued counts, throttle reason, next
                                        dispatch estimate and first queued tasks with their reasons
          quota show [TENANT]           every tenant's queue and quotas (platform admin), else yours
          quota set TENANT [--pool P] [--max-running N] [--rate PER_S] [--burst N] [--daily N] [--clear]
                                        change a quota (tenant-wide, or in pool P); 'none' lifts one
          throttle show                 global and pool ceilings, peak windows, ramp-up, slow-down
          throttle set [--pool P] [--rate PER_S] [--burst N] [--max-running N]
                       [--peak "mon-fri 08:00-18:00 Europe/Berlin" --peak-rate R --peak-max-running N]...
                       [--clear-peaks] [--ramp-up S] [--ramp-start-rate R] [--slow-down-load L] [--slow-down-rate R]
          agent list                    agents: state, pools, labels, running/slots, load
          agent drain AGENT             finish running tasks, take no new ones; agent undrain AGENT
          pool list                     pools: dedicated or shared, agents, slots, running, queued
          pool set POOL --dedicated TENANT | --shared
          help                          this text

        RUN is a run id, or TENANT/ID to address a run of another tenant than --tenant.
        Environment: WLOADCTL_HOME (default ./.wloadctl), WLOADCTL_TOKEN (a tenant credential acts
        for its own tenant unless --tenant names one), WLOADCTL_TENANT (default "default" for the
        stack's admin.token); for `stack up`: WL_BIN_DIR, WL_LOG_LEVEL.
        """

    static let stack = "usage: wloadctl stack up|down|status"
    static let queue = "usage: wloadctl queue [--limit N]"
    static let quota = """
        usage: wloadctl quota show [TENANT]
               wloadctl quota set TENANT [--pool P] [--max-running N] [--rate PER_S] [--burst N] [--daily N] [--clear]
          a value of 'none' lifts that limit; fields not given keep their value (--clear starts from none)
        """
    static let throttle = """
        usage: wloadctl throttle show
               wloadctl throttle set [--pool P] [--rate PER_S] [--burst N] [--max-running N]
                   [--peak "DAYS HH:MM-HH:MM ZONE" [--peak-rate R] [--peak-max-running N]]... [--clear-peaks]
                   [--ramp-up SECONDS] [--ramp-start-rate R] [--slow-down-load L] [--slow-down-rate R]
          DAYS: mon-fri, sat,sun or daily; ZONE: an IANA name; 'none' lifts a limit
        """
    static let agent = "usage: wloadctl agent list | agent drain AGENT | agent undrain AGENT"
    static let pool = "usage: wloadctl pool list | pool set POOL --dedicated TENANT | --shared"
    static let dispatchKeys = "usage: wloadctl dispatch-keys DIR"
    static let workflow = "usage: wloadctl workflow apply FILE | workflow list | workflow history NAME [--limit N]"
    static let run = """
        usage: wloadctl run start NAME [--param k=v]... [--wait] [--timeout SECONDS]
               wloadctl run show RUN [--json]
               wloadctl run wait RUN... [--timeout SECONDS]
               wloadctl run summary RUN...
               wloadctl run list [--workflow NAME]
               wloadctl run cancel RUN
               wloadctl run rerun RUN [--failed | --from TASK]
               wloadctl run pause RUN | run resume RUN
               wloadctl run mark RUN TASK succeeded|skipped
               wloadctl run impact RUN TASK [--json]
        """
    static let cron = """
        usage: wloadctl cron next EXPR [--tz ZONE] [--from ISO8601] [--count N]
          EXPR is a cron expression (quote it); ZONE an IANA name (default UTC); --from a
          date or date-time, read in ZONE unless it has an offset (default now); N 1-1000 (default 5)
        """
    static let schedule = """
        usage: wloadctl schedule list [--workflow NAME]
               wloadctl schedule pause WORKFLOW SCHEDULE_ID
               wloadctl schedule resume WORKFLOW SCHEDULE_ID
               wloadctl schedule fires WORKFLOW SCHEDULE_ID [--limit N]
        """
    static let backfill = "usage: wloadctl backfill WORKFLOW --from X --to Y [--schedule ID]"
    static let calendar = """
        usage: wloadctl calendar put NAME [DATE...] [--file F] [--description TEXT]
               wloadctl calendar list
               wloadctl calendar show NAME
               wloadctl calendar delete NAME
        """
    static let webhook = """
        usage: wloadctl webhook create WORKFLOW NAME
               wloadctl webhook list
               wloadctl webhook delete ID
        """
    static let audit = "usage: wloadctl audit RUN"
    static let resources = "usage: wloadctl resources [--class CLASS] [--pool POOL]"
    static let alert = "usage: wloadctl alert webhook URL"
    static let tenant = """
        usage: wloadctl tenant create NAME [--display-name TEXT] [--weight N]
               wloadctl tenant list
               wloadctl tenant show NAME
        """
    static let token = """
        usage: wloadctl [--tenant T] token create NAME --role admin|operator|viewer
               wloadctl [--tenant T] token list
               wloadctl [--tenant T] token revoke NAME
        """
    static let whoami = "usage: wloadctl whoami"
}
