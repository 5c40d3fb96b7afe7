import Contracts
import Foundation
import Governance
import Testing

/// The platform ceiling's two automatic adjustments: a geometric ramp-up after a (re)start and a
/// slow-down while agents are loaded or nearly full.
@Suite struct RampAndSlowDownTests {
    /// The platform rate a pass ran under, read from the wait reason of the task it held back
    /// (`burst: 1` lets exactly one task through first).
    static func platformRate(_ throttle: Throttle, agents: [AgentState] = [agent("x")], running: RunningCounts = RunningCounts(),
                             now: Double = noon, rampStartedAt: Double? = nil) throws -> (rate: Double, why: String?, adjustment: String?) {
        let plan = plan(tasks("a", 2), agents: agents, running: running, settings: settings { $0.global = throttle },
                        now: now, rampStartedAt: rampStartedAt)
        try #require(plan.dispatches.count == 1)
        guard case .globalRate(let rate, let why) = plan.reason(task("a", "a1")) else {
            Issue.record("a1 waits for \(String(describing: plan.reason(task("a", "a1"))))")
            return (0, nil, nil)
        }
        return (rate, why, plan.globalAdjustment)
    }

    static func close(_ lhs: Double, _ rhs: Double) -> Bool { abs(lhs - rhs) <= 1e-9 * max(abs(lhs), abs(rhs), 1) }

    // MARK: - Ramp-up

    static let ramp = Throttle(rate: 1_000, burst: 1, rampUpSeconds: 20, rampStartRate: 10)

    @Test(arguments: [(0, 10), (5, 31.622_776_601_683_79), (10, 100), (15, 316.227_766_016_837_9), (19.5, 891.250_938_133_745_6)] as [(Double, Double)])
    func rampGrowsGeometricallyFromTheStartRate(seconds: Double, rate: Double) throws {
        let seen = try Self.platformRate(Self.ramp, now: noon + seconds, rampStartedAt: noon)
        #expect(Self.close(seen.rate, rate), "\(seen.rate) after \(seconds) s")
        #expect(seen.why == "ramp-up after a restart")
        #expect(seen.adjustment == "ramp-up after a restart")
    }

    @Test func rampEndsAfterRampUpSeconds() throws {
        let seen = try Self.platformRate(Self.ramp, now: noon + 20, rampStartedAt: noon)
        #expect(seen.rate == 1_000 && seen.why == nil && seen.adjustment == nil)
    }

    @Test func noRampWithoutARestartOrWithZeroSeconds() throws {
        #expect(try Self.platformRate(Self.ramp).rate == 1_000)
        var off = Self.ramp
        off.rampUpSeconds = 0
        let seen = try Self.platformRate(off, rampStartedAt: noon)
        #expect(seen.rate == 1_000 && seen.adjustment == nil)
    }

    @Test func defaultRampGoesFromFiftyToTheUnlimitedTarget() throws {
        let unlimited = Throttle(burst: 1)
        #expect(try Self.platformRate(unlimited, rampStartedAt: noon).rate == Throttle.defaultRampStartRate)
        let halfway = try Self.platformRate(unlimited, now: noon + Throttle.defaultRampUpSeconds / 2, rampStartedAt: noon)
        #expect(Self.close(halfway.rate, (50 * 10_000 as Double).squareRoot()))
        let plan = plan(tasks("a", 5), settings: settings { $0.global = unlimited }, now: noon + Throttle.defaultRampUpSeconds, rampStartedAt: noon)
        #expect(plan.dispatches.count == 5, "after the ramp an unset rate is no limit")
    }

    @Test func startRateAboveTheTargetDoesNotLowerIt() throws {
        var fast = Self.ramp
        fast.rampStartRate = 5_000
        let seen = try Self.platformRate(fast, now: noon + 1, rampStartedAt: noon)
        #expect(seen.rate == 1_000 && seen.adjustment == nil)
    }

    @Test func rampStartsFromTheLowerPeakCeiling() throws {
        let peak = PeakWindow(days: PeakWindow.dayNames, from: "00:00", to: "00:00", timezone: "UTC", rate: 5)
        var throttle = Self.ramp
        throttle.peakWindows = [peak]
        let seen = try Self.platformRate(throttle, now: noon + 10, rampStartedAt: noon)
        #expect(seen.rate == 5 && seen.why == "peak window", "the peak ceiling is below any point of the ramp")
    }

    /// Passes a second apart after a restart: each dispatches about as many as the ramp's rate
    /// then, growing tenfold every ten seconds, until the full rate.
    @Test func dispatchesPerSecondFollowTheRamp() {
        var cluster = Cluster(tasks("a", 20_000), agents: [agent("x", slots: 1_000_000)],
                              settings: settings { $0.global = Throttle(rate: 1_000, rampUpSeconds: 20, rampStartRate: 10) })
        cluster.rampStartedAt = noon
        cluster.headSize = 1_100
        var counts: [Int] = []
        for _ in 0...22 {
            counts.append(cluster.pass().dispatches.count)
            cluster.now += 1
        }
        #expect(counts[0] == 10)
        for second in 1..<20 {
            let rate = 10 * pow(100, Double(second) / 20)
            #expect(abs(Double(counts[second]) - rate) <= 1.5, "second \(second): \(counts[second]) dispatched at \(rate)/s")
        }
        #expect(counts[10] >= 99 && counts[10] <= 101)
        #expect(counts[21] == 1_000 && counts[22] == 1_000)
        #expect(zip(counts, counts.dropFirst()).allSatisfy { $0 <= $1 })
    }

