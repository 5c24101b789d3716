/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.postgres;

/**
 * The PostgreSQL schema and statements of {@link PostgresPersistenceAdapter}. Tables are created unqualified, in the
 * connection's current schema ({@code currentSchema} in the JDBC URL selects it).
 * <p>
 * <b>An item is in exactly one place, by constraint.</b> {@code entity_location} holds one row per entity with its
 * place (1 = EntityGraph node, 2 = stowed item); {@code nodes} and {@code stowed_items} each carry a constant place
 * column and a foreign key on {@code (entity_id, place)} into it. Since {@code entity_location}'s key is the entity
 * id, an entity can be a node or an item, never both; stow and unstow move the location row and the data row in one
 * transaction (the keys are deferred to commit so the order of the statements inside does not matter).
 * <b>No negative wallet, by constraint:</b> {@code CHECK (balance >= 0)}; an overdraft fails the statement and the
 * adapter reports {@code INSUFFICIENT_FUNDS}. The IN_ZONE edges are {@code nodes.parent_zone_id}; {@code edges}
 * holds the explicit kinds only.
 * <p>
 * <b>Position updates are HOT.</b> The frequent write is a node moving within its zone, so no index covers a column
 * it changes: {@code nodes} is indexed by {@code parent_zone_id} only (children lookups; a region is the zone's
 * children filtered by position) and keeps 20% of each page free ({@code fillfactor = 80}), so PostgreSQL can
 * update the row in place without touching any index.
 * <p>
 * Threading: constants only.
 */
final class PostgresSchema
{
    static final int PLACE_GRAPH = 1;
    static final int PLACE_STOWED = 2;

    static final String[] CREATE = {
        "CREATE TABLE IF NOT EXISTS entity_location (" +
            "entity_id bigint PRIMARY KEY, " +
            "place smallint NOT NULL CHECK (place IN (1, 2)), " +
            "UNIQUE (entity_id, place))",

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
            "FOREIGN KEY (entity_id, place) REFERENCES entity_location (entity_id, place) " +
            "DEFERRABLE INITIALLY DEFERRED) WITH (fillfactor = 80)",

        "CREATE INDEX IF NOT EXISTS nodes_by_zone ON nodes (parent_zone_id)",

        "CREATE TABLE IF NOT EXISTS edges (" +
            "from_id bigint NOT NULL, " +
            "kind smallint NOT NULL CHECK (kind IN (2, 3)), " +
            "to_id bigint NOT NULL, " +
            "PRIMARY KEY (from_id, kind, to_id))",

        "CREATE INDEX IF NOT EXISTS edges_by_to ON edges (to_id)",

        "CREATE TABLE IF NOT EXISTS stowed_items (" +
            "item_id bigint PRIMARY KEY, " +
            "place smallint NOT NULL DEFAULT 2 CHECK (place = 2), " +
            "owner_player_id bigint NOT NULL, " +
            "container_id bigint NOT NULL, " +
            "archetype_id integer NOT NULL, " +
            "parent_zone_id bigint NOT NULL, " +
            "node_owner_player_id bigint NOT NULL, " +
            "is_zone boolean NOT NULL, " +
            "x bigint NOT NULL, y bigint NOT NULL, z bigint NOT NULL, " +
            "qx real NOT NULL, qy real NOT NULL, qz real NOT NULL, qw real NOT NULL, " +
            "radius real NOT NULL, " +
            "component_state bytea NOT NULL CHECK (length(component_state) <= 1024), " +
            "FOREIGN KEY (item_id, place) REFERENCES entity_location (entity_id, place) " +
            "DEFERRABLE INITIALLY DEFERRED)",

        "CREATE INDEX IF NOT EXISTS stowed_items_by_owner ON stowed_items (owner_player_id)",

        "CREATE TABLE IF NOT EXISTS wallets (" +
            "player_id bigint PRIMARY KEY, " +
            "balance bigint NOT NULL CHECK (balance >= 0))",

        "CREATE TABLE IF NOT EXISTS reputation (" +
            "player_id bigint NOT NULL, " +
            "faction_id integer NOT NULL, " +
            "standing bigint NOT NULL, " +
            "PRIMARY KEY (player_id, faction_id))",

        "CREATE TABLE IF NOT EXISTS operations (" +
            "operation_id bigint PRIMARY KEY, " +
            "status smallint NOT NULL, " +
            "value bigint NOT NULL)",
    };

    /** Columns of a node, in the order {@link PostgresPersistenceAdapter} reads and binds them. */
    static final String NODE_COLUMNS =
        "entity_id, archetype_id, parent_zone_id, owner_player_id, is_zone, x, y, z, qx, qy, qz, qw, radius, " +
        "component_state";

    static final String C_NODE_COLUMNS =
        "c.entity_id, c.archetype_id, c.parent_zone_id, c.owner_player_id, c.is_zone, c.x, c.y, c.z, " +
        "c.qx, c.qy, c.qz, c.qw, c.radius, c.component_state";

