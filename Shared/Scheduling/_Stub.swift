// TEMPORARY: signatures of the module being built on branch `scheduling`; removed at merge.
import Foundation

public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public static func parse(_ text: String) throws(CronError) -> CronExpression { CronExpression(description: text) }
    public var description: String
    public var isFixedTime: Bool { true }
}
public struct CronError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String?
    public let message: String
    public var description: String { message }
}
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int
    public init?(year: Int, month: Int, day: Int) { self.year = year; self.month = month; self.day = day }
    public init?(_ text: String) { return nil }
    public var description: String { "" }
    public static func < (a: LocalDate, b: LocalDate) -> Bool { false }
}
public struct ScheduleRule: Sendable {
    public init(cron: CronExpression, timeZone: TimeZone, excludedDates: Set<LocalDate> = [],
                onlyDates: Set<LocalDate>? = nil, businessDay: Int? = nil, start: Date? = nil, end: Date? = nil) {}
    public func next(after: Date) -> Date? { nil }
    public func fires(after: Date, through: Date, limit: Int) -> [Date] { [] }
}
public enum TimeZones {
    public static func named(_ identifier: String) -> TimeZone? { TimeZone(identifier: identifier) }
}
public enum ISO8601Local {
    public static func format(_ date: Date, in zone: TimeZone) -> String { "" }
    public static func parse(_ text: String, in zone: TimeZone) -> Date? { nil }
}
