import Contracts
import Testing

@Suite struct TemplateTests {
    private let values: [Reference: String] = [
        .parameter("region"): "eu",
        .parameter("day"): "2024-05-01",
        .output(task: "extract", key: "file"): "/data/out.csv",
        .builtin("run.id"): "r-1",
        .builtin("task.attempt"): "2",
    ]

    private func render(_ text: String) throws -> String {
        try Template.render(text) { values[$0] }
    }

    private func failure(_ text: String) -> String {
        do {
            return "rendered: " + (try render(text))
        } catch let error as ExpressionError {
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func substitutesMultiplePlaceholders() throws {
        #expect(try render("load --region={{ params.region }} --file={{tasks.extract.outputs.file}} # run {{run.id}}")
            == "load --region=eu --file=/data/out.csv # run r-1")
    }

    @Test func substitutesAdjacentPlaceholders() throws {
        #expect(try render("{{params.region}}{{ params.day }}{{task.attempt}}") == "eu2024-05-012")
        #expect(try render("{{params.region}}") == "eu")
    }

    @Test func allowsAnyWhitespaceInsideTheBraces() throws {
        #expect(try render("x{{   params.region\t}}y{{\nrun.id\n}}z") == "xeuyr-1z")
    }

    @Test func textWithoutPlaceholdersIsOneLiteral() throws {
        let template = try Template.parse("echo } { }} done")
        #expect(template.isLiteral)
        #expect(template.references.isEmpty)
        #expect(try template.render { _ in nil } == "echo } { }} done")
        #expect(try Template.parse("").render { _ in nil } == "")
    }

    @Test func keepsBracesAroundPlaceholdersThatAreNotPartOfThem() throws {
        #expect(try render("}}{{ params.region }}}") == "}}eu}")
        #expect(try render("{ {{params.region}} }") == "{ eu }")
    }

    @Test func collectsReferences() throws {
        let template = try Template.parse("{{params.region}}-{{ params.region }}-{{tasks.extract.outputs.file}}-{{task.attempt}}")
        #expect(!template.isLiteral)
        #expect(template.references == [.parameter("region"), .output(task: "extract", key: "file"), .builtin("task.attempt")])
    }

    @Test func parsesOnceAndRendersWithDifferentScopes() throws {
        let template = try Template.parse("s3://bucket/{{ params.region }}/")
        #expect(try template.render { _ in "us" } == "s3://bucket/us/")
        #expect(try template.render { _ in "eu" } == "s3://bucket/eu/")
        #expect(try template == Template.parse("s3://bucket/{{params.region}}/"))
    }

    @Test func rejectsUnclosedPlaceholders() {
        #expect(failure("echo {{ params.region") == "the '{{' at column 6 is never closed with '}}'")
        #expect(failure("echo {{params.region}} {{") == "the '{{' at column 24 is never closed with '}}'")
        #expect(failure("{{}") == "the '{{' at column 1 is never closed with '}}'")
    }

    @Test func rejectsEmptyPlaceholders() {
        #expect(failure("a {{ }} b").hasPrefix("the placeholder '{{ }}' at column 3 is empty"))
        #expect(failure("{{}}").hasPrefix("the placeholder '{{}}' at column 1 is empty"))
    }

    @Test func rejectsInvalidReferencesNamingThePlaceholder() {
        #expect(failure("x {{ param.region }}")
            .hasPrefix("placeholder '{{ param.region }}' at column 3: 'param.region' is not a valid reference"))
        #expect(failure("{{ tasks.a.output.k }}").contains("'tasks.a.output.k' is not a valid reference"))
        #expect(failure("{{ run.nope }}").contains("'run.nope' is not a valid reference"))
        #expect(failure("{{ params.a b }}").contains("'params.a b' is not a valid reference"))
        #expect(failure("{{.State}}").contains("'.State' is not a valid reference"))
    }

    @Test func missingValuesAreErrorsNotEmptyText() {
        #expect(failure("--x={{ params.missing }}") == "params.missing is not set")
        #expect(failure("{{ tasks.a.outputs.k }}") == "task 'a' wrote no output 'k'")
        #expect(failure("{{ run.logicalDate }}") == "run.logicalDate is not available here")
    }

    @Test func backslashMakesALiteralDoubleBrace() throws {
        let template = try Template.parse(#"docker inspect --format '\{{.State}}' {{params.name}}"#)
        #expect(template.references == [.parameter("name")])
        #expect(try template.render { _ in "db" } == "docker inspect --format '{{.State}}' db")
    }
}
