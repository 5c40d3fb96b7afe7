import Testing
@testable import Scheduling

/// Every rejection names its field (or none, for whole-expression problems) and the offending text.
@Suite struct CronParseErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let expression: String
        let field: String?
        let fragment: String
        var testDescription: String { "'\(expression)'" }
    }

    static let fieldCases: [Case] = [
        Case(expression: "60 * * * *", field: "minute", fragment: "60 is out of range 0-59"),
        Case(expression: "* 24 * * *", field: "hour", fragment: "24 is out of range 0-23"),
        Case(expression: "* * 0 * *", field: "day-of-month", fragment: "0 is out of range 1-31"),
        Case(expression: "* * 32 * *", field: "day-of-month", fragment: "32 is out of range 1-31"),
        Case(expression: "* * * 13 *", field: "month", fragment: "13 is out of range 1-12"),
        Case(expression: "* * * 0 *", field: "month", fragment: "0 is out of range 1-12"),
        Case(expression: "* * * * 8", field: "day-of-week", fragment: "8 is out of range 0-7 (0 and 7 are Sunday)"),
        Case(expression: "60 * * * * *", field: "second", fragment: "60 is out of range 0-59"),
        Case(expression: "99999999999999999999 * * * *", field: "minute", fragment: "99999999999999999999 is out of range"),
        Case(expression: "1,70 * * * *", field: "minute", fragment: "70 is out of range"),
        Case(expression: "5-1 * * * *", field: "minute", fragment: "range 5-1 is reversed"),
        Case(expression: "* * * * FRI-MON", field: "day-of-week", fragment: "range FRI-MON is reversed"),
        Case(expression: "* * * DEC-JAN *", field: "month", fragment: "range DEC-JAN is reversed"),
        Case(expression: "*/0 * * * *", field: "minute", fragment: "step 0 in '*/0'"),
        Case(expression: "* 1-5/0 * * *", field: "hour", fragment: "step 0 in '1-5/0'"),
        Case(expression: "*/ * * * *", field: "minute", fragment: "'*/' has no step"),
        Case(expression: "*/x * * * *", field: "minute", fragment: "step 'x' in '*/x' is not a number"),
        Case(expression: "1/2/3 * * * *", field: "minute", fragment: "'1/2/3' has more than one '/'"),
        Case(expression: "1-2-3 * * * *", field: "minute", fragment: "'1-2-3' is not a value or a range"),
        Case(expression: "5- * * * *", field: "minute", fragment: "'5-' is missing a value"),
        Case(expression: "-5 * * * *", field: "minute", fragment: "'-5' is missing a value"),
        Case(expression: "1,,2 * * * *", field: "minute", fragment: "empty list item"),
        Case(expression: "* 1, * * *", field: "hour", fragment: "empty list item"),
        Case(expression: "* * * * ,MON", field: "day-of-week", fragment: "empty list item"),
        Case(expression: "* * * FOO *", field: "month", fragment: "unknown name 'FOO'"),
        Case(expression: "* * * * FUN", field: "day-of-week", fragment: "unknown name 'FUN'"),
        Case(expression: "* * * * JAN", field: "day-of-week", fragment: "unknown name 'JAN'"),
        Case(expression: "* * * MON *", field: "month", fragment: "unknown name 'MON'"),
        Case(expression: "MON * * * *", field: "minute", fragment: "'MON' is not a number"),
        Case(expression: "abc * * * *", field: "minute", fragment: "'abc' is not a number"),
        Case(expression: "1.5 * * * *", field: "minute", fragment: "'1.5' is not a number"),
        Case(expression: "? * * * *", field: "minute", fragment: "'?' is only allowed in the day-of-month and day-of-week"),
        Case(expression: "* * * ? *", field: "month", fragment: "'?' is only allowed"),
        Case(expression: "L * * * *", field: "minute", fragment: "'L' is only allowed in the day-of-month and day-of-week"),
        Case(expression: "* L * * *", field: "hour", fragment: "'L' is only allowed"),
        Case(expression: "* * * L *", field: "month", fragment: "'L' is only allowed"),
        Case(expression: "* 15W * * *", field: "hour", fragment: "'W' (nW, LW) is only allowed in the day-of-month field"),
        Case(expression: "* * * * 15W", field: "day-of-week", fragment: "'W' (nW, LW) is only allowed"),
        Case(expression: "* * * * LW", field: "day-of-week", fragment: "'W' (nW, LW) is only allowed"),
        Case(expression: "* * 1#2 * *", field: "day-of-month", fragment: "'#' (n#k) is only allowed in the day-of-week field"),
        Case(expression: "1#2 * * * *", field: "minute", fragment: "'#' (n#k) is only allowed"),
        Case(expression: "* * * * L", field: "day-of-week", fragment: "'L' alone is not allowed in day-of-week"),
        Case(expression: "* * * * L-2", field: "day-of-week", fragment: "'L-2': L-n is only allowed in the day-of-month field"),
        Case(expression: "* * 5L * *", field: "day-of-month", fragment: "'5L': nL (last weekday n) belongs in the day-of-week field"),
        Case(expression: "* * L-0 * *", field: "day-of-month", fragment: "'L-0': the n in L-n must be a number 1-30"),
        Case(expression: "* * L-31 * *", field: "day-of-month", fragment: "'L-31': the n in L-n must be"),
        Case(expression: "* * L-x * *", field: "day-of-month", fragment: "'L-x': the n in L-n must be"),
        Case(expression: "* * L/2 * *", field: "day-of-month", fragment: "'L' cannot be part of a range or step"),
        Case(expression: "* * 1-L * *", field: "day-of-month", fragment: "'L' cannot be part of a range or step"),
        Case(expression: "* * 0W * *", field: "day-of-month", fragment: "0 is out of range 1-31"),
        Case(expression: "* * 32W * *", field: "day-of-month", fragment: "32 is out of range 1-31"),
        Case(expression: "* * * * 5#6", field: "day-of-week", fragment: "'5#6': the k in n#k must be 1-5"),
        Case(expression: "* * * * 5#0", field: "day-of-week", fragment: "'5#0': the k in n#k must be 1-5"),
        Case(expression: "* * * * 5#", field: "day-of-week", fragment: "'5#': the k in n#k must be 1-5"),
        Case(expression: "* * * * 8#1", field: "day-of-week", fragment: "8 is out of range 0-7"),
        Case(expression: "* * * * #2", field: "day-of-week", fragment: "'#2' is missing a value"),
        Case(expression: "* * * * 8L", field: "day-of-week", fragment: "8 is out of range 0-7"),
        Case(expression: "* * * * 1-5#2", field: "day-of-week", fragment: "'1-5#2': n#k takes one weekday"),
        Case(expression: "* * * * 1-5L", field: "day-of-week", fragment: "'1-5L': nL takes one weekday"),
        Case(expression: "* * * * */2L", field: "day-of-week", fragment: "'*/2L': nL takes one weekday"),
    ]

    @Test(arguments: fieldCases)
    func fieldErrorNamesFieldAndOffendingText(_ testCase: Case) throws {
        let error = try #require(parseError(testCase.expression))
        #expect(error.field == testCase.field)
        #expect(error.message.contains(testCase.fragment), "message: \(error.message)")
        let field = try #require(testCase.field)
        #expect(error.description.hasPrefix("\(field) field '"), "description: \(error.description)")
    }

    @Test func descriptionQuotesTheWholeFieldText() throws {
        #expect(parseError("* * * * 8")?.description == "day-of-week field '8': 8 is out of range 0-7 (0 and 7 are Sunday)")
        #expect(parseError("0 0 1,32 * *")?.description == "day-of-month field '1,32': 32 is out of range 1-31")
        #expect(parseError("0 0 * * mon-fri,sun-xyz")?.description
            == "day-of-week field 'mon-fri,sun-xyz': unknown name 'xyz'; use SUN-SAT or 0-7")
    }

    static let wholeExpressionCases: [Case] = [
        Case(expression: "", field: nil, fragment: "empty expression"),
        Case(expression: "  \t\n", field: nil, fragment: "empty expression"),
        Case(expression: "* * * *", field: nil, fragment: "expected 5 or 6 fields, got 4"),
        Case(expression: "*", field: nil, fragment: "expected 5 or 6 fields, got 1"),
        Case(expression: "0 0 0 * * * 2026", field: nil, fragment: "expected 5 or 6 fields, got 7"),
        Case(expression: "@reboot", field: nil, fragment: "@reboot is not supported"),
        Case(expression: "@fortnightly", field: nil, fragment: "unknown macro '@fortnightly'"),
        Case(expression: "@daily 5", field: nil, fragment: "unknown macro '@daily 5'"),
    ]

    @Test(arguments: wholeExpressionCases)
    func wholeExpressionErrorHasNoField(_ testCase: Case) throws {
        let error = try #require(parseError(testCase.expression))
        #expect(error.field == nil)
        #expect(error.message.contains(testCase.fragment), "message: \(error.message)")
        #expect(error.description == error.message)
    }

    @Test func fieldCountErrorReadsExactly() {
        #expect(parseError("* * * *")?.description == "expected 5 or 6 fields, got 4")
    }

    @Test func firstBadFieldIsReportedInFieldOrder() {
        #expect(parseError("99 99 * * *")?.field == "minute")
        #expect(parseError("99 0 0 * * *")?.field == "second")
    }
}
