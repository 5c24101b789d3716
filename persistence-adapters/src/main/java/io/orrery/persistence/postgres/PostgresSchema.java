/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.OperationType;

/**
 * The PostgreSQL schema and statements of {@link PostgresPersistenceAdapter}. Tables are created unqualified, in the
 * connection's current schema ({@code currentSchema} in the JDBC URL selects it).
 * <p>
 * <b>An item is in exactly one place, by constraint.</b> {@code entity_location} holds one row per entity with its
 * place (1 = EntityGraph node, 2 = stowed item); {@code nodes} and {@code stowed_items} each carry a constant place
 * column and a foreign key on {@code (entity_id, place)} into it. Since {@code entity_location}'s key is the entity
 * id, an entity can be a node or an item, never both; stow and unstow move the location row and the data row in one
 * transaction (the keys are deferred to commit so the order of the statements inside does not matter).
 * <b>No negative wallet, by constraint:</b> {@code CHECK (balance >= 0)}; the wallet function refuses an overdraft
 * with {@code INSUFFICIENT_FUNDS} before the constraint would, and the constraint stays the last word. The IN_ZONE
 * edges are {@code nodes.parent_zone_id}; {@code edges} holds the explicit kinds only.
 * <p>
 * <b>One round trip per Global store operation.</b> Stow, unstow, wallet and reputation changes are PL/pgSQL
 * functions created with the tables ({@code orrery_stow}, {@code orrery_unstow}, {@code orrery_change_wallet},
 * {@code orrery_change_reputation}); each checks the operation's key, applies or refuses, and records the outcome in
 * {@code store_operations}. The adapter calls one as a single statement in autocommit, so the call is one
 * transaction and returns only after its commit is flushed ({@code synchronous_commit = on}).
 * <p>
 * <b>Operations are keyed by (player, operation id)</b>: {@code store_operations}' primary key is
 * {@code (player_id, operation_id)}, so one player's ids never name another's, and the table can be distributed by
 * player. With the outcome each row records what the operation was (kind, subject, delta): a call under a recorded
 * key that is not the same operation returns {@code OPERATION_CONFLICT} and records nothing. The first schema kept a
 * table {@code operations} keyed by a global id; it is not migrated: the adapter refuses a schema that has it
 * ({@link #LEGACY_OPERATIONS_TABLE}) rather than forget which operations were applied.
 * <p>
 * <b>Position updates are HOT.</b> The frequent write is a node moving within its zone, so no index covers a column
 * it changes: {@code nodes} is indexed by {@code parent_zone_id} only (children lookups; a region is the zone's
 * children filtered by position), so PostgreSQL can update the row in place (a heap-only tuple) without touching any
 * index, provided the new version fits on the same page. Write-behind batches update every moving entity at once,
 * and entities created together share pages, so one transaction often rewrites every row of a page; pruning cannot
 * free a version its own transaction made, so the page needs room for a second copy of each row: hence
 * {@code fillfactor = 50} (with 80, fewer than half of such updates were HOT, the rest inserted into both indexes).
 * <p>
 * Threading: constants only.
 */
final class PostgresSchema
{
    static final int PLACE_GRAPH = 1;
    static final int PLACE_STOWED = 2;

    /**
     * Serialises schema creation between adapters connecting to the same schema at once (concurrent
     * {@code CREATE ... IF NOT EXISTS} and {@code CREATE OR REPLACE FUNCTION} can fail on catalog races).
     */
    static final String LOCK_SCHEMA_CREATION = "SELECT pg_advisory_xact_lock(1869771122, hashtext(current_schema()))";

    /**
     * Non-null when the schema has the first schema's {@code operations} table (keyed by a global operation id), which
     * this version does not migrate.
     */
    static final String LEGACY_OPERATIONS_TABLE = "SELECT to_regclass('operations')";

    /** Serialises the creation of a Global store schema between the shards (and stores) that share it. */
    static final String LOCK_GLOBAL_SCHEMA_CREATION = "SELECT pg_advisory_xact_lock(1869771122, hashtext(?))";

    /** Columns of a stored item after its id, owner and container. */
    private static final String ITEM_COLUMN_TYPES =
        "archetype_id integer NOT NULL, " +
        "parent_zone_id bigint NOT NULL, " +
        "node_owner_player_id bigint NOT NULL, " +
        "is_zone boolean NOT NULL, " +
        "x bigint NOT NULL, y bigint NOT NULL, z bigint NOT NULL, " +
        "qx real NOT NULL, qy real NOT NULL, qz real NOT NULL, qw real NOT NULL, " +
        "radius real NOT NULL, " +
        "component_state bytea NOT NULL CHECK (length(component_state) <= 1024), ";

