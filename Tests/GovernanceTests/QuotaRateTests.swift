import Contracts
import Governance
import Testing

/// `Quota.rate` and `burst`: a token bucket per scope, refilled over simulated time by feeding each
/// pass the buckets the previous one returned.
@Suite struct QuotaRateTests {
    static let tenant = QuotaScope(tenant: "a")

    static func cluster(_ quota: Quota, scope: QuotaScope = tenant, count: Int = 100) -> Cluster {
        Cluster(tasks("a", count), agents: [agent("x", slots: 1_000)], settings: settings { $0.quotas[scope] = quota })
    }

    @Test func burstGoesAtOnceThenTheRateRefills() throws {
        var cluster = Self.cluster(Quota(rate: 2, burst: 5))
        let first = cluster.pass()
        #expect(first.dispatches.count == 5, "a new bucket starts full")
        let waiting = try #require(cluster.queues["a"]?.first)
        #expect(first.reason(waiting) == .quotaRate(Self.tenant, 2))
        #expect(first.outlook["a"]?.reason == "quota: a is at its dispatch rate (2/s)")
        #expect(first.outlook["a"]?.nextDispatchAt == noon + 0.5)
        #expect(first.buckets[BucketScope.quota(Self.tenant)] == TokenBucket(tokens: 0, at: noon))

        cluster.now += 1
        #expect(cluster.pass().dispatches.count == 2)
        cluster.now += 0.25
        let early = cluster.pass()
        #expect(early.dispatches.isEmpty)
        #expect(early.outlook["a"]?.nextDispatchAt == cluster.now + 0.25)
        cluster.now += 0.25
        #expect(cluster.pass().dispatches.count == 1)
        // A long quiet spell refills only up to the burst.
        cluster.now += 3_600
        #expect(cluster.pass().dispatches.count == 5)
    }

    @Test func sustainedDispatchesFollowTheRate() {
        var cluster = Self.cluster(Quota(rate: 4, burst: 4), count: 500)
        var total = 0
        for _ in 0..<40 {   // 10 simulated seconds, a pass every 0.25 s
            total += cluster.pass().dispatches.count
            cluster.now += 0.25
        }
        #expect(total == 4 + 39, "the burst, then one per quarter second")
    }

    @Test(arguments: [(2.5, 3), (0.5, 1), (1.0, 1), (10.0, 10)])
    func burstDefaultsToOneSecondOfTheRate(rate: Double, burst: Int) {
        var cluster = Self.cluster(Quota(rate: rate))
        #expect(cluster.pass().dispatches.count == burst)
    }

    @Test func slowRateDispatchesOneEveryFewSeconds() {
        var cluster = Self.cluster(Quota(rate: 0.5))
        var counts: [Int] = []
        for _ in 0..<6 {
            counts.append(cluster.pass().dispatches.count)
            cluster.now += 1
        }
        #expect(counts == [1, 0, 1, 0, 1, 0])
    }

    @Test func poolRateHoldsOnlyThatPool() {
        let scope = QuotaScope(tenant: "a", pool: "p")
        let queued = tasks("a", 3, prefix: "p") + tasks("a", 3, prefix: "q", pool: "q")
        let plan = plan(queued, agents: [agent("x", pools: ["p", "q"])], settings: settings { $0.quotas[scope] = Quota(rate: 1, burst: 2) })
        #expect(plan.order == ["p0", "p1", "q0", "q1", "q2"])
        #expect(plan.reason(queued[2]) == .quotaRate(scope, 1))
        #expect(WaitReason.quotaRate(scope, 1).description == "quota: a in pool p is at its dispatch rate (1/s)")
        #expect(plan.buckets[BucketScope.quota(scope)]?.tokens == 0)
        #expect(plan.buckets[BucketScope.quota(QuotaScope(tenant: "a", pool: "q"))] == nil, "no limit, no bucket")
    }

    @Test func storedBucketIsRefilledFromItsOwnInstant() {
        let name = BucketScope.quota(Self.tenant)
        let plan = plan(tasks("a", 10), buckets: [name: TokenBucket(tokens: 0.5, at: noon - 1)],
                        settings: settings { $0.quotas[Self.tenant] = Quota(rate: 1.5, burst: 10) })
        #expect(plan.dispatches.count == 2)
        #expect(plan.buckets[name] == TokenBucket(tokens: 0, at: noon))
    }

    @Test func bucketOfARemovedLimitIsLeftAlone() {
        let name = BucketScope.quota(Self.tenant)
        let stale = TokenBucket(tokens: 0, at: noon - 100)
        let plan = plan(tasks("a", 3), buckets: [name: stale])
        #expect(plan.dispatches.count == 3)
        #expect(plan.buckets[name] == stale)
    }

    @Test func rateAndRunningQuotaTogether() {
        var cluster = Self.cluster(Quota(maxRunning: 3, rate: 10, burst: 10))
        let first = cluster.pass()
        #expect(first.dispatches.count == 3)
        #expect(first.buckets[BucketScope.quota(Self.tenant)]?.tokens == 7, "a running hold takes no token")
    }

    @Test func bucketNamesAreStable() {
        #expect(BucketScope.global == "global")
        #expect(BucketScope.pool("gpu") == "pool:gpu")
        #expect(BucketScope.quota(QuotaScope(tenant: "acme")) == "tenant:acme")
        #expect(BucketScope.quota(QuotaScope(tenant: "acme", pool: "gpu")) == "tenant:acme/pool:gpu")
    }
}

@Suite struct TokenBucketTests {
    @Test func newBucketStartsFull() {
        #expect(TokenBucket.refilled(nil, rate: 3, capacity: 7, now: 42) == TokenBucket(tokens: 7, at: 42))
    }

    @Test func refillsAtTheRateUpToCapacity() {
        let empty = TokenBucket(tokens: 0, at: 100)
        #expect(TokenBucket.refilled(empty, rate: 2, capacity: 10, now: 101.5) == TokenBucket(tokens: 3, at: 101.5))
        #expect(TokenBucket.refilled(empty, rate: 2, capacity: 10, now: 1_000) == TokenBucket(tokens: 10, at: 1_000))
    }

    @Test func clockGoingBackwardsAddsNothing() {
        let bucket = TokenBucket(tokens: 0.5, at: 100)
        #expect(TokenBucket.refilled(bucket, rate: 2, capacity: 10, now: 90) == TokenBucket(tokens: 0.5, at: 90))
    }

    @Test func lowerCapacityClampsStoredTokens() {
        let bucket = TokenBucket(tokens: 50, at: 100)
        #expect(TokenBucket.refilled(bucket, rate: 1, capacity: 5, now: 100).tokens == 5)
    }

    @Test func waitForTheNextToken() {
        var bucket = TokenBucket(tokens: 1.25, at: 0)
        #expect(bucket.hasToken)
        #expect(bucket.secondsUntilToken(rate: 2) == 0)
        bucket.take()
        #expect(!bucket.hasToken)
        #expect(bucket.secondsUntilToken(rate: 2) == 0.375)
    }

    @Test(arguments: [(0.1, nil, 1.0), (1, nil, 1), (1.01, nil, 2), (100, nil, 100), (100, 7, 7)] as [(Double, Int?, Double)])
    func capacityIsTheBurstOrOneSecondOfTheRate(rate: Double, burst: Int?, capacity: Double) {
        #expect(TokenBucket.capacity(rate: rate, burst: burst) == capacity)
    }
}
