import Runtime
import Testing

/// `Environment.properties`: the `key=value;key=value` form of `WL_KAFKA_PROPERTIES`.
@Suite struct EnvironmentPropertiesTests {
    @Test func unsetIsEmpty() throws {
        #expect(try Environment([:]).properties("WL_KAFKA_PROPERTIES").isEmpty)
    }

    @Test func pairsAreSplitOnSemicolonsAndTrimmed() throws {
        let environment = Environment(["P": " security.protocol=SSL ; linger.ms = 2;;bootstrap.servers=a:1,b:2 "])
        #expect(try environment.properties("P") == ["security.protocol": "SSL", "linger.ms": "2", "bootstrap.servers": "a:1,b:2"])
    }

    @Test func aValueMayContainEqualsSigns() throws {
        #expect(try Environment(["P": "sasl.oauthbearer.config=principal=me"]).properties("P") == ["sasl.oauthbearer.config": "principal=me"])
    }

    @Test func aPairWithoutAKeyOrEqualsIsAnError() {
        #expect(throws: ConfigError.self) { try Environment(["P": "linger.ms"]).properties("P") }
        #expect(throws: ConfigError.self) { try Environment(["P": "=5"]).properties("P") }
    }
}