    /**
     * The Global store's tables, created in the schema named by {@code qualifier} ({@code ""} for the connection's
     * current schema, else {@code "\"name\"."}): item locations, stowed items, wallets, reputation, the operation
     * records, and the copies of withdrawn items ({@code withdrawn_items}: what a shard that keeps its graph
     * elsewhere took out, kept with the withdrawal's key so that a replay after a crash gets the item back).
     */
    static String[] createGlobalTables(final String qualifier)
    {
        return new String[]{
            "CREATE TABLE IF NOT EXISTS " + qualifier + "entity_location (" +
                "entity_id bigint PRIMARY KEY, " +
                "place smallint NOT NULL CHECK (place IN (1, 2)), " +
                "UNIQUE (entity_id, place))",

            "CREATE TABLE IF NOT EXISTS " + qualifier + "stowed_items (" +
                "item_id bigint PRIMARY KEY, " +
                "place smallint NOT NULL DEFAULT 2 CHECK (place = 2), " +
                "owner_player_id bigint NOT NULL, " +
                "container_id bigint NOT NULL, " +
                ITEM_COLUMN_TYPES +
                "FOREIGN KEY (item_id, place) REFERENCES " + qualifier + "entity_location (entity_id, place) " +
                "DEFERRABLE INITIALLY DEFERRED)",

            "CREATE INDEX IF NOT EXISTS stowed_items_by_owner ON " + qualifier + "stowed_items (owner_player_id)",

            "CREATE TABLE IF NOT EXISTS " + qualifier + "wallets (" +
                "player_id bigint PRIMARY KEY, " +
                "balance bigint NOT NULL CHECK (balance >= 0))",

            "CREATE TABLE IF NOT EXISTS " + qualifier + "reputation (" +
                "player_id bigint NOT NULL, " +
                "faction_id integer NOT NULL, " +
                "standing bigint NOT NULL, " +
                "PRIMARY KEY (player_id, faction_id))",

            "CREATE TABLE IF NOT EXISTS " + qualifier + "store_operations (" +
                "player_id bigint NOT NULL, " +
                "operation_id bigint NOT NULL, " +
                "kind smallint NOT NULL, " +
                "subject_id bigint NOT NULL, " +
                "delta bigint NOT NULL, " +
                "status smallint NOT NULL, " +
                "value bigint NOT NULL, " +
                "PRIMARY KEY (player_id, operation_id))",

            "CREATE TABLE IF NOT EXISTS " + qualifier + "withdrawn_items (" +
                "player_id bigint NOT NULL, " +
                "operation_id bigint NOT NULL, " +
                "item_id bigint NOT NULL, " +
                "owner_player_id bigint NOT NULL, " +
                "container_id bigint NOT NULL, " +
                ITEM_COLUMN_TYPES +
                "PRIMARY KEY (player_id, operation_id))",
        };
    }

    /**
     * A shard's EntityGraph tables, created in the connection's current schema (the first of its search path).
     * {@code tracked} (one schema: the graph and the Global store of one shard): every node has its location row and
     * references it, so an entity is a node or an item by constraint. Not tracked (a graph schema beside a Global
     * store schema that other shards share): entity ids are the shard's own (two worlds may both hold an entity 7,
     * and a player's entity is in the shard they are in and, until written out, the one they left), so nodes have no
     * row in the shared {@code entity_location}; only stowed items do, and stow, unstow and the node upsert keep
     * an item out of the graph by checking it.
     */
    static String[] createGraphTables(final boolean tracked)
    {
        return new String[]{
        "CREATE TABLE IF NOT EXISTS nodes (" +
            "entity_id bigint PRIMARY KEY, " +
            "place smallint NOT NULL DEFAULT 1 CHECK (place = 1), " +
            "archetype_id integer NOT NULL, " +
            "parent_zone_id bigint NOT NULL, " +
            "owner_player_id bigint NOT NULL, " +
            "is_zone boolean NOT NULL, " +
            "x bigint NOT NULL, y bigint NOT NULL, z bigint NOT NULL, " +
            "qx real NOT NULL, qy real NOT NULL, qz real NOT NULL, qw real NOT NULL, " +
            "radius real NOT NULL, " +
            "component_state bytea NOT NULL CHECK (length(component_state) <= 1024), " +
            "last_applied_input bigint NOT NULL DEFAULT 0" +
            (tracked ? ", FOREIGN KEY (entity_id, place) REFERENCES entity_location (entity_id, place) " +
            "DEFERRABLE INITIALLY DEFERRED" : "") + ") WITH (fillfactor = 50)",

        // a store created before nodes kept their last applied input: its rows read 0
        "ALTER TABLE nodes ADD COLUMN IF NOT EXISTS last_applied_input bigint NOT NULL DEFAULT 0",

        "CREATE INDEX IF NOT EXISTS nodes_by_zone ON nodes (parent_zone_id)",

        "CREATE TABLE IF NOT EXISTS edges (" +
            "from_id bigint NOT NULL, " +
            "kind smallint NOT NULL CHECK (kind IN (2, 3)), " +
            "to_id bigint NOT NULL, " +
            "PRIMARY KEY (from_id, kind, to_id))",

        "CREATE INDEX IF NOT EXISTS edges_by_to ON edges (to_id)",
        };
    }

