/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.orrery.bots.BehaviourMix;
import io.orrery.core.ReplicationLayer;

/**
 * What a scenario run does, read from a small properties file ({@code scenarios/<name>.scenario} on the class path,
 * or any path). Keys, all optional except {@code name}:
 * <pre>
 *   name, description
 *   bots, threads, mix (idle=..,walk=..,commute=..,crowd=..,inventory=..), ramp-per-second, input-rate-hz, seed
 *   duration, warmup                 e.g. 30s, 2m, 500ms; warm-up intervals are not in the measured figures
 *   servers                          0 = the scripted in-process authority; N = N game servers from {@code shard}
 *   shard                            shard config of a servers-backed run (e.g. four-servers.shard)
 *   fallback-servers                 servers to use with --fallback while N game servers cannot be started yet
 *   npcs, ships, world-half-extent-m the scripted authority's entities and world (0 = scale with the bots); with
 *                                    servers &gt; 0, npcs are per territory of the game servers
 *   tick-hz, max-speed-mps           game servers' tick rate and fastest legal player speed (servers &gt; 0)
 *   spawn-radius-m, heartbeat-timeout replace the shard config's spawn radius / heartbeat timeout (0 = the config's)
 *   hotspots                         commute hotspots in metres, x,y pairs: "x1,y1,x2,y2,..." (default: servers=0 two
 *                                    spots at +-0.8 extent on y=0; servers &gt; 0 a loop through the four quadrants at
 *                                    +-0.4 extent, so commuters cross the borders of the bundled shard configs)
 *   crowd                            where crowding bots mill, metres "x,y" (default 0,0: the corner of every quadrant)
 *   rally, rally-leg, rally-scatter-at  rally bots' points, metres "x1,y1,x2,y2,.." (default 0,0), how long they stay
 *                                    at each (default 20s, cycling) and when they scatter over the world (0 = never)
 *   settle                           samples from this long after the swarm's start count as settled for the
 *                                    balance figures (default: the warm-up)
 *   kill-server-at, kill-server      stop one game server abruptly this long after the swarm started (0 = never) and
 *                                    which one (0 = the first server id of the shard config): failover
 *   repetitions                      full runs, each with a fresh shard; medians are taken across them
 *   floor, floor-message-length, floor-round-trips, floor-warmup, floor-channel
 *                                    the raw Aeron ping-pong after each repetition (on/off, bytes, counts, channel)
 * </pre>
 * Overrides (command line) replace single keys before parsing, so they are validated the same way.
 * <p>
 * Threading: immutable once parsed, any thread.
 */
public final class Scenario
{
    /**
     * Length of an encoded {@code PlayerInput}: 8-byte SBE header + 56-byte block, the floor's default message size.
     */
    public static final int PLAYER_INPUT_LENGTH = io.orrery.wire.codec.MessageHeaderEncoder.ENCODED_LENGTH +
        io.orrery.wire.codec.PlayerInputEncoder.BLOCK_LENGTH;

    private static final String CLASSPATH_PREFIX = "scenarios/";
    private static final String SUFFIX = ".scenario";

    private final Map<String, String> values;
    private final String source;
    private final String name;
    private final String description;
    private final int bots;
    private final int threads;
    private final String mix;
    private final double rampPerSecond;
    private final int inputRateHz;
    private final long seed;
    private final long durationNs;
    private final long warmupNs;
    private final int servers;
    private final String shard;
    private final int fallbackServers;
    private final int npcs;
    private final int ships;
    private final double worldHalfExtentM;
    private final int tickHz;
    private final double maxSpeedMps;
    private final double spawnRadiusM;
    private final long heartbeatTimeoutMs;
    private final double[] hotspotsM;
    private final double[] crowdM;
    private final double[] rallyM;
    private final long rallyLegNs;
    private final long rallyScatterAtNs;
    private final long settleNs;
    private final long killServerAtNs;
    private final int killServer;
    private final int repetitions;
    private final boolean floor;
    private final int floorMessageLength;
    private final long floorRoundTrips;
    private final long floorWarmup;
    private final String floorChannel;

