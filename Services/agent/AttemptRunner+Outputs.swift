import Contracts
import Foundation

extension AttemptRunner {
    /// Fills in the outcome of an attempt whose process exited with `code`: failed with the
    /// stop's reason when it was stopped, failed when the code is not 0, otherwise succeeded with
    /// the outputs it wrote, or failed when those are malformed.
    func conclude(_ status: inout TaskStatus, code: Int32, stop: Termination.Stop?, outputPath: String) {
        status.exitCode = Int(code)
        status.state = .failed
        if let stop {
            status.reason = stop.reason
            return
        }
        guard code == 0 else { return }
        do {
            let outputs = try Self.outputs(at: outputPath)
            status.outputs = outputs.isEmpty ? nil : outputs
            status.state = .succeeded
        } catch {
            status.reason = "output: \(error)"
        }
    }

    /// The outputs the task wrote; none when it removed the file. The size is checked before
    /// reading, so a task cannot make the agent read a huge file.
    static func outputs(at path: String) throws(TaskOutputError) -> [String: String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [:] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        guard size <= UInt64(DefinitionLimits.maxOutputBytes) else {
            throw TaskOutputError("\(size) bytes, more than the \(DefinitionLimits.maxOutputBytes) allowed")
        }
        do {
            try handle.seek(toOffset: 0)
            return try TaskOutputs.parse(Array(handle.readToEnd() ?? Data()))
        } catch let error as TaskOutputError {
            throw error
        } catch {
            throw TaskOutputError("cannot read \(path): \(error)")
        }
    }
}
