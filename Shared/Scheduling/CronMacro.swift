/// The `@name` shorthands of Vixie cron, expanded to their five-field meaning before parsing.
enum CronMacro {
    private static let expansions: [String: String] = [
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
        "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@hourly": "0 * * * *",
    ]

    /// `text` itself when it is not a macro; the expansion when it is one; an error for `@reboot`
    /// (which means "when the daemon starts" and has no time to plan) and for unknown names.
    static func fields(of text: String) throws(CronError) -> String {
        guard text.hasPrefix("@") else { return text }
        let name = text.lowercased()
        if let expansion = expansions[name] { return expansion }
        if name == "@reboot" {
            throw CronError("@reboot is not supported: it means 'when the cron daemon starts', which is not a time a scheduler can plan")
        }
        throw CronError("unknown macro '\(text)'; use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly")
    }
}