    /** Columns of a node, in the order {@link PostgresPersistenceAdapter} reads and binds them. */
    static final String NODE_COLUMNS =
        "entity_id, archetype_id, parent_zone_id, owner_player_id, is_zone, x, y, z, qx, qy, qz, qw, radius, " +
        "component_state, last_applied_input";

    static final String C_NODE_COLUMNS =
        "c.entity_id, c.archetype_id, c.parent_zone_id, c.owner_player_id, c.is_zone, c.x, c.y, c.z, " +
        "c.qx, c.qy, c.qz, c.qw, c.radius, c.component_state, c.last_applied_input";

    /**
     * Batched node upsert: one statement over fifteen arrays whose entity ids are distinct (the adapter keeps the
     * last entry of an id). Nodes that exist are updated in place ({@code UPDATE ... FROM}: one index probe, no
     * speculative insertion, no row lock record, no {@code entity_location} bookkeeping, since an existing node row
     * is already located in the graph by its foreign key). Only the rest, new entities, are looked up in
     * {@code entity_location}: those stowed are skipped (a stale write-behind update never resurrects an item), the
     * others get their location row and are inserted.
     */
    static String upsertNodes(final boolean tracked)
    {
        return
        "WITH input AS (" +
            "SELECT * FROM unnest(?::bigint[], ?::integer[], ?::bigint[], ?::bigint[], ?::boolean[], ?::bigint[], " +
            "?::bigint[], ?::bigint[], ?::real[], ?::real[], ?::real[], ?::real[], ?::real[], ?::bytea[], " +
            "?::bigint[]) " +
            "AS t(" + NODE_COLUMNS + ")), " +
        "updated AS (" +
            "UPDATE nodes n SET archetype_id = i.archetype_id, parent_zone_id = i.parent_zone_id, " +
            "owner_player_id = i.owner_player_id, is_zone = i.is_zone, x = i.x, y = i.y, z = i.z, qx = i.qx, " +
            "qy = i.qy, qz = i.qz, qw = i.qw, radius = i.radius, component_state = i.component_state, " +
            "last_applied_input = i.last_applied_input " +
            "FROM input i WHERE n.entity_id = i.entity_id RETURNING n.entity_id), " +
        "fresh AS (" +
            "SELECT * FROM input i WHERE NOT EXISTS (SELECT 1 FROM updated u WHERE u.entity_id = i.entity_id) " +
            "AND NOT EXISTS (SELECT 1 FROM entity_location l WHERE l.entity_id = i.entity_id AND l.place = 2))" +
            (tracked ? ", " : " ") +
        (tracked ? "located AS (" +
            "INSERT INTO entity_location (entity_id, place) SELECT entity_id, 1 FROM fresh " +
            "ON CONFLICT (entity_id) DO NOTHING) " : "") +
        "INSERT INTO nodes (" + NODE_COLUMNS + ") SELECT " + NODE_COLUMNS + " FROM fresh " +
        "ON CONFLICT (entity_id) DO UPDATE SET archetype_id = EXCLUDED.archetype_id, " +
        "parent_zone_id = EXCLUDED.parent_zone_id, owner_player_id = EXCLUDED.owner_player_id, " +
        "is_zone = EXCLUDED.is_zone, x = EXCLUDED.x, y = EXCLUDED.y, z = EXCLUDED.z, qx = EXCLUDED.qx, " +
        "qy = EXCLUDED.qy, qz = EXCLUDED.qz, qw = EXCLUDED.qw, radius = EXCLUDED.radius, " +
        "component_state = EXCLUDED.component_state, last_applied_input = EXCLUDED.last_applied_input";
    }

    static final String INSERT_EDGES =
        "INSERT INTO edges (from_id, kind, to_id) " +
        "SELECT * FROM unnest(?::bigint[], ?::smallint[], ?::bigint[]) ON CONFLICT DO NOTHING";

