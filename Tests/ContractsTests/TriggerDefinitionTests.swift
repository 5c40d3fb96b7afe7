import Contracts
import Foundation
import Testing

/// The trigger parts of a definition: schedules, events and maxActiveRuns.
@Suite struct TriggerDefinitionTests {
    private func parse(_ members: String) throws(DefinitionError) -> WorkflowDefinition {
        try WorkflowDefinition.parse(Array(#"{"name": "w", \#(members), "tasks": [{"id": "a", "run": "true"}]}"#.utf8))
    }

    private func rejection(_ members: String) -> String {
        do {
            _ = try parse(members)
            return "accepted"
        } catch { return error.message }
    }

    @Test func acceptsAScheduleWithEveryFieldAndKeepsItsText() throws {
        let definition = try parse("""
            "maxActiveRuns": 2, "schedules": [{"id": "weekdays", "cron": "0 2 * * 1-5", "timezone": "Asia/Shanghai",
              "excludeCalendar": "cn-holidays", "businessDay": -1, "start": "2027-01-01", "end": "2027-12-31T23:00:00+08:00",
              "jitter": "2m", "overlap": "bufferOne", "misfire": "catchUp", "misfireGrace": "5m", "catchUpLimit": 10,
              "parameters": {"scope": "day"}}]
            """)
        let schedule = try #require(definition.schedules.first)
        #expect(definition.maxActiveRuns == 2)
        #expect(schedule.cron == "0 2 * * 1-5" && schedule.timezone == "Asia/Shanghai" && schedule.businessDay == -1)
        #expect(schedule.jitterSeconds == 120 && schedule.misfireGraceSeconds == 300 && schedule.effectiveCatchUpLimit == 10)
        #expect(schedule.overlap == .bufferOne && schedule.misfire == .catchUp && schedule.parameters == ["scope": "day"])
        #expect(schedule.startDate == ISO8601DateFormatter().date(from: "2026-12-31T16:00:00Z"), "a local date is midnight in the zone")
    }

    @Test func appliesDefaultsAndNamesSchedulesByPosition() throws {
        let definition = try parse(#""schedules": [{"cron": "@daily"}, {"cron": "@hourly"}]"#)
        #expect(definition.schedules.map(\.id) == ["s1", "s2"])
        #expect(definition.schedules.allSatisfy { $0.timezone == "UTC" && $0.overlap == .skip && $0.misfire == .runLatest })
        #expect(definition.schedules[0].misfireGraceSeconds == 60 && definition.schedules[0].jitterSeconds == 0)
    }

    @Test(arguments: [
        (#""schedules": [{"cron": "0 2 * * 8"}]"#, "day-of-week field '8'"),
        (#""schedules": [{"cron": "61 * * * *"}]"#, "minute field '61'"),
        (#""schedules": [{"cron": 5}]"#, "cron expression string"),
        (#""schedules": [{"cron": "@daily", "timezone": "CEST"}]"#, "unknown time zone 'CEST'"),
        (#""schedules": [{"cron": "@daily", "overlap": "never"}]"#, "overlap' must be one of skip, bufferOne, allowAll, cancelPrevious"),
        (#""schedules": [{"cron": "@daily", "misfire": "all"}]"#, "misfire' must be one of skip, runLatest, catchUp"),
        (#""schedules": [{"cron": "@daily", "jitter": "soon"}]"#, "jitter' must be a duration"),
        (#""schedules": [{"cron": "@daily", "businessDay": 0}]"#, "not 0"),
        (#""schedules": [{"cron": "@daily", "businessDay": 24}]"#, "from -23 to 23"),
        (#""schedules": [{"cron": "@daily", "start": "yesterday"}]"#, "'start' must be an ISO-8601"),
        (#""schedules": [{"cron": "@daily", "start": "2027-02-01", "end": "2027-01-01"}]"#, "'end' must be after 'start'"),
        (#""schedules": [{"cron": "@daily", "catchUpLimit": 0}]"#, "catchUpLimit"),
        (#""schedules": [{"cron": "@daily", "every": "day"}]"#, "unknown field 'every'"),
        (#""schedules": [{"id": "x", "cron": "@daily"}, {"id": "x", "cron": "@hourly"}]"#, "duplicate schedule id 'x'"),
        (#""schedules": [{"cron": "@daily", "parameters": {"bad-name": "1"}}]"#, "invalid parameter name 'bad-name'"),
        (#""schedules": {"cron": "@daily"}"#, "field 'schedules' must be an array"),
        (#""maxActiveRuns": 0"#, "maxActiveRuns' must be a whole number from 1"),
        (#""events": [{"topic": "wl.tasks.ready"}]"#, "belong to the platform"),
        (#""events": [{"topic": "bad topic"}]"#, "Kafka topic name"),
        (#""events": [{"topic": "erp", "match": {"a..b": "x"}}]"#, "not a field path"),
        (#""events": [{"topic": "erp", "match": {"a": [1]}}]"#, "must be a string, number or boolean"),
    ])
    func rejectsBadTriggersNamingTheProblem(members: String, message: String) {
        let problem = rejection(members)
        #expect(problem.contains(message), "\(problem)")
    }

    @Test func acceptsEventTriggersWithScalarMatches() throws {
        let definition = try parse(#""events": [{"topic": "erp.invoices", "match": {"type": "posted", "amount": 10, "final": true}}]"#)
        #expect(definition.events.first?.id == "e1")
        #expect(definition.events.first?.match == ["type": "posted", "amount": "10", "final": "true"])
    }

    @Test func aDefinitionWithoutTriggersEncodesAsBefore() throws {
        let definition = try WorkflowDefinition.parse(Array(#"{"name": "w", "tasks": [{"id": "a", "run": "true"}]}"#.utf8))
        let text = String(decoding: try WireCoding.encode(definition), as: UTF8.self)
        #expect(!text.contains("schedules") && !text.contains("events") && !text.contains("maxActiveRuns"))
        #expect(try WireCoding.decode(WorkflowDefinition.self, from: Array(text.utf8)) == definition)
    }

    @Test(arguments: [("90s", 90), ("5m", 300), ("1h30m", 5_400), ("2d", 172_800)])
    func durationsParse(text: String, seconds: Int) {
        #expect(DurationText.seconds(text) == seconds)
        #expect(DurationText.seconds(DurationText.format(seconds)) == seconds)
    }

    @Test(arguments: ["", "5", "m", "5x", "-5m", "5m5", "1.5h", "9999999999s"])
    func durationsRejectGarbage(text: String) {
        #expect(DurationText.seconds(text) == nil)
    }
}
