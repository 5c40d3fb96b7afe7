import Contracts
import Testing

@Suite struct ExpressionTests {
    private let values: [Reference: String] = [
        .parameter("region"): "eu",
        .parameter("flag"): "TRUE",
        .parameter("off"): "false",
        .parameter("word"): "abc",
        .parameter("ten"): "10",
        .parameter("nine"): "9",
        .output(task: "extract", key: "rows"): "42",
        .output(task: "my-task_2", key: "status"): "ok",
        .builtin("run.tenant"): "acme",
    ]

    private func evaluate(_ text: String) throws -> Bool {
        try Expression.parse(text).evaluate { values[$0] }
    }

    /// The error message, or "parsed"/"true"/"false" when there is none.
    private func failure(_ text: String) -> String {
        do {
            return String(try evaluate(text))
        } catch let error as ExpressionError {
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    private func parseFailure(_ text: String) -> String {
        do {
            _ = try Expression.parse(text)
            return "parsed"
        } catch { return error.message }
    }

    // MARK: - Operators and precedence

    @Test func evaluatesTheDocumentedExample() throws {
        #expect(try evaluate("params.region == 'eu' && tasks.extract.outputs.rows > 0"))
        #expect(try !evaluate("params.region == 'us' && tasks.extract.outputs.rows > 0"))
    }

    @Test func notBindsTighterThanAndWhichBindsTighterThanOr() throws {
        #expect(try evaluate("!false && false || true"))
        #expect(try !evaluate("!true && true || false"))
        #expect(try evaluate("true || true && false"))
        #expect(try !evaluate("!(false || true)"))
    }

    @Test func notAppliesToAWholeComparison() throws {
        #expect(try evaluate("!params.region == 'us'"))
        #expect(try !evaluate("!!params.region == 'us'"))
    }

    @Test func parenthesesOverridePrecedence() throws {
        #expect(try !evaluate("(true || true) && false"))
        #expect(try evaluate("((((true))))"))
        #expect(try evaluate("(params.region == 'eu') == true"))
    }

    @Test func everyComparisonOperatorOnNumbers() throws {
        #expect(try evaluate("2 == 2.0") && evaluate("2 != 3") && evaluate("2 < 3") && evaluate("3 <= 3"))
        #expect(try evaluate("4 > 3") && evaluate("3 >= 3") && evaluate("-1.5 < 0"))
        #expect(try !evaluate("2 != 2") && !evaluate("3 < 3") && !evaluate("4 <= 3") && !evaluate("3 > 3") && !evaluate("2 >= 3"))
    }

    @Test func everyComparisonOperatorOnStrings() throws {
        #expect(try evaluate("'a' == 'a'") && evaluate("'a' != 'b'") && evaluate("'a' < 'b'") && evaluate("'a' <= 'a'"))
        #expect(try evaluate("'b' > 'a'") && evaluate("'b' >= 'b'") && evaluate("'Z' < 'a'") && evaluate("'ab' > 'a'"))
        #expect(try !evaluate("'a' == 'A'") && !evaluate("'b' < 'a'"))
    }

    @Test func whitespaceIsOptionalAndAllowedAnywhereBetweenTokens() throws {
        #expect(try evaluate("params.region=='eu'&&tasks.extract.outputs.rows>=42"))
        #expect(try evaluate(" \t( params.region\n== 'eu' )  "))
    }

    // MARK: - Numbers versus strings

    @Test func numericStringsCompareAsNumbers() throws {
        #expect(try evaluate("'10' > '9'"))
        #expect(try evaluate("params.ten > params.nine"))
        #expect(try evaluate("'1.0' == '1'"))
        #expect(try evaluate("tasks.extract.outputs.rows == 42.0"))
        #expect(try evaluate("'007' == 7"))
    }

    @Test func stringsThatAreNotPlainNumbersCompareAsText() throws {
        #expect(try !evaluate("'1e3' == '1000'"))
        #expect(try !evaluate("' 1' == '1'"))
        #expect(try evaluate("'10a' < '9a'"))
    }

    @Test func nonNumericStringIsNeverEqualToANumber() throws {
        #expect(try !evaluate("'abc' == 3"))
        #expect(try evaluate("3 != 'abc'"))
        #expect(try !evaluate("'nan' == 3"))
    }

    @Test func nonNumericStringCannotBeOrderedAgainstANumber() {
        #expect(failure("'abc' < 3") == "cannot compare 'abc' with number 3 using '<'")
        #expect(failure("3 >= params.word") == "cannot compare 'abc' (from params.word) with number 3 using '>='")
    }

    // MARK: - Strings, booleans

    @Test func stringLiteralsTakeEitherQuoteAndThreeEscapes() throws {
        #expect(try evaluate(#""eu" == 'eu'"#))
        #expect(try evaluate(#"'it\'s' == "it's""#))
        #expect(try evaluate(#""say \"hi\"" == 'say "hi"'"#))
        #expect(try Expression.parse(#"params.path == 'C:\\dir'"#).evaluate { _ in #"C:\dir"# })
        #expect(try evaluate("'' == ''"))
        #expect(try evaluate("'ünïcødé ✓' == \"ünïcødé ✓\""))
    }

    @Test func unknownEscapesAreRejected() {
        #expect(parseFailure(#"'a\nb' == 'x'"#).contains(#"unknown escape '\n' at column 3"#))
    }

    @Test func booleanStringsConvertInBooleanContextInAnyCase() throws {
        #expect(try evaluate("params.flag"))
        #expect(try !evaluate("params.off"))
        #expect(try evaluate("params.flag && !params.off"))
        #expect(try evaluate("'False' || 'tRuE'"))
    }

    @Test func otherValuesAreNotBooleans() {
        #expect(failure("params.word") == "'abc' (from params.word) is not a boolean; conditions need true or false")
        #expect(failure("true && 'abc'").hasPrefix("'abc' is not a boolean"))
        #expect(failure("!3").hasPrefix("number 3 is not a boolean"))
        #expect(failure("'yes'").hasPrefix("'yes' is not a boolean"))
    }

    @Test func booleansCompareWithBooleansAndBooleanStrings() throws {
        #expect(try evaluate("true == true") && evaluate("true != false"))
        #expect(try evaluate("params.flag == true") && evaluate("false == params.off"))
        #expect(try evaluate("(1 < 2) == 'TRUE'"))
        #expect(try !evaluate("params.flag == 'true'"))
    }

    @Test func booleansRejectOtherComparisons() {
        #expect(failure("true == 'abc'").hasPrefix("cannot compare boolean true with 'abc'"))
        #expect(failure("true == 1").hasPrefix("cannot compare boolean true with number 1"))
        #expect(failure("true < false") == "booleans cannot be ordered with '<'; use == or !=")
    }

    // MARK: - References and short-circuit

    @Test func missingValuesAreEvaluationErrors() {
        #expect(failure("params.x == 'a'") == "params.x is not set")
        #expect(failure("tasks.a.outputs.k == 1") == "task 'a' wrote no output 'k'")
        #expect(failure("run.id == 'x'") == "run.id is not available here")
    }

    @Test func andOrShortCircuit() throws {
        #expect(try !evaluate("false && tasks.x.outputs.y == 1"))
        #expect(try evaluate("true || params.missing"))
        #expect(try !evaluate("params.region == 'us' && params.missing"))
        #expect(failure("true && tasks.x.outputs.y == 1") == "task 'x' wrote no output 'y'")
    }

    @Test func collectsEveryReferenceIncludingSkippedOnes() throws {
        let expression = try Expression.parse(
            "false && (tasks.extract.outputs.rows > 0 || params.region == run.tenant) && !task.attempt == params.region")
        #expect(expression.references == [
            .output(task: "extract", key: "rows"), .parameter("region"), .builtin("run.tenant"), .builtin("task.attempt"),
        ])
        #expect(try Expression.parse("1 < 2").references.isEmpty)
    }