    // MARK: - Slow-down

    @Test func highMeanLoadSlowsDispatching() throws {
        let seen = try Self.platformRate(Throttle(burst: 1), agents: [agent("x", load: 0.8), agent("y", load: 1.0)])
        #expect(seen.rate == Throttle.defaultSlowDownRate)
        #expect(seen.why == "slowed down: agents' mean load 0.90 ≥ 0.90")
        #expect(WaitReason.globalRate(100, why: seen.why).description
            == "throttle: platform dispatch ceiling (100/s), slowed down: agents' mean load 0.90 ≥ 0.90")
    }

    @Test func loadBelowTheThresholdDoesNotSlow() {
        let plan = plan(tasks("a", 5), agents: [agent("x", load: 0.89), agent("y", load: 0.89)], settings: settings { $0.global = Throttle(burst: 1) })
        #expect(plan.dispatches.count == 5)
        #expect(plan.globalAdjustment == nil)
    }

    @Test func drainingAgentsAndAgentsWithoutLoadDoNotCount() {
        let agents = [agent("x", load: 0.1), agent("y"), agent("z", load: 50, draining: true)]
        let plan = plan(tasks("a", 5), agents: agents, settings: settings { $0.global = Throttle(burst: 1) })
        #expect(plan.globalAdjustment == nil)
        let loaded = [agent("x", load: 0.95), agent("y")]
        #expect(GovernanceTests.plan(tasks("a", 5), agents: loaded, settings: settings { $0.global = Throttle(burst: 1) }).globalAdjustment
            == "slowed down: agents' mean load 0.95 ≥ 0.90")
    }

    /// 1.2 + 1.4 + 0.1 is 2.7 or 2.6999999999999997 depending on the order of the additions: the
    /// agents' order (however the dispatcher happened to load them) must not decide the slow-down.
    @Test func meanLoadAtTheThresholdDoesNotDependOnTheAgentsOrder() {
        let loads = [1.2, 1.4, 0.1]
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
        let adjustments = orders.map { order in
            plan(tasks("a", 1), agents: order.map { agent("x\($0)", load: loads[$0]) }).globalAdjustment
        }
        #expect(Set(adjustments).count == 1, "\(adjustments)")
        #expect(adjustments.first == "slowed down: agents' mean load 0.90 ≥ 0.90")
    }

    @Test func configuredThresholdAndRate() throws {
        let throttle = Throttle(burst: 1, slowDownLoad: 2, slowDownRate: 5)
        let seen = try Self.platformRate(throttle, agents: [agent("x", load: 2.5), agent("y", load: 1.5)])
        #expect(seen.rate == 5 && seen.why == "slowed down: agents' mean load 2.00 ≥ 2.00")
        let calm = plan(tasks("a", 3), agents: [agent("x", load: 1.9)], settings: settings { $0.global = throttle })
        #expect(calm.dispatches.count == 3)
    }

    @Test func nearlyFullSlotsSlowDispatching() throws {
        let agents = [agent("x", slots: 5, running: 5), agent("y", slots: 5, running: 4)]
        let seen = try Self.platformRate(Throttle(burst: 1), agents: agents + [agent("z", slots: 10, draining: true)])
        #expect(seen.rate == 100 && seen.why == "slowed down: 9 of 10 agent slots in use")
        let roomy = [agent("x", slots: 5, running: 4), agent("y", slots: 5, running: 4)]
        let plan = plan(tasks("a", 1), agents: roomy, settings: settings { $0.global = Throttle(burst: 1) })
        #expect(plan.globalAdjustment == nil, "8 of 10 is below 90%")
    }

    /// Draining agents' slots are not capacity, and neither are the tasks still running on them.
    @Test func tasksOnDrainingAgentsDoNotCountTowardsFullSlots() {
        let agents = [agent("x", slots: 10), agent("old", slots: 10, running: 10, draining: true)]
        let plan = plan(tasks("a", 3), agents: agents, running: running([("b", "p", nil, 10)]), settings: settings { $0.global = Throttle(burst: 1) })
        #expect(plan.globalAdjustment == nil)
        let nearlyFull = [agent("x", slots: 10, running: 9), agent("old", slots: 10, running: 10, draining: true)]
        #expect(GovernanceTests.plan(tasks("a", 1), agents: nearlyFull, settings: settings { $0.global = Throttle(burst: 1) }).globalAdjustment
            == "slowed down: 9 of 10 agent slots in use")
    }

    @Test func slowDownNeverRaisesALowerCeiling() throws {
        let seen = try Self.platformRate(Throttle(rate: 10, burst: 1), agents: [agent("x", load: 5)])
        #expect(seen.rate == 10 && seen.why == nil && seen.adjustment == nil)
    }

    @Test func lowestAdjustmentNamesTheReason() throws {
        let loaded = [agent("x", load: 5)]
        let early = try Self.platformRate(Self.ramp, agents: loaded, now: noon, rampStartedAt: noon)
        #expect(early.rate == 10 && early.why == "ramp-up after a restart")
        let later = try Self.platformRate(Self.ramp, agents: loaded, now: noon + 15, rampStartedAt: noon)
        #expect(later.rate == 100 && later.why == "slowed down: agents' mean load 5.00 ≥ 0.90")
    }
}