    static final String DELETE_EDGES =
        "DELETE FROM edges e USING unnest(?::bigint[], ?::smallint[], ?::bigint[]) AS d(from_id, kind, to_id) " +
        "WHERE e.from_id = d.from_id AND e.kind = d.kind AND e.to_id = d.to_id";

    /**
     * Node removals in one statement: the nodes, every explicit edge touching them, and their location rows (the
     * deferred foreign keys are checked at commit, when all three are gone).
     */
    static final String REMOVE_NODES =
        "WITH edges_gone AS (DELETE FROM edges WHERE from_id = ANY(?::bigint[]) OR to_id = ANY(?::bigint[])), " +
        "nodes_gone AS (DELETE FROM nodes WHERE entity_id = ANY(?::bigint[])) " +
        "DELETE FROM entity_location WHERE entity_id = ANY(?::bigint[]) AND place = 1";

    /**
     * The children of each node found so far, looked up through the {@code parent_zone_id} index one parent at a
     * time: the {@code LATERAL (... OFFSET 0)} subquery cannot be flattened into a join, so the planner cannot turn
     * each level into a scan of the whole table (hash or merge join), which it otherwise does.
     */
    static final String CHILDREN_OF_TREE =
        "SELECT " + C_NODE_COLUMNS + ", t.depth + 1 FROM tree t CROSS JOIN LATERAL (" +
            "SELECT " + NODE_COLUMNS + " FROM nodes n WHERE n.parent_zone_id = t.entity_id AND n.entity_id <> ? " +
            "OFFSET 0) c ";

    static final String SELECT_SUBTREE =
        "WITH RECURSIVE tree AS (" +
            "SELECT " + NODE_COLUMNS + ", 0 AS depth FROM nodes WHERE entity_id = ? " +
            "UNION ALL " +
            "SELECT " + NODE_COLUMNS + ", 1 FROM nodes WHERE parent_zone_id = ? AND entity_id <> ? " +
            "UNION ALL " +
            CHILDREN_OF_TREE + "WHERE t.depth > 0) " +
        "SELECT " + NODE_COLUMNS + " FROM tree ORDER BY depth";

    static final String SELECT_REGION =
        "WITH RECURSIVE tree AS (" +
            "SELECT " + NODE_COLUMNS + ", 0 AS depth FROM nodes WHERE parent_zone_id = ? " +
            "AND x BETWEEN ? AND ? AND y BETWEEN ? AND ? AND z BETWEEN ? AND ? " +
            "UNION ALL " +
            CHILDREN_OF_TREE + ") " +
        "SELECT " + NODE_COLUMNS + " FROM tree ORDER BY depth";

    static final String SELECT_ALL =
        "WITH RECURSIVE tree AS (" +
            "SELECT " + NODE_COLUMNS + ", 0 AS depth FROM nodes n WHERE n.parent_zone_id = n.entity_id " +
            "OR NOT EXISTS (SELECT 1 FROM nodes p WHERE p.entity_id = n.parent_zone_id) " +
            "UNION ALL " +
            "SELECT " + C_NODE_COLUMNS + ", t.depth + 1 FROM nodes c JOIN tree t ON c.parent_zone_id = t.entity_id " +
            "WHERE c.entity_id <> c.parent_zone_id) " +
        "SELECT " + NODE_COLUMNS + ", depth FROM tree " +
        "UNION ALL " +
        "SELECT " + NODE_COLUMNS + ", 2147483647 FROM nodes n " +
        "WHERE NOT EXISTS (SELECT 1 FROM tree t WHERE t.entity_id = n.entity_id) " +
        "ORDER BY depth";

    static final String SELECT_EDGES =
        "SELECT entity_id, parent_zone_id, 1 FROM nodes WHERE entity_id = ? AND parent_zone_id <> 0 " +
        "UNION ALL SELECT entity_id, parent_zone_id, 1 FROM nodes WHERE parent_zone_id = ? " +
        "UNION ALL SELECT from_id, to_id, kind FROM edges WHERE from_id = ? " +
        "UNION ALL SELECT from_id, to_id, kind FROM edges WHERE to_id = ? AND from_id <> ?";

    static final String STOWED_COLUMNS =
        "item_id, owner_player_id, container_id, archetype_id, parent_zone_id, node_owner_player_id, is_zone, " +
        "x, y, z, qx, qy, qz, qw, radius, component_state";

    /**
     * The parameters of a node record after its id, in the order {@link PostgresRows#bindNodeFields} binds them.
     */
    private static final String NODE_PARAMETERS =
        "p_archetype_id integer, p_parent_zone_id bigint, p_node_owner_player_id bigint, p_is_zone boolean, " +
        "p_x bigint, p_y bigint, p_z bigint, p_qx real, p_qy real, p_qz real, p_qw real, p_radius real, " +
        "p_component_state bytea";

