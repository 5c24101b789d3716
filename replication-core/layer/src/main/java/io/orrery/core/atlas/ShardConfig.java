/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Static meshing: how a shard's world is split into territories and which game server simulates each. Parsed from a
 * small line-based text file:
 * <pre>
 *   # comment (also after a statement)
 *   servers 1,2
 *   territory 1 server 1 box -inf -inf -inf 0 inf inf      # min x y z, max x y z in metres; min in, max out
 *   territory 2 server 2 box 0 -inf -inf inf inf inf
 *   territory 3 server 2 zone 4398046511104               # a zone entity and its whole subtree
 *   default-territory 1           # optional: owns every point in no box (else the boxes must cover the world)
 *   view-margin 50                # metres: servers see entities this close to their territories
 *   heartbeat-timeout 500         # ms without a LoadReport before a server is declared dead
 *   handoff-timeout 250           # ms to wait for the releasing server's final state
 *   handoff-hysteresis 0          # metres an entity must be inside another box before it is handed over
 *   handoff-pacing 64             # handoffs in flight to one server at most (0: no limit); the rest wait their turn
 *   spawn 0 0 0 100               # x y z radius in metres: where new players appear
 *   input-buffer 64               # inputs kept per player entity for handoff and failover
 *   balance 1000 8 0.5            # dynamic: every 1000 ms move box borders by at most 8 m (at least 0.5 m)
 *   load-weights 1 1 0.5 2        # a territory's cost: base + per player + per NPC + per ship (zone entity)
 *   server-capacity 400           # the cost a server can take; a server at 85 % of it is never given more
 *   territory 3 server 3 spare    # dynamic: no box at first; a loaded server's territory is split with it
 *   fleet-min 2                   # dynamic: merges keep at least this many servers with a territory (default:
 *                                 # the servers of the non-spare territories)
 * </pre>
 * Without {@code balance} the mesh is static: territories keep their boxes.
 * Rules, checked with the line number of the offending statement: every territory names a listed server, ids are
 * unique, boxes do not overlap, and every point of the world belongs to exactly one box territory unless a
 * {@code default-territory} is given. An entity's territory is decided by its nearest ancestor (or itself) that is
 * the root of a zone territory, else by the position of its top-level ancestor (the child of the world root it is
 * inside), so aggregates (a player inside a ship) move together.
 * <p>
 * Immutable after parsing; safe to share between threads.
 */
public final class ShardConfig
{
    public static final int NO_TERRITORY = -1;
    public static final double VIEW_MARGIN_M_DEFAULT = 50;
    public static final long HEARTBEAT_TIMEOUT_MS_DEFAULT = 500;
    public static final long HANDOFF_TIMEOUT_MS_DEFAULT = 250;
    public static final int INPUT_BUFFER_DEFAULT = 64;
    public static final int HANDOFF_PACING_DEFAULT = 64;
    private static final long MM_PER_M = 1000;

    /**
     * One territory: a box (millimetres, min inclusive, max exclusive) or a zone subtree.
     */
    public static final class Territory
    {
        public final int id;
        public final int serverId;
        public final long rootZoneId;
        public final long minX;
        public final long minY;
        public final long minZ;
        public final long maxX;
        public final long maxY;
        public final long maxZ;
        /**
         * A spare territory has no box at first: dynamic meshing gives it part of a loaded server's territory (a
         * split) and takes it back (a merge).
         */
        public final boolean spare;
        final int line;

        Territory(final int id, final int serverId, final long rootZoneId, final long[] box, final int line)
        {
            this(id, serverId, rootZoneId, box, false, line);
        }

        Territory(
            final int id, final int serverId, final long rootZoneId, final long[] box, final boolean spare,
            final int line)
        {
            this.spare = spare;
            this.id = id;
            this.serverId = serverId;
            this.rootZoneId = rootZoneId;
            this.minX = box[0];
            this.minY = box[1];
            this.minZ = box[2];
            this.maxX = box[3];
            this.maxY = box[4];
            this.maxZ = box[5];
            this.line = line;
        }

