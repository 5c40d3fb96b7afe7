import Foundation

/// Maps local wall-clock times of one zone to instants, by hand from `secondsFromGMT(for:)`,
/// because `Calendar.date(from:)` leaves what happens in DST gaps and overlaps unspecified and the
/// scheduler's promises depend on it.
///
/// Wall times and instants are whole seconds: a wall time is `dayNumber * 86400 + secondOfDay`
/// (the local reading as if it were UTC), an instant is seconds since 1970-01-01T00:00:00Z.
struct WallClock: Sendable {
    let zone: TimeZone

    func offset(at instant: Int) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    func wallTime(at instant: Int) -> Int {
        instant + offset(at: instant)
    }

    /// Every instant showing `wall`, ascending: one normally, none in a spring-forward gap, two in
    /// a fall-back overlap. Candidate offsets come from a day either side (and the wall time
    /// itself); only those that round-trip are real, which works for any shift size (Lord Howe's 30
    /// minutes included) as long as a zone does not change offset twice within a day.
    func instants(ofWall wall: Int) -> [Int] {
        var found: [Int] = []
        for probe in [wall - 86_400, wall, wall + 86_400] {
            let candidate = wall - offset(at: probe)
            if offset(at: candidate) + candidate == wall, !found.contains(candidate) {
                found.append(candidate)
            }
        }
        return found.sorted()
    }

    /// For a wall time inside a spring-forward gap: the transition instant, the first instant
    /// whose wall time is past `wall`. nil when `wall` is not in a gap this method can bracket.
    func gapEnd(ofWall wall: Int) -> Int? {
        let offsetBefore = offset(at: wall - 86_400), offsetAfter = offset(at: wall + 86_400)
        var low = wall - offsetAfter, high = wall - offsetBefore
        guard low < high, wallTime(at: low) < wall, wallTime(at: high) > wall else { return nil }
        // Invariant: wallTime(low) < wall < wallTime(high); the gap is short, so ~12 steps.
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if wallTime(at: middle) > wall { high = middle } else { low = middle }
        }
        return high
    }

    /// The fixed-time reading of `wall`: its first occurrence, or the end of the gap it falls in.
    func firstInstant(ofWall wall: Int) -> Int? {
        instants(ofWall: wall).first ?? gapEnd(ofWall: wall)
    }

    /// Instants the DST policy fires for `wall`: fixed-time schedules fire the first occurrence or
    /// the gap's end, interval schedules every real occurrence and nothing in a gap.
    func fireInstants(ofWall wall: Int, fixedTime: Bool) -> [Int] {
        guard fixedTime else { return instants(ofWall: wall) }
        return firstInstant(ofWall: wall).map { [$0] } ?? []
    }
}