    /** Variables of {@link #replay}, declared by every operation function. */
    private static final String REPLAY_DECLARATIONS =
        "v_recorded_kind smallint; v_recorded_subject bigint; v_recorded_delta bigint; ";

    private static final String RECORD =
        "INSERT INTO store_operations (player_id, operation_id, kind, subject_id, delta, status, value) " +
        "VALUES (%s, p_operation_id, %d, %s, %s, o_status, o_value); ";

    /**
     * Look the operation's key up: a recorded operation of the same kind, subject and delta is replayed (its outcome
     * returned, {@code o_replayed} true); any other is a conflict ({@code OPERATION_CONFLICT}, {@code o_replayed}
     * false, nothing recorded). Either way the function returns here.
     */
    private static String replay(final String player, final int kind, final String subject, final String delta)
    {
        return "SELECT o.status, o.value, o.kind, o.subject_id, o.delta " +
            "INTO o_status, o_value, v_recorded_kind, v_recorded_subject, v_recorded_delta " +
            "FROM store_operations o WHERE o.player_id = " + player + " AND o.operation_id = p_operation_id; " +
            "IF FOUND THEN " +
                "IF v_recorded_kind = " + kind + " AND v_recorded_subject = " + subject +
                " AND v_recorded_delta = " + delta + " THEN " +
                    "o_replayed := true; " +
                "ELSE " +
                    "o_replayed := false; o_status := " + OperationStatus.OPERATION_CONFLICT + "; o_value := 0; " +
                "END IF; " +
                "RETURN; " +
            "END IF; " +
            "o_replayed := false; " +
            "o_value := 0; ";
    }

    private static String record(final String player, final int kind, final String subject, final String delta)
    {
        return String.format(RECORD, player, kind, subject, delta);
    }

    /**
     * Stow in one call (one round trip, one transaction when called in autocommit): replay a decided operation id,
     * else lock the entity's location row, move the node (or the state the operation carries) into
     * {@code stowed_items}, drop its edges, and record the outcome.
     */
    static final String CREATE_STOW_FUNCTION =
        "CREATE OR REPLACE FUNCTION orrery_stow(p_operation_id bigint, p_item_id bigint, p_owner_player_id bigint, " +
        "p_container_id bigint, p_carries_state boolean, " + NODE_PARAMETERS + ", " +
        "OUT o_replayed boolean, OUT o_status integer, OUT o_value bigint) " +
        "LANGUAGE plpgsql AS $fn$ " +
        "DECLARE v_place smallint; v_node nodes%ROWTYPE; " + REPLAY_DECLARATIONS +
        "BEGIN " +
        replay("p_owner_player_id", OperationType.STOW, "p_item_id", "0") +
        "SELECT l.place INTO v_place FROM entity_location l WHERE l.entity_id = p_item_id FOR UPDATE; " +
        "IF v_place = " + PLACE_STOWED + " THEN " +
            "o_status := " + OperationStatus.CONFLICT + "; " +
        "ELSE " +
            "DELETE FROM nodes n WHERE n.entity_id = p_item_id RETURNING n.* INTO v_node; " +
            "IF v_node.entity_id IS NULL AND NOT p_carries_state THEN " +
                "o_status := " + OperationStatus.NOT_FOUND + "; " +
            "ELSE " +
                "DELETE FROM edges e WHERE e.from_id = p_item_id OR e.to_id = p_item_id; " +
                "INSERT INTO entity_location (entity_id, place) VALUES (p_item_id, " + PLACE_STOWED + ") " +
                "ON CONFLICT (entity_id) DO UPDATE SET place = EXCLUDED.place; " +
                "IF p_carries_state THEN " +
                    "INSERT INTO stowed_items (" + STOWED_COLUMNS + ") VALUES (p_item_id, p_owner_player_id, " +
                    "p_container_id, p_archetype_id, p_parent_zone_id, p_node_owner_player_id, p_is_zone, p_x, p_y, " +
                    "p_z, p_qx, p_qy, p_qz, p_qw, p_radius, p_component_state); " +
                "ELSE " +
                    "INSERT INTO stowed_items (" + STOWED_COLUMNS + ") VALUES (p_item_id, p_owner_player_id, " +
                    "p_container_id, v_node.archetype_id, v_node.parent_zone_id, v_node.owner_player_id, " +
                    "v_node.is_zone, v_node.x, v_node.y, v_node.z, v_node.qx, v_node.qy, v_node.qz, v_node.qw, " +
                    "v_node.radius, v_node.component_state); " +
                "END IF; " +
                "o_status := " + OperationStatus.OK + "; " +
            "END IF; " +
        "END IF; " +
        record("p_owner_player_id", OperationType.STOW, "p_item_id", "0") +
        "END $fn$";

