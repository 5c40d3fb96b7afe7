import Foundation

/// The bootstrap address for other processes (the local stack, tests, the CLI). Written to a
/// temporary file and renamed into place, so a reader sees either no file or the whole address.
enum AddressFile {
    static func write(_ address: String, to path: String) throws {
        let temporary = "\(path).tmp-\(getpid())"
        do {
            try Data(address.utf8).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw AddressFileError(path: path, problem: (error as NSError).localizedDescription)
        }
        guard rename(temporary, path) == 0 else {
            let problem = String(cString: strerror(errno))
            unlink(temporary)
            throw AddressFileError(path: path, problem: problem)
        }
    }

    /// Removed on clean shutdown so nobody connects to a broker that is gone.
    static func remove(_ path: String) {
        unlink(path)
    }
}

struct AddressFileError: Error, CustomStringConvertible {
    let path: String
    let problem: String
    var description: String { "cannot write broker address file \(path): \(problem)" }
}
