import Foundation

/// ISO 8601 text in a given zone, with the zone's offset spelled out, because operators read fire
/// times as local clock readings and the offset is what shows which side of a DST change a time
/// is on. Hand-written (not `ISO8601DateFormatter`) so that local times without an offset resolve
/// through the same DST policy as schedules.
public enum ISO8601Local {
    /// "2026-03-29T03:00:00+02:00": whole seconds (rounded down), the offset `zone` has at that
    /// instant, and "+00:00" rather than "Z" so every string has the same shape. An offset with
    /// seconds (local mean time before 1900) is written "+HH:MM:SS" so it still round-trips.
    /// Outside years 1...9999 the date part reads "out-of-range" rather than a wrong year.
    public static func format(_ date: Date, in zone: TimeZone) -> String {
        guard let instant = Instant.seconds(flooring: date) else { return "invalid date" }
        let offset = WallClock(zone: zone).offset(at: instant)
        let wall = instant + offset
        let dayNumber = floorDiv(wall, 86_400), secondOfDay = floorMod(wall, 86_400)
        let day = LocalDate(dayNumber: dayNumber)?.description ?? "out-of-range"
        let time = [secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60]
            .map { LocalDate.pad($0, 2) }.joined(separator: ":")
        return "\(day)T\(time)\(offsetText(offset))"
    }

    static func offsetText(_ offset: Int) -> String {
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        var text = "\(sign)\(LocalDate.pad(magnitude / 3600, 2)):\(LocalDate.pad(magnitude / 60 % 60, 2))"
        if magnitude % 60 != 0 { text += ":\(LocalDate.pad(magnitude % 60, 2))" }
        return text
    }

    /// Accepts "2026-03-29T03:00:00+02:00", "…Z", a local "2026-03-29T03:00:00" or
    /// "2026-03-29T03:00" (read in `zone`), and "2026-03-29" (local midnight in `zone`). A local
    /// time in a DST gap becomes the instant the gap ends and one in an overlap its first
    /// occurrence, exactly as a fixed-time schedule would fire. nil when unparsable.
    public static func parse(_ text: String, in zone: TimeZone) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, let date = LocalDate(String(decoding: bytes[0..<10], as: UTF8.self)) else {
            return nil
        }
        var reader = ISO8601Reader(bytes: bytes, position: 10)
        let secondOfDay = bytes.count == 10 ? 0 : reader.timeOfDay()
        guard let secondOfDay else { return nil }
        let wall = date.dayNumber * 86_400 + secondOfDay
        if reader.atEnd {
            return WallClock(zone: zone).firstInstant(ofWall: wall).map(Instant.date)
        }
        guard let offset = reader.offset(), reader.atEnd else { return nil }
        return Instant.date(wall - offset)
    }
}