    /**
     * Unstow in one call: replay a decided operation id, else lock the item, check its owner and that the target id
     * is free (its location row locked when it exists), move the item into {@code nodes} under the target id, and
     * record the outcome. Returns the archetype inserted and, when the call left the state empty, the item's state.
     */
    static String createUnstowFunction(final boolean tracked)
    {
        return
        "CREATE OR REPLACE FUNCTION orrery_unstow(p_operation_id bigint, p_item_id bigint, p_owner_player_id bigint, " +
        "p_target_id bigint, " + NODE_PARAMETERS + ", " +
        "OUT o_replayed boolean, OUT o_status integer, OUT o_value bigint, OUT o_archetype_id integer, " +
        "OUT o_component_state bytea) " +
        "LANGUAGE plpgsql AS $fn$ " +
        "DECLARE v_item stowed_items%ROWTYPE; " + REPLAY_DECLARATIONS +
        "BEGIN " +
        replay("p_owner_player_id", OperationType.UNSTOW, "p_item_id", "0") +
        "SELECT * INTO v_item FROM stowed_items s WHERE s.item_id = p_item_id FOR UPDATE; " +
        "IF NOT FOUND THEN " +
            "o_status := " + OperationStatus.NOT_FOUND + "; " +
        "ELSIF v_item.owner_player_id <> p_owner_player_id THEN " +
            "o_status := " + OperationStatus.NOT_OWNER + "; " +
        "ELSE " +
            "IF p_target_id <> p_item_id THEN " +
                "PERFORM 1 FROM entity_location l WHERE l.entity_id = p_target_id FOR UPDATE; " +
                "IF FOUND THEN o_status := " + OperationStatus.CONFLICT + "; END IF; " +
            "END IF; " +
            "IF o_status IS NULL AND EXISTS (SELECT 1 FROM nodes n WHERE n.entity_id = p_target_id) THEN " +
                "o_status := " + OperationStatus.CONFLICT + "; " +
            "END IF; " +
            "IF o_status IS NULL THEN " +
                "DELETE FROM stowed_items s WHERE s.item_id = p_item_id; " +
                (tracked ?
                "IF p_target_id <> p_item_id THEN " +
                    "DELETE FROM entity_location l WHERE l.entity_id = p_item_id; " +
                "END IF; " +
                "INSERT INTO entity_location (entity_id, place) VALUES (p_target_id, " + PLACE_GRAPH + ") " +
                "ON CONFLICT (entity_id) DO UPDATE SET place = EXCLUDED.place; " :
                "DELETE FROM entity_location l WHERE l.entity_id = p_item_id; ") +
                "o_archetype_id := CASE WHEN p_archetype_id = 0 THEN v_item.archetype_id ELSE p_archetype_id END; " +
                "IF length(p_component_state) = 0 THEN o_component_state := v_item.component_state; END IF; " +
                "INSERT INTO nodes (" + NODE_COLUMNS + ") VALUES (p_target_id, o_archetype_id, p_parent_zone_id, " +
                "p_node_owner_player_id, p_is_zone, p_x, p_y, p_z, p_qx, p_qy, p_qz, p_qw, p_radius, " +
                "coalesce(o_component_state, p_component_state), 0); " +
                "o_status := " + OperationStatus.OK + "; " +
            "END IF; " +
        "END IF; " +
        record("p_owner_player_id", OperationType.UNSTOW, "p_item_id", "0") +
        "END $fn$";
    }

