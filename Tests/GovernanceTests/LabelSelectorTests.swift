import Contracts
import Foundation
import Testing

/// Kubernetes-style label selectors: what parses to what, what matches, what is rejected and why.
@Suite struct LabelSelectorTests {
    typealias Requirement = LabelSelector.Requirement

    static let nameRule = "is not a label key or value (1-63 of A-Z a-z 0-9 . _ / : -)"

    @Test(arguments: [
        ("", []),
        ("   ", []),
        ("os=linux", [.equals("os", "linux")]),
        ("os==linux", [.equals("os", "linux")]),
        ("  os = linux  ", [.equals("os", "linux")]),
        ("region!=us-east", [.notEquals("region", "us-east")]),
        ("region != us-east", [.notEquals("region", "us-east")]),
        ("region in (eu-west, eu-central)", [.in("region", ["eu-west", "eu-central"])]),
        ("region in (eu-west)", [.in("region", ["eu-west"])]),
        ("region in ( a ,b )", [.in("region", ["a", "b"])]),
        ("tier notin (spot)", [.notIn("tier", ["spot"])]),
        ("region  in   (a, b)", [.in("region", ["a", "b"])]),
        ("gpu", [.exists("gpu")]),
        ("!spot", [.absent("spot")]),
        ("! spot", [.absent("spot")]),
        ("os=linux,gpu,!spot", [.equals("os", "linux"), .exists("gpu"), .absent("spot")]),
        ("zone in (a,b),os=linux", [.in("zone", ["a", "b"]), .equals("os", "linux")]),
        ("kubernetes.io/arch=amd64", [.equals("kubernetes.io/arch", "amd64")]),
        ("team:core=a_b-c.D9", [.equals("team:core", "a_b-c.D9")]),
    ] as [(String, [Requirement])])
    func parsesRequirements(text: String, requirements: [Requirement]) throws {
        let selector = try LabelSelector(parsing: text)
        #expect(selector.requirements == requirements)
        #expect(selector.description == text.trimmingCharacters(in: .whitespaces))
    }

    @Test func emptyTextIsTheSelectorMatchingEverything() throws {
        #expect(try LabelSelector(parsing: "") == .any)
        #expect(try LabelSelector(parsing: "  ").requirements.isEmpty)
        #expect(LabelSelector.any.matches([:]))
        #expect(LabelSelector.any.description == "")
    }

    @Test func namesUpToSixtyThreeCharacters() throws {
        let longest = String(repeating: "k", count: 63)
        #expect(try LabelSelector(parsing: "\(longest)=\(longest)").requirements == [.equals(longest, longest)])
        #expect(throws: LabelSelector.ParseError.self) { try LabelSelector(parsing: "\(longest)k=v") }
        #expect(throws: LabelSelector.ParseError.self) { try LabelSelector(parsing: "k=\(longest)v") }
    }

    @Test(arguments: [
        ("os=", "'' in 'os=' \(nameRule)"),
        ("=linux", "'' in '=linux' \(nameRule)"),
        ("a=b=c", "'b=c' in 'a=b=c' \(nameRule)"),
        ("os=lin ux", "'lin ux' in 'os=lin ux' \(nameRule)"),
        ("os=linux;reboot", "'linux;reboot' in 'os=linux;reboot' \(nameRule)"),
        ("ös=linux", "'ös' in 'ös=linux' \(nameRule)"),
        ("!", "'' in '!' \(nameRule)"),
        ("!=x", "'' in '!=x' \(nameRule)"),
        ("!a=b", "'a=b' in '!a=b' \(nameRule)"),
        ("(a)", "'(a)' in '(a)' \(nameRule)"),
        ("os=linux,", "empty requirement in selector"),
        (",os=linux", "empty requirement in selector"),
        ("a,,b", "empty requirement in selector"),
        ("region in (a", "unclosed '(' in selector 'region in (a'"),
        ("region in a)", "unbalanced ')' in selector 'region in a)'"),
        ("region in a", "the values of 'region in a' must be in parentheses: region in (a, b)"),
        ("region in (a) b", "the values of 'region in (a) b' must be in parentheses: region in (a, b)"),
        ("region in ()", "'' in 'region in ()' \(nameRule)"),
        ("region in (a,)", "'' in 'region in (a,)' \(nameRule)"),
        ("region in (a b)", "'a b' in 'region in (a b)' \(nameRule)"),
        ("region within (a)", "cannot read requirement 'region within (a)': expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key"),
        ("region in", "cannot read requirement 'region in': expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key"),
        ("region IN (a)", "cannot read requirement 'region IN (a)': expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key"),
    ])
    func rejectsWithAReason(text: String, message: String) {
        let error = #expect(throws: LabelSelector.ParseError.self) { try LabelSelector(parsing: text) }
        #expect(error?.description == message)
    }

    @Test(arguments: [
        ("", [:], true),
        ("", ["os": "linux"], true),
        ("os=linux", ["os": "linux"], true),
        ("os=linux", ["os": "windows"], false),
        ("os=linux", [:], false),
        ("os=linux", ["OS": "linux"], false),
        ("os!=linux", [:], true),
        ("os!=linux", ["os": "linux"], false),
        ("os!=linux", ["os": "windows"], true),
        ("zone in (a, b)", ["zone": "a"], true),
        ("zone in (a, b)", ["zone": "c"], false),
        ("zone in (a, b)", [:], false),
        ("zone notin (a, b)", ["zone": "c"], true),
        ("zone notin (a, b)", ["zone": "b"], false),
        ("zone notin (a, b)", [:], true),
        ("gpu", ["gpu": ""], true),
        ("gpu", ["gpus": "1"], false),
        ("!gpu", [:], true),
        ("!gpu", ["gpu": "no"], false),
        ("os=linux,gpu", ["os": "linux"], false),
        ("os=linux,gpu", ["os": "linux", "gpu": "a100"], true),
        ("os=linux, zone in (a), !spot", ["os": "linux", "zone": "a", "spot": "1"], false),
        ("os=linux, zone in (a), !spot", ["os": "linux", "zone": "a", "extra": "x"], true),
    ] as [(String, [String: String], Bool)])
    func matchesLabels(text: String, labels: [String: String], expected: Bool) throws {
        #expect(try LabelSelector(parsing: text).matches(labels) == expected)
    }
}