    private Scenario(final Map<String, String> values, final String source)
    {
        this.values = values;
        this.source = source;
        name = required("name");
        description = text("description", "");
        bots = integer("bots", 20, 1);
        threads = integer("threads", 1, 1);
        mix = text("mix", BehaviourMix.DEFAULT_MIX);
        BehaviourMix.parse(mix);
        rampPerSecond = decimal("ramp-per-second", 500);
        inputRateHz = integer("input-rate-hz", 20, 1);
        seed = Long.parseLong(text("seed", "42"));
        durationNs = duration("duration", "10s");
        warmupNs = duration("warmup", "0s");
        servers = integer("servers", 0, 0);
        shard = text("shard", "");
        fallbackServers = integer("fallback-servers", 0, 0);
        npcs = integer("npcs", 200, 0);
        ships = integer("ships", 2, 0);
        worldHalfExtentM = decimal("world-half-extent-m", 0);
        tickHz = integer("tick-hz", 30, 1);
        maxSpeedMps = decimal("max-speed-mps", 10);
        spawnRadiusM = decimal("spawn-radius-m", 0);
        heartbeatTimeoutMs = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(duration("heartbeat-timeout", "0s"));
        hotspotsM = decimals("hotspots");
        crowdM = decimals("crowd");
        rallyM = decimals("rally");
        rallyLegNs = duration("rally-leg", "20s");
        rallyScatterAtNs = duration("rally-scatter-at", "0s");
        settleNs = values.containsKey("settle") ? duration("settle", "0s") : warmupNs;
        killServerAtNs = duration("kill-server-at", "0s");
        killServer = integer("kill-server", 0, 0);
        repetitions = integer("repetitions", 1, 1);
        floor = flag("floor", true);
        floorMessageLength = integer("floor-message-length", PLAYER_INPUT_LENGTH, 8);
        floorRoundTrips = integer("floor-round-trips", 100_000, 1);
        floorWarmup = integer("floor-warmup", 20_000, 0);
        floorChannel = text("floor-channel", ReplicationLayer.Context.CLIENT_INGRESS_CHANNEL_DEFAULT);

        if (threads > bots)
        {
            throw invalid("threads", "must not exceed bots (" + bots + ")");
        }
        if (!(rampPerSecond > 0))
        {
            throw invalid("ramp-per-second", "must be positive");
        }
        if (warmupNs >= durationNs)
        {
            throw invalid("warmup", "must be shorter than duration");
        }
        if (servers > 0 && shard.isEmpty())
        {
            throw invalid("shard", "is required when servers > 0");
        }
        if (null != hotspotsM && (hotspotsM.length < 4 || 0 != (hotspotsM.length & 1)))
        {
            throw invalid("hotspots", "needs at least two x,y pairs");
        }
        if (null != crowdM && 2 != crowdM.length)
        {
            throw invalid("crowd", "must be one x,y pair");
        }
        if (null != rallyM && (rallyM.length < 2 || 0 != (rallyM.length & 1)))
        {
            throw invalid("rally", "needs x,y pairs");
        }
        if (rallyLegNs <= 0)
        {
            throw invalid("rally-leg", "must be positive");
        }
        if (killServerAtNs > 0 && 0 == servers)
        {
            throw invalid("kill-server-at", "needs servers > 0");
        }
        if (killServerAtNs >= durationNs)
        {
            throw invalid("kill-server-at", "must be within the duration");
        }
    }

