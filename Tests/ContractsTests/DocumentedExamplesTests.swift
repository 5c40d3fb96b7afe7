import Contracts
import Foundation
import Testing

/// The workflow examples in examples/, the README and docs/workflows.md are valid definitions, so what the
/// documentation shows works when applied.
struct DocumentedExamplesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every ```json block of the file that is a workflow definition (has "tasks").
    static func definitions(in file: String) throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
        return text.components(separatedBy: "```json\n").dropFirst().compactMap { block in
            block.components(separatedBy: "```").first
        }.filter { $0.contains("\"tasks\"") }
    }

    @Test(arguments: ["examples/nightly-report.json", "examples/fan-out.json"]) func exampleFilesParse(file: String) throws {
        let bytes = try Data(contentsOf: Self.root.appendingPathComponent(file))
        #expect(throws: Never.self) { try WorkflowDefinition.parse(Array(bytes)) }
    }

    @Test(arguments: ["README.md", "docs/workflows.md"]) func examplesParse(file: String) throws {
        let examples = try Self.definitions(in: file)
        #expect(!examples.isEmpty)
        for example in examples {
            #expect(throws: Never.self, "\(example)") { try WorkflowDefinition.parse(Array(example.utf8)) }
        }
    }
}