    /**
     * Batched node upsert: one statement, fourteen arrays. Rows of stowed entities are skipped (a stale write-behind
     * update never resurrects an item); duplicate ids keep the last entry.
     */
    static final String UPSERT_NODES =
        "WITH input AS (" +
            "SELECT DISTINCT ON (entity_id) * FROM unnest(?::bigint[], ?::integer[], ?::bigint[], ?::bigint[], " +
            "?::boolean[], ?::bigint[], ?::bigint[], ?::bigint[], ?::real[], ?::real[], ?::real[], ?::real[], " +
            "?::real[], ?::bytea[]) WITH ORDINALITY AS t(" + NODE_COLUMNS + ", ord) " +
            "ORDER BY entity_id, ord DESC), " +
        "live AS (" +
            "SELECT * FROM input i WHERE NOT EXISTS (" +
            "SELECT 1 FROM entity_location l WHERE l.entity_id = i.entity_id AND l.place = 2)), " +
        "located AS (" +
            "INSERT INTO entity_location (entity_id, place) SELECT entity_id, 1 FROM live " +
            "ON CONFLICT (entity_id) DO NOTHING) " +
        "INSERT INTO nodes (" + NODE_COLUMNS + ") SELECT " + NODE_COLUMNS + " FROM live " +
        "ON CONFLICT (entity_id) DO UPDATE SET archetype_id = EXCLUDED.archetype_id, " +
        "parent_zone_id = EXCLUDED.parent_zone_id, owner_player_id = EXCLUDED.owner_player_id, " +
        "is_zone = EXCLUDED.is_zone, x = EXCLUDED.x, y = EXCLUDED.y, z = EXCLUDED.z, qx = EXCLUDED.qx, " +
        "qy = EXCLUDED.qy, qz = EXCLUDED.qz, qw = EXCLUDED.qw, radius = EXCLUDED.radius, " +
        "component_state = EXCLUDED.component_state";

    static final String INSERT_EDGES =
        "INSERT INTO edges (from_id, kind, to_id) " +
        "SELECT * FROM unnest(?::bigint[], ?::smallint[], ?::bigint[]) ON CONFLICT DO NOTHING";

    static final String DELETE_EDGES =
        "DELETE FROM edges e USING unnest(?::bigint[], ?::smallint[], ?::bigint[]) AS d(from_id, kind, to_id) " +
        "WHERE e.from_id = d.from_id AND e.kind = d.kind AND e.to_id = d.to_id";

    static final String DELETE_EDGES_OF_NODES = "DELETE FROM edges WHERE from_id = ANY(?) OR to_id = ANY(?)";

    static final String DELETE_NODES = "DELETE FROM nodes WHERE entity_id = ANY(?)";

    static final String DELETE_NODE_LOCATIONS = "DELETE FROM entity_location WHERE entity_id = ANY(?) AND place = 1";

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

    static final String SELECT_NODE = "SELECT " + NODE_COLUMNS + " FROM nodes WHERE entity_id = ?";

    static final String SELECT_OPERATION = "SELECT status, value FROM operations WHERE operation_id = ?";

    static final String INSERT_OPERATION = "INSERT INTO operations (operation_id, status, value) VALUES (?, ?, ?)";

    static final String LOCK_LOCATION = "SELECT place FROM entity_location WHERE entity_id = ? FOR UPDATE";

    static final String DELETE_EDGES_OF_NODE = "DELETE FROM edges WHERE from_id = ? OR to_id = ?";

    static final String DELETE_NODE = "DELETE FROM nodes WHERE entity_id = ?";

    static final String MOVE_LOCATION =
        "INSERT INTO entity_location (entity_id, place) VALUES (?, ?) " +
        "ON CONFLICT (entity_id) DO UPDATE SET place = EXCLUDED.place";

    static final String DELETE_LOCATION = "DELETE FROM entity_location WHERE entity_id = ?";

    static final String STOWED_COLUMNS =
        "item_id, owner_player_id, container_id, archetype_id, parent_zone_id, node_owner_player_id, is_zone, " +
        "x, y, z, qx, qy, qz, qw, radius, component_state";

    static final String INSERT_STOWED =
        "INSERT INTO stowed_items (" + STOWED_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    static final String INSERT_NODE =
        "INSERT INTO nodes (" + NODE_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    static final String SELECT_STOWED_FOR_UPDATE =
        "SELECT " + STOWED_COLUMNS + " FROM stowed_items WHERE item_id = ? FOR UPDATE";

    static final String SELECT_STOWED_BY_OWNER =
        "SELECT " + STOWED_COLUMNS + " FROM stowed_items WHERE owner_player_id = ? ORDER BY item_id";

    static final String DELETE_STOWED = "DELETE FROM stowed_items WHERE item_id = ?";

    static final String IS_STOWED = "SELECT 1 FROM stowed_items WHERE item_id = ?";

    static final String SELECT_LOCATION = "SELECT place FROM entity_location WHERE entity_id = ?";

    static final String CHANGE_WALLET =
        "INSERT INTO wallets (player_id, balance) VALUES (?, ?) " +
        "ON CONFLICT (player_id) DO UPDATE SET balance = wallets.balance + EXCLUDED.balance RETURNING balance";

    /**
     * Debits update in place: an INSERT of the negative delta would meet the CHECK before ON CONFLICT is considered.
     */
    static final String DEBIT_WALLET =
        "UPDATE wallets SET balance = balance + ? WHERE player_id = ? RETURNING balance";

    static final String SELECT_WALLET = "SELECT balance FROM wallets WHERE player_id = ?";

    static final String CHANGE_REPUTATION =
        "INSERT INTO reputation (player_id, faction_id, standing) VALUES (?, ?, ?) " +
        "ON CONFLICT (player_id, faction_id) DO UPDATE SET standing = reputation.standing + EXCLUDED.standing " +
        "RETURNING standing";

    static final String SELECT_REPUTATION =
        "SELECT standing FROM reputation WHERE player_id = ? AND faction_id = ?";

    static final String COUNT_NODES = "SELECT count(*) FROM nodes";

    private PostgresSchema()
    {
    }
}