    /**
     * Load a scenario by name ({@code smoke} → class path {@code scenarios/smoke.scenario}) or by file path.
     *
     * @param nameOrPath scenario name or path of a scenario file.
     * @param overrides  keys to replace, e.g. {@code duration=10s}; may be empty.
     * @return the parsed scenario.
     * @throws IllegalArgumentException when not found or invalid.
     */
    public static Scenario load(final String nameOrPath, final Map<String, String> overrides)
    {
        final Path path = Path.of(nameOrPath);
        try
        {
            if (Files.isRegularFile(path))
            {
                try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8))
                {
                    return parse(reader, path.toString(), overrides);
                }
            }
            final String resource = CLASSPATH_PREFIX + (nameOrPath.endsWith(SUFFIX) ? nameOrPath : nameOrPath + SUFFIX);
            try (InputStream in = Scenario.class.getClassLoader().getResourceAsStream(resource))
            {
                if (null == in)
                {
                    throw new IllegalArgumentException("no scenario file " + nameOrPath + " and no class path " +
                        "resource " + resource + " (shipped: smoke, 2k-commute, hotspot, failover, soak, flash-crowd, dispersal, oscillation, commute-dynamic)");
                }
                return parse(new java.io.InputStreamReader(in, StandardCharsets.UTF_8), "classpath:" + resource,
                    overrides);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Parse scenario text (properties format).
     *
     * @param text      the scenario file's content.
     * @param source    where it came from, for messages.
     * @param overrides keys to replace; may be empty.
     * @return the parsed scenario.
     */
    public static Scenario parse(final String text, final String source, final Map<String, String> overrides)
    {
        try
        {
            return parse(new StringReader(text), source, overrides);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static Scenario parse(final Reader reader, final String source, final Map<String, String> overrides)
        throws IOException
    {
        final Properties properties = new Properties();
        properties.load(reader);
        final Map<String, String> values = new TreeMap<>();
        for (final String key : properties.stringPropertyNames())
        {
            values.put(key.trim(), properties.getProperty(key).trim());
        }
        values.putAll(overrides);
        return new Scenario(values, source);
    }

    /**
     * A copy with some keys replaced.
     *
     * @param overrides keys to replace.
     * @return the new scenario.
     */
    public Scenario with(final Map<String, String> overrides)
    {
        final Map<String, String> copy = new TreeMap<>(values);
        copy.putAll(overrides);
        return new Scenario(copy, source);
    }

    /**
     * Every key as given (after overrides), for the summary.
     *
     * @return keys and values, sorted by key.
     */
    public Map<String, String> values()
    {
        return new TreeMap<>(values);
    }

    public String source()
    {
        return source;
    }

    public String name()
    {
        return name;
    }

    public String description()
    {
        return description;
    }

    public int bots()
    {
        return bots;
    }

    public int threads()
    {
        return threads;
    }

    public String mix()
    {
        return mix;
    }

    public double rampPerSecond()
    {
        return rampPerSecond;
    }

    public int inputRateHz()
    {
        return inputRateHz;
    }

    public long seed()
    {
        return seed;
    }

    public long durationNs()
    {
        return durationNs;
    }

    public long warmupNs()
    {
        return warmupNs;
    }

    public int servers()
    {
        return servers;
    }

    public String shard()
    {
        return shard;
    }

    public int fallbackServers()
    {
        return fallbackServers;
    }

    public int npcs()
    {
        return npcs;
    }

    public int ships()
    {
        return ships;
    }

    /**
     * Half extent of the square the bots roam, in metres: as configured, or when 0 scaled with the swarm to about 50
     * players per 300 m bubble (37 m × √bots, at least 200 m), as {@code BotSwarmMain} does.
     *
     * @return half extent in metres.
     */
    public double worldHalfExtentM()
    {
        return worldHalfExtentM > 0 ? worldHalfExtentM : Math.max(200, 37 * Math.sqrt(bots));
    }

    public int tickHz()
    {
        return tickHz;
    }

    public double maxSpeedMps()
    {
        return maxSpeedMps;
    }

    /**
     * @return spawn radius replacing the shard config's, metres; 0 keeps the config's.
     */
    public double spawnRadiusM()
    {
        return spawnRadiusM;
    }

    /**
     * @return heartbeat timeout replacing the shard config's, ms; 0 keeps the config's.
     */
    public long heartbeatTimeoutMs()
    {
        return heartbeatTimeoutMs;
    }

    /**
     * Commute hotspots as x,y pairs in millimetres: as configured, or the default for the kind of shard (see the
     * class comment).
     *
     * @return hotspots, x,y pairs in mm.
     */
    public long[] hotspotsMm()
    {
        final long extentMm = (long)(worldHalfExtentM() * 1000);
        if (null == hotspotsM)
        {
            if (0 == servers)
            {
                return new long[]{ -extentMm * 4 / 5, 0, extentMm * 4 / 5, 0 };
            }
            final long spotMm = extentMm * 2 / 5;
            return new long[]{ -spotMm, -spotMm, spotMm, -spotMm, spotMm, spotMm, -spotMm, spotMm };
        }
        final long[] mm = new long[hotspotsM.length];
        for (int i = 0; i < mm.length; i++)
        {
            mm[i] = Math.round(hotspotsM[i] * 1000);
        }
        return mm;
    }

    public long crowdXMm()
    {
        return null == crowdM ? 0 : Math.round(crowdM[0] * 1000);
    }

    public long crowdYMm()
    {
        return null == crowdM ? 0 : Math.round(crowdM[1] * 1000);
    }

    /**
     * Rally points as x,y pairs in millimetres (default the origin).
     *
     * @return rally points, x,y pairs in mm.
     */
    public long[] rallyMm()
    {
        if (null == rallyM)
        {
            return new long[]{ 0, 0 };
        }
        final long[] mm = new long[rallyM.length];
        for (int i = 0; i < mm.length; i++)
        {
            mm[i] = Math.round(rallyM[i] * 1000);
        }
        return mm;
    }

    public long rallyLegNs()
    {
        return rallyLegNs;
    }

    /**
     * @return when rally bots scatter, ns after the swarm's start; 0 = never.
     */
    public long rallyScatterAtNs()
    {
        return rallyScatterAtNs;
    }

    /**
     * @return from when samples count as settled for the balance figures, ns after the swarm's start.
     */
    public long settleNs()
    {
        return settleNs;
    }

    /**
     * @return when to stop a game server abruptly, ns after the swarm started; 0 = never.
     */
    public long killServerAtNs()
    {
        return killServerAtNs;
    }

    /**
     * @return server id to stop at {@link #killServerAtNs()}; 0 = the first of the shard config.
     */
    public int killServer()
    {
        return killServer;
    }

    public int repetitions()
    {
        return repetitions;
    }

    public boolean floor()
    {
        return floor;
    }

    public int floorMessageLength()
    {
        return floorMessageLength;
    }

    public long floorRoundTrips()
    {
        return floorRoundTrips;
    }

    public long floorWarmup()
    {
        return floorWarmup;
    }

    public String floorChannel()
    {
        return floorChannel;
    }

    /**
     * Parse a duration such as {@code 20s}, {@code 2m}, {@code 500ms}, {@code 100us}, {@code 1h} or plain seconds.
     *
     * @param text the duration.
     * @return nanoseconds.
     * @throws IllegalArgumentException when malformed or negative.
     */
    public static long parseDurationNs(final String text)
    {
        final String value = text.trim().toLowerCase(Locale.ROOT);
        final String[] units = { "ns", "us", "ms", "h", "m", "s" };
        final long[] factors = { 1, 1_000, 1_000_000, TimeUnit.HOURS.toNanos(1), TimeUnit.MINUTES.toNanos(1),
            TimeUnit.SECONDS.toNanos(1) };
        String number = value;
        long factor = TimeUnit.SECONDS.toNanos(1);
        for (int i = 0; i < units.length; i++)
        {
            if (value.endsWith(units[i]))
            {
                number = value.substring(0, value.length() - units[i].length()).trim();
                factor = factors[i];
                break;
            }
        }
        try
        {
            final double amount = Double.parseDouble(number);
            if (amount < 0 || Double.isNaN(amount))
            {
                throw new IllegalArgumentException("negative duration: " + text);
            }
            return (long)(amount * factor);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad duration '" + text + "' (e.g. 30s, 2m, 500ms)", ex);
        }
    }

    @Override
    public String toString()
    {
        return String.format(Locale.ROOT, "%s: %d bots on %d thread(s), mix %s, ramp %.0f/s, %d Hz, duration %.1f s " +
            "(warm-up %.1f s), servers %d%s, npcs %d, ships %d, world +-%.0f m, %d repetition(s), floor %s",
            name, bots, threads, mix, rampPerSecond, inputRateHz, durationNs / 1e9, warmupNs / 1e9, servers,
            0 == servers ? "" : " (" + shard + (killServerAtNs > 0 ? ", kill server " + killServer + " at " +
            killServerAtNs / 1e9 + " s" : "") + ")", npcs, ships, worldHalfExtentM(), repetitions,
            floor ? floorMessageLength + " B x " + floorRoundTrips : "off");
    }

    private String required(final String key)
    {
        final String value = values.get(key);
        if (null == value || value.isEmpty())
        {
            throw invalid(key, "is required");
        }
        return value;
    }

    private String text(final String key, final String defaultValue)
    {
        final String value = values.get(key);
        return null == value ? defaultValue : value;
    }

    private int integer(final String key, final int defaultValue, final int min)
    {
        final String value = values.get(key);
        if (null == value)
        {
            return defaultValue;
        }
        final int parsed;
        try
        {
            parsed = Integer.parseInt(value.replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw invalid(key, "is not an integer: " + value);
        }
        if (parsed < min)
        {
            throw invalid(key, "must be >= " + min + ": " + parsed);
        }
        return parsed;
    }

    private double decimal(final String key, final double defaultValue)
    {
        final String value = values.get(key);
        try
        {
            return null == value ? defaultValue : Double.parseDouble(value);
        }
        catch (final NumberFormatException ex)
        {
            throw invalid(key, "is not a number: " + value);
        }
    }

    private double[] decimals(final String key)
    {
        final String value = values.get(key);
        if (null == value || value.isEmpty())
        {
            return null;
        }
        final String[] parts = value.split(",");
        final double[] parsed = new double[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            try
            {
                parsed[i] = Double.parseDouble(parts[i].trim());
            }
            catch (final NumberFormatException ex)
            {
                throw invalid(key, "is not a list of numbers: " + value);
            }
        }
        return parsed;
    }

    private long duration(final String key, final String defaultValue)
    {
        try
        {
            return parseDurationNs(text(key, defaultValue));
        }
        catch (final IllegalArgumentException ex)
        {
            throw invalid(key, ex.getMessage());
        }
    }

    private boolean flag(final String key, final boolean defaultValue)
    {
        final String value = values.get(key);
        if (null == value)
        {
            return defaultValue;
        }
        switch (value.toLowerCase(Locale.ROOT))
        {
            case "on":
            case "true":
            case "yes":
                return true;
            case "off":
            case "false":
            case "no":
                return false;
            default:
                throw invalid(key, "must be on or off: " + value);
        }
    }

    private IllegalArgumentException invalid(final String key, final String problem)
    {
        return new IllegalArgumentException("scenario " + source + ": " + key + " " + problem);
    }
}