    @Test func referencesAcceptTaskIdsWithDashesAndUnderscores() throws {
        #expect(try evaluate("tasks.my-task_2.outputs.status == 'ok'"))
        #expect(try evaluate("run.tenant == 'acme'"))
    }

    @Test func referencesParseAndPrintCanonically() throws {
        for path in ["params.region", "tasks.extract-1.outputs.row_count", "run.logicalDate", "task.attempt"] {
            #expect(try Reference.parse(path).description == path)
        }
        #expect(try Reference.parse("tasks.a.outputs.k") == .output(task: "a", key: "k"))
        #expect(try Reference.parse("run.workflow") == .builtin("run.workflow"))
        #expect(throws: ExpressionError.self) { try Reference.parse("tasks.-a.outputs.k") }
        #expect(throws: ExpressionError.self) { try Reference.parse("tasks.a.outputs.k.extra") }
        #expect(throws: ExpressionError.self) { try Reference.parse("task.attempts") }
        #expect(throws: ExpressionError.self) { try Reference.parse("params.a-b") }
    }

    @Test func descriptionIsTheSourceText() throws {
        let text = "params.region  ==  'eu'"
        #expect(try Expression.parse(text).description == text)
        #expect(try Expression.parse(text) == Expression.parse(text))
    }

    // MARK: - Parse errors