    /**
     * A wallet change in one call, by {@link io.orrery.persistence.OperationOutcomes#balanceChange}'s rule: the
     * wallet row is locked, the sum computed in {@code numeric} (an overflow is {@code CONFLICT}, a negative result
     * {@code INSUFFICIENT_FUNDS}, both leaving the balance as it was), and {@code CHECK (balance >= 0)} stays the
     * last word.
     */
    static final String CREATE_WALLET_FUNCTION =
        "CREATE OR REPLACE FUNCTION orrery_change_wallet(p_operation_id bigint, p_player_id bigint, p_delta bigint, " +
        "OUT o_replayed boolean, OUT o_status integer, OUT o_value bigint) " +
        "LANGUAGE plpgsql AS $fn$ " +
        "DECLARE v_current bigint; v_next numeric; " + REPLAY_DECLARATIONS +
        "BEGIN " +
        replay("p_player_id", OperationType.WALLET, "0", "p_delta") +
        "SELECT w.balance INTO v_current FROM wallets w WHERE w.player_id = p_player_id FOR UPDATE; " +
        "v_current := coalesce(v_current, 0); " +
        "v_next := v_current::numeric + p_delta; " +
        "IF v_next > 9223372036854775807 THEN " +
            "o_status := " + OperationStatus.CONFLICT + "; o_value := v_current; " +
        "ELSIF v_next < 0 THEN " +
            "o_status := " + OperationStatus.INSUFFICIENT_FUNDS + "; o_value := v_current; " +
        "ELSE " +
            "INSERT INTO wallets AS w (player_id, balance) VALUES (p_player_id, v_next::bigint) " +
            "ON CONFLICT (player_id) DO UPDATE SET balance = w.balance + p_delta RETURNING w.balance INTO o_value; " +
            "o_status := " + OperationStatus.OK + "; " +
        "END IF; " +
        record("p_player_id", OperationType.WALLET, "0", "p_delta") +
        "END $fn$";

    /**
     * A reputation change in one call: as the wallet's, except that a standing may be negative.
     */
    static final String CREATE_REPUTATION_FUNCTION =
        "CREATE OR REPLACE FUNCTION orrery_change_reputation(p_operation_id bigint, p_player_id bigint, " +
        "p_faction_id integer, p_delta bigint, OUT o_replayed boolean, OUT o_status integer, OUT o_value bigint) " +
        "LANGUAGE plpgsql AS $fn$ " +
        "DECLARE v_current bigint; v_next numeric; " + REPLAY_DECLARATIONS +
        "BEGIN " +
        replay("p_player_id", OperationType.REPUTATION, "p_faction_id", "p_delta") +
        "SELECT r.standing INTO v_current FROM reputation r " +
        "WHERE r.player_id = p_player_id AND r.faction_id = p_faction_id FOR UPDATE; " +
        "v_current := coalesce(v_current, 0); " +
        "v_next := v_current::numeric + p_delta; " +
        "IF v_next > 9223372036854775807 OR v_next < -9223372036854775808 THEN " +
            "o_status := " + OperationStatus.CONFLICT + "; o_value := v_current; " +
        "ELSE " +
            "INSERT INTO reputation AS r (player_id, faction_id, standing) " +
            "VALUES (p_player_id, p_faction_id, v_next::bigint) ON CONFLICT (player_id, faction_id) " +
            "DO UPDATE SET standing = r.standing + p_delta RETURNING r.standing INTO o_value; " +
            "o_status := " + OperationStatus.OK + "; " +
        "END IF; " +
        record("p_player_id", OperationType.REPUTATION, "p_faction_id", "p_delta") +
        "END $fn$";

    /**
     * Deposit in one call: put an item carried by a shard whose graph is elsewhere into the Global store (its
     * location row taken, so an item stowed already, or a node of a shard in this database, is a {@code CONFLICT}).
     */
    static final String CREATE_DEPOSIT_FUNCTION =
        "CREATE OR REPLACE FUNCTION orrery_deposit(p_operation_id bigint, p_item_id bigint, " +
        "p_owner_player_id bigint, p_container_id bigint, p_present boolean, " + NODE_PARAMETERS + ", " +
        "OUT o_replayed boolean, OUT o_status integer, OUT o_value bigint) " +
        "LANGUAGE plpgsql AS $fn$ " +
        "DECLARE " + REPLAY_DECLARATIONS +
        "BEGIN " +
        replay("p_owner_player_id", OperationType.STOW, "p_item_id", "0") +
        "PERFORM 1 FROM entity_location l WHERE l.entity_id = p_item_id FOR UPDATE; " +
        "IF FOUND THEN " +
            "o_status := " + OperationStatus.CONFLICT + "; " +
        "ELSIF NOT p_present THEN " +
            "o_status := " + OperationStatus.NOT_FOUND + "; " +
        "ELSE " +
            "INSERT INTO entity_location (entity_id, place) VALUES (p_item_id, " + PLACE_STOWED + "); " +
            "INSERT INTO stowed_items (" + STOWED_COLUMNS + ") VALUES (p_item_id, p_owner_player_id, " +
            "p_container_id, p_archetype_id, p_parent_zone_id, p_node_owner_player_id, p_is_zone, p_x, p_y, " +
            "p_z, p_qx, p_qy, p_qz, p_qw, p_radius, p_component_state); " +
            "o_status := " + OperationStatus.OK + "; " +
        "END IF; " +
        record("p_owner_player_id", OperationType.STOW, "p_item_id", "0") +
        "END $fn$";

