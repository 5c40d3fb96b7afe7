import Foundation

/// Zone lookup that accepts IANA names only. `TimeZone(identifier:)` also accepts abbreviations
/// such as "CEST" or "GMT+2", which are fixed offsets that silently ignore DST: a schedule written
/// against one would drift by an hour twice a year.
public enum TimeZones {
    private static let accepted: Set<String> = Set(TimeZone.knownTimeZoneIdentifiers).union(["UTC", "Etc/UTC"])

    /// An IANA zone by name ("Europe/Berlin", "UTC"); nil for unknown names and abbreviations.
    public static func named(_ identifier: String) -> TimeZone? {
        guard accepted.contains(identifier) else { return nil }
        return TimeZone(identifier: identifier)
    }
}
