import Foundation

/// `wloadctl`: the operator CLI. Dispatches on the first word; every failure ends as
/// `error: <message>` on stderr and a non-zero exit (see `ExitCode`).
let status = await WLoadCtl.main(Array(CommandLine.arguments.dropFirst()))
exit(status)
