import Foundation

/// Conversions between `Date` and whole seconds, clamped to the years LocalDate supports so that
/// `Date.distantFuture` or a corrupt timestamp ends a search instead of overflowing an `Int`.
enum Instant {
    /// A day either side of years 1...9999, so every zone's local dates in range stay reachable.
    static let lowest = -62_135_596_800 - 86_400
    static let highest = 253_402_300_799 + 86_400

    /// `date` rounded down to a whole second and clamped; nil for NaN.
    static func seconds(flooring date: Date) -> Int? {
        let value = date.timeIntervalSince1970.rounded(.down)
        guard !value.isNaN else { return nil }
        return Int(min(max(value, Double(lowest)), Double(highest)))
    }

    static func date(_ seconds: Int) -> Date {
        Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