        public boolean isZone()
        {
            return 0 != rootZoneId;
        }

        public boolean contains(final long x, final long y, final long z)
        {
            return !spare && x >= minX && x < maxX && y >= minY && y < maxY && z >= minZ && z < maxZ;
        }

        /**
         * @return true if the point is within {@code marginMm} of the box (zone territories: false).
         */
        public boolean isNear(final long x, final long y, final long z, final long marginMm)
        {
            return !isZone() && !spare &&
                x >= sat(minX, -marginMm) && x < sat(maxX, marginMm) &&
                y >= sat(minY, -marginMm) && y < sat(maxY, marginMm) &&
                z >= sat(minZ, -marginMm) && z < sat(maxZ, marginMm);
        }

        /**
         * @return how far inside the box the point is (the distance to the nearest face), negative if outside.
         */
        public long depthInside(final long x, final long y, final long z)
        {
            long depth = Math.min(sub(x, minX), sub(maxX, x));
            depth = Math.min(depth, Math.min(sub(y, minY), sub(maxY, y)));
            return Math.min(depth, Math.min(sub(z, minZ), sub(maxZ, z)));
        }

        @Override
        public String toString()
        {
            return isZone() ? "territory " + id + " server " + serverId + " zone " + rootZoneId :
                spare ? "territory " + id + " server " + serverId + " spare" :
                "territory " + id + " server " + serverId + " box [" + minX + ".." + maxX + ", " + minY + ".." +
                maxY + ", " + minZ + ".." + maxZ + ") mm";
        }
    }

    private final String source;
    private final int[] serverIds;
    private final Territory[] territories;
    private final int defaultTerritoryIndex;
    private final double viewMarginM;
    private final long heartbeatTimeoutMs;
    private final long handoffTimeoutMs;
    private final double handoffHysteresisM;
    private final int handoffPacing;
    private final double spawnXM;
    private final double spawnYM;
    private final double spawnZM;
    private final double spawnRadiusM;
    private final int inputBuffer;
    private final long balanceIntervalMs;
    private final double balanceMaxStepM;
    private final double balanceMinStepM;
    private final double[] loadWeights;
    private final double serverCapacity;
    private final int fleetMin;

    private ShardConfig(final Builder b)
    {
        source = b.source;
        serverIds = b.serverIds;
        territories = b.territories.toArray(new Territory[0]);
        defaultTerritoryIndex = b.defaultTerritoryIndex;
        viewMarginM = b.viewMarginM;
        heartbeatTimeoutMs = b.heartbeatTimeoutMs;
        handoffTimeoutMs = b.handoffTimeoutMs;
        handoffHysteresisM = b.handoffHysteresisM;
        handoffPacing = b.handoffPacing;
        spawnXM = b.spawn[0];
        spawnYM = b.spawn[1];
        spawnZM = b.spawn[2];
        spawnRadiusM = b.spawn[3];
        inputBuffer = b.inputBuffer;
        balanceIntervalMs = b.balanceIntervalMs;
        balanceMaxStepM = b.balanceMaxStepM;
        balanceMinStepM = b.balanceMinStepM;
        loadWeights = b.loadWeights.clone();
        serverCapacity = b.serverCapacity;
        fleetMin = b.fleetMin;
    }

    /**
     * @return servers that keep a territory whatever the load: merges never go below it (default: the servers of
     * the configured, non-spare territories, so merges only retire what splits added).
     */
    public int fleetMin()
    {
        return fleetMin;
    }

    /**
     * @return how often the balancer moves borders (ms), 0 for a static mesh.
     */
    public long balanceIntervalMs()
    {
        return balanceIntervalMs;
    }

    /**
     * @return the largest move of a border per balancer step (metres).
     */
    public double balanceMaxStepM()
    {
        return balanceMaxStepM;
    }