    @Test func rejectsEmptyExpressions() {
        #expect(parseFailure("") == "the expression is empty")
        #expect(parseFailure("  \n ") == "the expression is empty")
    }

    @Test func rejectsUnbalancedParentheses() {
        #expect(parseFailure("(true && false") == "the '(' at column 1 is not closed: expected ')' at column 15, found the end of the expression")
        #expect(parseFailure("true)").hasPrefix("unexpected ')' at column 5 after a complete expression (it closes no '(')"))
        #expect(parseFailure("()") == "expected a value at column 2, found ')'")
    }

    @Test func rejectsTrailingTokens() {
        #expect(parseFailure("true false").hasPrefix("unexpected 'false' at column 6 after a complete expression"))
        #expect(parseFailure("params.a == 'x' \"y\"").hasPrefix(#"unexpected "y" at column 17"#))
    }

    @Test func rejectsBadReferencesNamingThePath() {
        #expect(parseFailure("param.x == 1").hasPrefix("'param.x' is not a valid reference"))
        #expect(parseFailure("params.x == 1 && tasks.a.output.k == 2")
            == "'tasks.a.output.k' is not a valid reference: task outputs are written tasks.<task>.outputs.<key> (column 18)")
        #expect(parseFailure("run.nope").hasPrefix("'run.nope' is not a valid reference: the run and task values are run.id"))
        #expect(parseFailure("params.a.b").hasPrefix("'params.a.b' is not a valid reference"))
        #expect(parseFailure("params.").hasPrefix("'params.' is not a valid reference"))
        #expect(parseFailure("tasks.a.outputs.k-1").hasPrefix("'tasks.a.outputs.k-1' is not a valid reference"))
        #expect(parseFailure("region == 'eu'").hasPrefix("'region' is not a valid reference"))
        #expect(parseFailure("True").hasPrefix("'True' is not a valid reference"))
    }

    @Test func rejectsUnterminatedStrings() {
        #expect(parseFailure("params.a == 'eu") == "the string starting at column 13 is never closed with '")
        #expect(parseFailure(#"params.a == "eu\""#).hasPrefix("the string starting at column 13 is never closed"))
    }

    @Test func rejectsChainedComparisons() {
        #expect(parseFailure("1 < 2 < 3").hasPrefix("comparisons cannot be chained: '<' at column 7 follows '<'"))
        #expect(parseFailure("params.a == params.b != params.c").hasPrefix("comparisons cannot be chained"))
        #expect(parseFailure("(1 < 2) == true") == "parsed")
    }

    @Test func rejectsStrayOperatorsAndCharacters() {
        #expect(parseFailure("params.a = 'eu'") == "'=' at column 10 must be '==' to compare")
        #expect(parseFailure("true & false") == "'&' at column 6 must be '&&'")
        #expect(parseFailure("true | false") == "'|' at column 6 must be '||'")
        #expect(parseFailure("true &&") == "the expression ends where a value was expected (column 8)")
        #expect(parseFailure("&& true") == "expected a value at column 1, found '&&'")
        #expect(parseFailure("1 == !true") == "expected a value at column 6, found '!'")
        #expect(parseFailure("params.a == $x") == "unexpected character '$' at column 13")
        #expect(parseFailure("1.5.2 == 1").hasPrefix("'1.5.2' at column 1 is not a number"))
        #expect(parseFailure("3abc == 1").hasPrefix("'3abc' at column 1 is not a number"))
        #expect(parseFailure("- 3 == 1").hasPrefix("'-' at column 1 is not a number"))
        #expect(parseFailure("1. == 1").hasPrefix("'1.' at column 1 is not a number"))
    }

    @Test func limitsNestingDepth() {
        let nested = String(repeating: "(", count: 64) + "true" + String(repeating: ")", count: 64)
        #expect(parseFailure(nested) == "parsed")
        let tooDeep = String(repeating: "(", count: 65) + "true" + String(repeating: ")", count: 65)
        #expect(parseFailure(tooDeep) == "the expression nests deeper than 64 levels of '(' and '!' (at column 65)")
        #expect(parseFailure(String(repeating: "!", count: 65) + "true").hasPrefix("the expression nests deeper than 64"))
    }

    @Test func limitsLength() throws {
        let longest = "true" + String(repeating: " || true", count: 511) + "    "
        #expect(longest.utf8.count == 4096)
        #expect(try Expression.parse(longest).evaluate { _ in nil })
        #expect(parseFailure(longest + " ") == "the expression is 4097 bytes long; the limit is 4096")
    }
}
