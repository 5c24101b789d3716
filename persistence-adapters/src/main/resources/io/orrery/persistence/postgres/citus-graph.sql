-- Citus placement of a shard's EntityGraph (see persistence-adapters/CITUS.md): the shard's schema becomes a
-- distributed schema (Citus 12 schema-based sharding), so that all its tables live together on one worker and every
-- graph statement (recursive subtree and region queries, the batched upsert) is routed whole to that worker.
-- Applied by PostgresPersistenceAdapter with two schemas when the citus extension is installed and the schema is
-- not distributed yet (pg_dist_schema).
SELECT citus_schema_distribute(current_schema()::text::regnamespace);