    /**
     * @return the smallest move of a border per balancer step (metres): the step halves each time a border's
     * direction flips, down to this.
     */
    public double balanceMinStepM()
    {
        return balanceMinStepM;
    }

    /**
     * @return a territory's cost: {@code [base, per player, per NPC, per ship]}.
     */
    public double loadWeight(final int index)
    {
        return loadWeights[index];
    }

    /**
     * @return the cost a server can take (its high-water mark is 85 % of it).
     */
    public double serverCapacity()
    {
        return serverCapacity;
    }

    /**
     * Parse a shard configuration file.
     *
     * @throws IllegalArgumentException with {@code file:line: reason} if the file is invalid.
     */
    public static ShardConfig load(final Path path)
    {
        try
        {
            return parse(Files.readString(path, StandardCharsets.UTF_8), path.getFileName().toString());
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read shard config " + path + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Parse a shard configuration from a class path resource such as {@code shards/two-servers.shard}.
     */
    public static ShardConfig loadResource(final String name)
    {
        try (java.io.InputStream in = ShardConfig.class.getClassLoader().getResourceAsStream(name))
        {
            if (null == in)
            {
                throw new IllegalArgumentException("no shard config resource " + name);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read shard config " + name + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * A shard configuration by the name an operator gives on a command line: a file when one exists at that path,
     * else a bundled one ({@code two-servers} or {@code two-servers.shard} is {@code shards/two-servers.shard}).
     *
     * @param shard              a path, or a bundled shard's name.
     * @param heartbeatTimeoutMs replaces the config's heartbeat timeout when positive.
     * @throws IllegalArgumentException if there is no such file or bundled shard, or it is invalid.
     */
    public static ShardConfig find(final String shard, final long heartbeatTimeoutMs)
    {
        final String text;
        final String source;
        final Path path = Path.of(shard);
        try
        {
            if (Files.isRegularFile(path))
            {
                source = shard;
                text = Files.readString(path, StandardCharsets.UTF_8);
            }
            else
            {
                source = "shards/" + (shard.endsWith(".shard") ? shard : shard + ".shard");
                try (java.io.InputStream in = ShardConfig.class.getClassLoader().getResourceAsStream(source))
                {
                    if (null == in)
                    {
                        throw new IllegalArgumentException("no shard config file or bundled shard named " + shard);
                    }
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read shard config " + shard + ": " + ex.getMessage(), ex);
        }
        // a later line wins: the override is appended
        return parse(heartbeatTimeoutMs > 0 ? text + "\nheartbeat-timeout " + heartbeatTimeoutMs + "\n" : text, source);
    }

    /**
     * Parse a shard configuration.
     *
     * @param text   the file's contents.
     * @param source name used in error messages.
     * @throws IllegalArgumentException with {@code source:line: reason} if the text is invalid.
     */
    public static ShardConfig parse(final String text, final String source)
    {
        final Builder b = new Builder(source);
        final String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            String line = lines[i];
            final int hash = line.indexOf('#');
            if (hash >= 0)
            {
                line = line.substring(0, hash);
            }
            line = line.trim();
            if (!line.isEmpty())
            {
                b.statement(line.split("\\s+"), i + 1);
            }
        }
        return b.build();
    }

    /**
     * @return the box or default territory containing a world point (millimetres), as an index into
     * {@link #territory(int)}, or {@link #NO_TERRITORY}.
     */
    public int territoryIndexAt(final long x, final long y, final long z)
    {
        final Territory[] territories = this.territories;
        for (int i = 0; i < territories.length; i++)
        {
            final Territory t = territories[i];
            if (!t.isZone() && t.contains(x, y, z))
            {
                return i;
            }
        }
        return defaultTerritoryIndex;
    }

    public int territoryCount()
    {
        return territories.length;
    }

    public Territory territory(final int index)
    {
        return territories[index];
    }

    /**
     * @return index of the territory with this id, or {@link #NO_TERRITORY}.
     */
    public int territoryIndexOf(final int territoryId)
    {
        for (int i = 0; i < territories.length; i++)
        {
            if (territories[i].id == territoryId)
            {
                return i;
            }
        }
        return NO_TERRITORY;
    }

    public int[] serverIds()
    {
        return serverIds.clone();
    }

    public boolean hasServer(final int serverId)
    {
        for (final int id : serverIds)
        {
            if (id == serverId)
            {
                return true;
            }
        }
        return false;
    }

    public int defaultTerritoryIndex()
    {
        return defaultTerritoryIndex;
    }

    public double viewMarginM()
    {
        return viewMarginM;
    }

    public long heartbeatTimeoutMs()
    {
        return heartbeatTimeoutMs;
    }

    public long handoffTimeoutMs()
    {
        return handoffTimeoutMs;
    }

    public double handoffHysteresisM()
    {
        return handoffHysteresisM;
    }

    /**
     * @return the most handoffs in flight to one server at once (0: no limit): a border that moves over a crowd, or
     * a split, hands its entities over in waves the receiving server can stream in between its ticks.
     */
    public int handoffPacing()
    {
        return handoffPacing;
    }

    public double spawnXM()
    {
        return spawnXM;
    }

    public double spawnYM()
    {
        return spawnYM;
    }

    public double spawnZM()
    {
        return spawnZM;
    }

    public double spawnRadiusM()
    {
        return spawnRadiusM;
    }

    public int inputBuffer()
    {
        return inputBuffer;
    }

    public String source()
    {
        return source;
    }

    @Override
    public String toString()
    {
        return "ShardConfig{" + source + ", servers=" + Arrays.toString(serverIds) + ", territories=" +
            Arrays.toString(territories) + '}';
    }

    private static long sat(final long value, final long delta)
    {
        final long r = value + delta;
        if (((value ^ r) & (delta ^ r)) < 0)
        {
            return delta > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return r;
    }

    private static long sub(final long a, final long b)
    {
        return sat(a, -Math.max(b, -Long.MAX_VALUE));
    }

    private static final class Builder
    {
        final String source;
        int[] serverIds;
        int serversLine;
        final List<Territory> territories = new ArrayList<>();
        int defaultTerritoryId = Integer.MIN_VALUE;
        int defaultTerritoryLine;
        int defaultTerritoryIndex = NO_TERRITORY;
        double viewMarginM = VIEW_MARGIN_M_DEFAULT;
        long heartbeatTimeoutMs = HEARTBEAT_TIMEOUT_MS_DEFAULT;
        long handoffTimeoutMs = HANDOFF_TIMEOUT_MS_DEFAULT;
        double handoffHysteresisM;
        int handoffPacing = HANDOFF_PACING_DEFAULT;
        double[] spawn = {0, 0, 0, 100};
        int inputBuffer = INPUT_BUFFER_DEFAULT;
        long balanceIntervalMs;
        double balanceMaxStepM = 8;
        double balanceMinStepM = 0.5;
        double[] loadWeights = {1, 1, 0.5, 2};
        double serverCapacity = 400;
        int fleetMin = -1;

        Builder(final String source)
        {
            this.source = source;
        }

        IllegalArgumentException error(final int line, final String message)
        {
            return new IllegalArgumentException(source + ":" + line + ": " + message);
        }

        void statement(final String[] words, final int line)
        {
            switch (words[0])
            {
                case "servers":
                    expect(words, 2, line, "servers <id,id,...>");
                    if (null != serverIds)
                    {
                        throw error(line, "servers given twice (first on line " + serversLine + ")");
                    }
                    final String[] parts = words[1].split(",");
                    serverIds = new int[parts.length];
                    for (int i = 0; i < parts.length; i++)
                    {
                        serverIds[i] = parseInt(parts[i], line, "server id");
                        if (serverIds[i] <= 0 || serverIds[i] >= (1 << 20))
                        {
                            throw error(line, "server id must be in [1, 2^20): " + serverIds[i]);
                        }
                        for (int j = 0; j < i; j++)
                        {
                            if (serverIds[j] == serverIds[i])
                            {
                                throw error(line, "server " + serverIds[i] + " listed twice");
                            }
                        }
                    }
                    serversLine = line;
                    break;

                case "territory":
                    territory(words, line);
                    break;

                case "default-territory":
                    expect(words, 2, line, "default-territory <id>");
                    defaultTerritoryId = parseInt(words[1], line, "territory id");
                    defaultTerritoryLine = line;
                    break;

                case "view-margin":
                    expect(words, 2, line, "view-margin <metres>");
                    viewMarginM = nonNegative(parseDouble(words[1], line, "view margin"), line, "view margin");
                    break;

                case "heartbeat-timeout":
                    expect(words, 2, line, "heartbeat-timeout <ms>");
                    heartbeatTimeoutMs = positive(parseLong(words[1], line, "heartbeat timeout"), line);
                    break;

                case "handoff-timeout":
                    expect(words, 2, line, "handoff-timeout <ms>");
                    handoffTimeoutMs = positive(parseLong(words[1], line, "handoff timeout"), line);
                    break;

                case "handoff-hysteresis":
                    expect(words, 2, line, "handoff-hysteresis <metres>");
                    handoffHysteresisM = nonNegative(
                        parseDouble(words[1], line, "handoff hysteresis"), line, "handoff hysteresis");
                    break;

                case "handoff-pacing":
                    expect(words, 2, line, "handoff-pacing <handoffs in flight per server, 0 for no limit>");
                    handoffPacing = (int)Math.min(Integer.MAX_VALUE, nonNegative(
                        parseLong(words[1], line, "handoff pacing"), line, "handoff pacing"));
                    break;

                case "spawn":
                    expect(words, 5, line, "spawn <x> <y> <z> <radius>");
                    for (int i = 0; i < 4; i++)
                    {
                        spawn[i] = parseDouble(words[1 + i], line, "spawn");
                    }
                    nonNegative(spawn[3], line, "spawn radius");
                    break;

                case "input-buffer":
                    expect(words, 2, line, "input-buffer <inputs>");
                    inputBuffer = (int)positive(parseLong(words[1], line, "input buffer"), line);
                    if (inputBuffer > 4096)
                    {
                        throw error(line, "input-buffer at most 4096: " + inputBuffer);
                    }
                    break;

                case "balance":
                    expect(words, 4, line, "balance <interval-ms> <max-step-m> <min-step-m>");
                    balanceIntervalMs = positive(parseLong(words[1], line, "balance interval"), line);
                    balanceMaxStepM = nonNegative(parseDouble(words[2], line, "max step"), line, "max step");
                    balanceMinStepM = nonNegative(parseDouble(words[3], line, "min step"), line, "min step");
                    if (balanceMinStepM <= 0 || balanceMinStepM > balanceMaxStepM)
                    {
                        throw error(line, "balance steps must satisfy 0 < min <= max");
                    }
                    break;

                case "load-weights":
                    expect(words, 5, line, "load-weights <base> <per-player> <per-npc> <per-ship>");
                    for (int i = 0; i < 4; i++)
                    {
                        loadWeights[i] = nonNegative(parseDouble(words[1 + i], line, "load weight"), line, "weight");
                    }
                    break;

                case "fleet-min":
                    expect(words, 2, line, "fleet-min <servers>");
                    fleetMin = (int)positive(parseLong(words[1], line, "fleet minimum"), line);
                    break;

                case "server-capacity":
                    expect(words, 2, line, "server-capacity <cost>");
                    serverCapacity = nonNegative(parseDouble(words[1], line, "server capacity"), line, "capacity");
                    if (serverCapacity <= 0)
                    {
                        throw error(line, "server-capacity must be above 0");
                    }
                    break;

                default:
                    throw error(line, "unknown statement '" + words[0] + "'");
            }
        }

        void territory(final String[] words, final int line)
        {
            if (words.length < 5 || !"server".equals(words[2]))
            {
                throw error(line, "expected: territory <id> server <serverId> box <minX> <minY> <minZ> <maxX> " +
                    "<maxY> <maxZ> | territory <id> server <serverId> zone <zoneEntityId> | " +
                    "territory <id> server <serverId> spare");
            }
            final int id = parseInt(words[1], line, "territory id");
            final int serverId = parseInt(words[3], line, "server id");
            for (final Territory t : territories)
            {
                if (t.id == id)
                {
                    throw error(line, "territory " + id + " already defined on line " + t.line);
                }
            }
            final long[] box = new long[6];
            long zoneId = 0;
            if ("spare".equals(words[4]))
            {
                expect(words, 5, line, "territory <id> server <serverId> spare");
                territories.add(new Territory(id, serverId, 0, box, true, line));
                return;
            }
            if ("box".equals(words[4]))
            {
                expect(words, 11, line, "territory <id> server <serverId> box <minX> <minY> <minZ> <maxX> <maxY> " +
                    "<maxZ>");
                for (int i = 0; i < 6; i++)
                {
                    box[i] = metresToMm(words[5 + i], line);
                }
                for (int i = 0; i < 3; i++)
                {
                    if (box[i] >= box[3 + i])
                    {
                        throw error(line, "box min must be below max on every axis");
                    }
                }
            }
            else if ("zone".equals(words[4]))
            {
                expect(words, 6, line, "territory <id> server <serverId> zone <zoneEntityId>");
                zoneId = parseLong(words[5], line, "zone entity id");
                if (zoneId <= 0)
                {
                    throw error(line, "zone entity id must be positive: " + zoneId);
                }
                for (final Territory t : territories)
                {
                    if (t.rootZoneId == zoneId)
                    {
                        throw error(line, "zone " + zoneId + " already a territory on line " + t.line);
                    }
                }
            }
            else
            {
                throw error(line, "expected 'box' or 'zone', got '" + words[4] + "'");
            }
            territories.add(new Territory(id, serverId, zoneId, box, line));
        }

        ShardConfig build()
        {
            if (null == serverIds)
            {
                throw error(1, "no 'servers' statement");
            }
            if (territories.isEmpty())
            {
                throw error(1, "no territory");
            }
            for (final Territory t : territories)
            {
                boolean known = false;
                for (final int id : serverIds)
                {
                    known |= id == t.serverId;
                }
                if (!known)
                {
                    throw error(t.line, "server " + t.serverId + " is not in 'servers' (line " + serversLine + ")");
                }
            }
            if (Integer.MIN_VALUE != defaultTerritoryId)
            {
                for (int i = 0; i < territories.size(); i++)
                {
                    if (territories.get(i).id == defaultTerritoryId)
                    {
                        defaultTerritoryIndex = i;
                    }
                }
                if (NO_TERRITORY == defaultTerritoryIndex || territories.get(defaultTerritoryIndex).isZone() ||
                    territories.get(defaultTerritoryIndex).spare)
                {
                    throw error(defaultTerritoryLine, "default territory must be a box territory defined here");
                }
            }
            if (fleetMin < 0)
            {
                // by default merges only retire what splits added: the servers of the configured territories stay
                final java.util.Set<Integer> based = new java.util.HashSet<>();
                for (final Territory t : territories)
                {
                    if (!t.spare)
                    {
                        based.add(t.serverId);
                    }
                }
                fleetMin = based.size();
            }
            checkOverlap();
            if (NO_TERRITORY == defaultTerritoryIndex)
            {
                checkCoverage();
            }
            return new ShardConfig(this);
        }

        void checkOverlap()
        {
            for (int i = 0; i < territories.size(); i++)
            {
                final Territory a = territories.get(i);
                for (int j = 0; j < i && !a.isZone() && !a.spare; j++)
                {
                    final Territory b = territories.get(j);
                    if (!b.isZone() && !b.spare && a.minX < b.maxX && b.minX < a.maxX && a.minY < b.maxY &&
                        b.minY < a.maxY &&
                        a.minZ < b.maxZ && b.minZ < a.maxZ)
                    {
                        throw error(a.line, "territory " + a.id + " overlaps territory " + b.id + " (line " + b.line +
                            ")");
                    }
                }
            }
        }

        /**
         * Every cell of the grid spanned by all box bounds (plus the infinities) must lie in some box.
         */
        void checkCoverage()
        {
            final long[] xs = bounds(0);
            final long[] ys = bounds(1);
            final long[] zs = bounds(2);
            for (int i = 0; i + 1 < xs.length; i++)
            {
                for (int j = 0; j + 1 < ys.length; j++)
                {
                    for (int k = 0; k + 1 < zs.length; k++)
                    {
                        final long x = xs[i];
                        final long y = ys[j];
                        final long z = zs[k];
                        boolean covered = false;
                        for (final Territory t : territories)
                        {
                            covered |= !t.isZone() && t.contains(x, y, z);
                        }
                        if (!covered)
                        {
                            throw error(territories.get(territories.size() - 1).line, "the boxes leave the point (" +
                                mmToText(x) + ", " + mmToText(y) + ", " + mmToText(z) + ") m without a territory: " +
                                "cover the world (use inf / -inf) or add 'default-territory <id>'");
                        }
                    }
                }
            }
        }

        long[] bounds(final int axis)
        {
            final long[] values = new long[territories.size() * 2 + 2];
            int n = 0;
            values[n++] = Long.MIN_VALUE;
            values[n++] = Long.MAX_VALUE;
            for (final Territory t : territories)
            {
                if (!t.isZone() && !t.spare)
                {
                    values[n++] = 0 == axis ? t.minX : 1 == axis ? t.minY : t.minZ;
                    values[n++] = 0 == axis ? t.maxX : 1 == axis ? t.maxY : t.maxZ;
                }
            }
            return Arrays.stream(values, 0, n).sorted().distinct().toArray();
        }

        static String mmToText(final long mm)
        {
            return Long.MIN_VALUE == mm ? "-inf" : Long.MAX_VALUE == mm ? "inf" : Double.toString(mm / 1000.0);
        }

        void expect(final String[] words, final int count, final int line, final String usage)
        {
            if (words.length != count)
            {
                throw error(line, "expected: " + usage);
            }
        }

        long metresToMm(final String word, final int line)
        {
            if ("inf".equals(word) || "+inf".equals(word))
            {
                return Long.MAX_VALUE;
            }
            if ("-inf".equals(word))
            {
                return Long.MIN_VALUE;
            }
            final double m = parseDouble(word, line, "coordinate");
            if (Math.abs(m) > 9e12)
            {
                throw error(line, "coordinate out of range (use inf / -inf): " + word);
            }
            return Math.round(m * MM_PER_M);
        }

        int parseInt(final String word, final int line, final String what)
        {
            try
            {
                return Integer.parseInt(word);
            }
            catch (final NumberFormatException ex)
            {
                throw error(line, what + " is not an integer: '" + word + "'");
            }
        }

        long parseLong(final String word, final int line, final String what)
        {
            try
            {
                return Long.parseLong(word);
            }
            catch (final NumberFormatException ex)
            {
                throw error(line, what + " is not an integer: '" + word + "'");
            }
        }

        double parseDouble(final String word, final int line, final String what)
        {
            try
            {
                final double value = Double.parseDouble(word);
                if (!Double.isFinite(value))
                {
                    throw error(line, what + " must be finite: '" + word + "'");
                }
                return value;
            }
            catch (final NumberFormatException ex)
            {
                throw error(line, what + " is not a number: '" + word + "'");
            }
        }

        long positive(final long value, final int line)
        {
            if (value <= 0)
            {
                throw error(line, "must be positive: " + value);
            }
            return value;
        }

        double nonNegative(final double value, final int line, final String what)
        {
            if (value < 0)
            {
                throw error(line, what + " must not be negative: " + value);
            }
            return value;
        }
    }
}
