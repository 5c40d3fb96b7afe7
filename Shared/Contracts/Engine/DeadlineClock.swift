import Foundation
import Scheduling

/// When a run's deadline falls, and when its warning goes out.
public enum DeadlineClock {
    /// Hour and minute of "HH:MM".
    public static func wallTime(_ text: String) -> (hour: Int, minute: Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCIIDigit) }), let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        return (hour, minute)
    }

    /// The deadline of a run with this logical time that started at `start`. For `at`, the first
    /// time the wall clock in the zone shows that time at or after the logical time (DST follows
    /// the schedule rules: a time inside a gap means the end of the gap).
    public static func due(_ deadline: DeadlineDefinition, logicalTime: Date, start: Date) -> Date? {
        if let after = deadline.after.flatMap(DurationText.seconds) {
            let origin = deadline.from == .start ? start : logicalTime
            return origin.addingTimeInterval(TimeInterval(after))
        }
        guard let text = deadline.at, let time = wallTime(text),
              let cron = try? CronExpression.parse("\(time.minute) \(time.hour) * * *") else { return nil }
        let zone = TimeZones.named(deadline.timezone ?? "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
        // Wall times are whole seconds: search from the second before the logical time, and
        // step past a match that falls inside the logical time's own (fractional) second.
        let rule = ScheduleRule(cron: cron, timeZone: zone)
        let whole = logicalTime.timeIntervalSince1970.rounded(.down)
        guard let first = rule.next(after: Date(timeIntervalSince1970: whole - 1)) else { return nil }
        return first >= logicalTime ? first : rule.next(after: first)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
