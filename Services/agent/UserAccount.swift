import Foundation

/// A local user a task runs as (`runAs`), with everything the child needs to become it. Looked
/// up in the agent, before fork: the lookups read NSS files and allocate, which a forked child of
/// a threaded process must not do.
struct UserAccount: Sendable, Equatable {
    let name: String
    let uid: uid_t
    let gid: gid_t
    /// Supplementary groups, the primary one included (as `initgroups` would set them).
    let groups: [gid_t]
    let home: String

    struct LookupError: Error, CustomStringConvertible {
        let description: String
    }

    /// The user named `name`; an error when there is none.
    static func named(_ name: String) throws -> UserAccount {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        let status = getpwnam_r(name, &entry, &buffer, buffer.count, &found)
        guard status == 0, found != nil else {
            throw LookupError(description: status == 0 ? "no such user" : "user lookup failed: \(String(cString: strerror(status)))")
        }
        let home = entry.pw_dir.map { String(cString: $0) } ?? "/"
        return UserAccount(name: name, uid: entry.pw_uid, gid: entry.pw_gid, groups: groups(of: name, primary: entry.pw_gid), home: home)
    }

    /// The agent's own user: the name the policy compares `runAs` with.
    static func current() -> (name: String, isRoot: Bool) {
        let uid = geteuid()
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        let name = getpwuid_r(uid, &entry, &buffer, buffer.count, &found) == 0 && found != nil
            ? entry.pw_name.map { String(cString: $0) } ?? "\(uid)" : "\(uid)"
        return (name, uid == 0)
    }

    /// getgrouplist, growing the buffer when the user is in more groups than it holds.
    private static func groups(of name: String, primary: gid_t) -> [gid_t] {
        var count: Int32 = 64
        while true {
            var groups = [gid_t](repeating: 0, count: Int(count))
            var wanted = count
            if getgrouplist(name, primary, &groups, &wanted) >= 0 {
                return Array(groups.prefix(Int(wanted)))
            }
            guard wanted > count else { return [primary] }
            count = wanted
        }
    }
}
