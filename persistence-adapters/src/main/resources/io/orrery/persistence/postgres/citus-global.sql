-- Citus distribution of the Global store (see persistence-adapters/CITUS.md).
-- Applied by PostgresGlobalStore and by PostgresPersistenceAdapter with two schemas, once, on a connection whose
-- current schema (first of the search path) or second schema holds the Global store's tables, only when the citus
-- extension is installed (pg_extension) and the tables are not distributed yet (pg_dist_partition).
-- One statement per line group, each ending with a semicolon at the end of a line; "--" lines are comments.

-- Items, by item id: an item is in one place (entity_location's key), stowed_items references it with a foreign
-- key that includes the distribution column on both sides, so the two tables are co-located.
SELECT create_distributed_table('entity_location', 'entity_id');
SELECT create_distributed_table('stowed_items', 'item_id', colocate_with := 'entity_location');

-- Everything keyed by player: wallets, standings, the operation records and withdrawn copies. A wallet or reputation
-- change touches only its player's rows: one shard.
SELECT create_distributed_table('wallets', 'player_id');
SELECT create_distributed_table('reputation', 'player_id', colocate_with := 'wallets');
SELECT create_distributed_table('store_operations', 'player_id', colocate_with := 'wallets');
SELECT create_distributed_table('withdrawn_items', 'player_id', colocate_with := 'wallets');