    /**
     * Withdraw in one call: take an item of its owner out of the Global store for a shard whose graph is elsewhere,
     * keeping a copy under the withdrawal's key in {@code withdrawn_items}.
     */
    static final String CREATE_WITHDRAW_FUNCTION =
        "CREATE OR REPLACE FUNCTION orrery_withdraw(p_operation_id bigint, p_item_id bigint, " +
        "p_owner_player_id bigint, p_target_occupied boolean, " +
        "OUT o_replayed boolean, OUT o_status integer, OUT o_value bigint) " +
        "LANGUAGE plpgsql AS $fn$ " +
        "DECLARE v_item stowed_items%ROWTYPE; " + REPLAY_DECLARATIONS +
        "BEGIN " +
        replay("p_owner_player_id", OperationType.UNSTOW, "p_item_id", "0") +
        "SELECT * INTO v_item FROM stowed_items s WHERE s.item_id = p_item_id FOR UPDATE; " +
        "IF NOT FOUND THEN " +
            "o_status := " + OperationStatus.NOT_FOUND + "; " +
        "ELSIF v_item.owner_player_id <> p_owner_player_id THEN " +
            "o_status := " + OperationStatus.NOT_OWNER + "; " +
        "ELSIF p_target_occupied THEN " +
            "o_status := " + OperationStatus.CONFLICT + "; " +
        "ELSE " +
            "DELETE FROM stowed_items s WHERE s.item_id = p_item_id; " +
            "DELETE FROM entity_location l WHERE l.entity_id = p_item_id; " +
            "INSERT INTO withdrawn_items (player_id, operation_id, " + STOWED_COLUMNS + ") VALUES (" +
            "p_owner_player_id, p_operation_id, v_item.item_id, v_item.owner_player_id, v_item.container_id, " +
            "v_item.archetype_id, v_item.parent_zone_id, v_item.node_owner_player_id, v_item.is_zone, v_item.x, " +
            "v_item.y, v_item.z, v_item.qx, v_item.qy, v_item.qz, v_item.qw, v_item.radius, " +
            "v_item.component_state); " +
            "o_status := " + OperationStatus.OK + "; " +
        "END IF; " +
        record("p_owner_player_id", OperationType.UNSTOW, "p_item_id", "0") +
        "END $fn$";

    /** The functions of a Global store on its own (no graph in its database). */
    static final String[] CREATE_GLOBAL_FUNCTIONS = {
        CREATE_DEPOSIT_FUNCTION, CREATE_WITHDRAW_FUNCTION, CREATE_WALLET_FUNCTION, CREATE_REPUTATION_FUNCTION };

    static final String DEPOSIT =
        "SELECT o_replayed, o_status, o_value " +
        "FROM orrery_deposit(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    static final String WITHDRAW = "SELECT o_replayed, o_status, o_value FROM orrery_withdraw(?, ?, ?, ?)";

    static final String SELECT_WITHDRAWN =
        "SELECT " + STOWED_COLUMNS + " FROM withdrawn_items WHERE player_id = ? AND operation_id = ?";

    static final String SELECT_OPERATION =
        "SELECT kind, subject_id, delta, status, value FROM store_operations WHERE player_id = ? AND operation_id = ?";

    static String[] createFunctions(final boolean tracked)
    {
        return new String[]{
            CREATE_STOW_FUNCTION, createUnstowFunction(tracked), CREATE_WALLET_FUNCTION, CREATE_REPUTATION_FUNCTION };
    }

    static final String STOW =
        "SELECT o_replayed, o_status, o_value FROM orrery_stow(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    static final String UNSTOW =
        "SELECT o_replayed, o_status, o_value, o_archetype_id, o_component_state " +
        "FROM orrery_unstow(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    static final String CHANGE_WALLET = "SELECT o_replayed, o_status, o_value FROM orrery_change_wallet(?, ?, ?)";

    static final String CHANGE_REPUTATION =
        "SELECT o_replayed, o_status, o_value FROM orrery_change_reputation(?, ?, ?, ?)";

    static final String SELECT_STOWED_BY_OWNER =
        "SELECT " + STOWED_COLUMNS + " FROM stowed_items WHERE owner_player_id = ? ORDER BY item_id";

    static final String IS_STOWED = "SELECT 1 FROM stowed_items WHERE item_id = ?";

    static final String SELECT_WALLET = "SELECT balance FROM wallets WHERE player_id = ?";

    static final String SELECT_REPUTATION =
        "SELECT standing FROM reputation WHERE player_id = ? AND faction_id = ?";

    static final String COUNT_NODES = "SELECT count(*) FROM nodes";

    private PostgresSchema()
    {
    }
}
