import Foundation

/// Progress and results on standard output, written line by line unbuffered (the benchmark runs
/// for minutes; `make bench` shows where it is).
enum Console {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
