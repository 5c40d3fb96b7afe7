import Testing
@testable import Scheduling

@Suite struct SchedulingModuleTests {
    @Test func moduleLoads() { #expect(String(describing: Scheduling.self) == "Scheduling") }
}
