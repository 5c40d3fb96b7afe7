/// Shows one progress line per run on stderr. On a terminal the lines are redrawn in place
/// (`\r` for one run, cursor-up for several); otherwise — CI logs, pipes — a run's line is
/// written only when it changes, so logs stay readable.
struct ProgressDisplay {
    private let terminal: Bool
    private var shown: [String]?

    init(terminal: Bool = Output.stderrIsTerminal) {
        self.terminal = terminal
    }

    mutating func show(_ lines: [String]) {
        defer { shown = lines }
        guard terminal else {
            for (index, line) in lines.enumerated() where shown.map({ $0[index] != line }) ?? true {
                Output.progress(line + "\n")
            }
            return
        }
        if lines.count == 1 {
            Output.progress("\r" + lines[0] + "\u{1B}[K")
            return
        }
        var text = shown == nil ? "" : "\u{1B}[\(lines.count)A"
        for line in lines {
            text += "\r" + line + "\u{1B}[K\n"
        }
        Output.progress(text)
    }

    /// Ends an in-place single line so later output starts on a fresh line.
    func finish() {
        if terminal, shown?.count == 1 { Output.progress("\n") }
    }
}
