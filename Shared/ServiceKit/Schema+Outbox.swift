extension Schema {
    /// One outbox row per flush instead of one per message: a transaction's messages are stored
    /// as three parallel arrays (topic, key, payload) with their count, in publish order. A
    /// consumer batch publishes hundreds of messages; as rows, each cost an insert, a delete and
    /// two index entries — most of the rows Postgres wrote per task. The payload array is
    /// compressed with lz4 (cheap, and JSON shrinks well) when it is moved out of line.
    /// Rows written before this migration become one-message batches, so nothing is lost.
    static let outboxBatches = """
        ALTER TABLE outbox ADD COLUMN messages int, ADD COLUMN topics text[], ADD COLUMN keys text[],
            ADD COLUMN payloads text[];
        UPDATE outbox SET messages = 1, topics = ARRAY[topic], keys = ARRAY[key], payloads = ARRAY[payload];
        ALTER TABLE outbox DROP COLUMN topic, DROP COLUMN key, DROP COLUMN payload,
            ALTER COLUMN messages SET NOT NULL, ALTER COLUMN topics SET NOT NULL,
            ALTER COLUMN keys SET NOT NULL, ALTER COLUMN payloads SET NOT NULL,
            ALTER COLUMN payloads SET COMPRESSION lz4;
        ALTER TABLE outbox ADD CONSTRAINT outbox_batch_shape CHECK (messages > 0
            AND cardinality(topics) = messages AND cardinality(keys) = messages AND cardinality(payloads) = messages);
        """
}
