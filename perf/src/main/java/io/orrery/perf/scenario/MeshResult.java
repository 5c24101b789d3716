/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.util.List;
import java.util.Locale;

import io.orrery.perf.report.Json;

/**
 * The server-meshing figures of one repetition of a servers-backed scenario: handoffs, the update gap clients saw
 * across a handoff (the bots' {@code handoff-gap} metric, in {@link RepetitionResult#latencies()}), and, when the
 * scenario stopped a game server, the failover.
 * <p>
 * Failover as clients see it: a failover moves every entity of the dead server to a survivor at epoch + 1, so a bot
 * whose player that server owned records, in its {@code handoff-gap} histogram, the gap from its last update before the
 * stop to its first update from the new authority. {@code clientFailover*} are taken from the {@code handoff-gap}
 * values recorded in the intervals from the stop to {@link #FAILOVER_WINDOW_MS} after it; values of at least
 * {@link #AFFECTED_THRESHOLD_TICKS} ticks count as failover gaps (a normal handoff gap is about one tick), and
 * {@code clientFailoverMaxMs} is the failover time the slowest affected bot saw. A bot that sent no input and did not
 * move (behaviour {@code idle}) gets no updates, so its "gap" is the time since its last update, not the failover:
 * failover scenarios run without idle bots. Layer side: the
 * {@link FailoverProbe}'s detection and first reassignment times (as of this writing the layer's
 * {@code ENTITIES_REASSIGNED} counter does not count entities of a dead server: Atlas clears their owner before it
 * reassigns them, so that figure stays NaN / 0 on failover).
 * <p>
 * Threading: immutable, any thread.
 *
 * @param servers                game servers of the shard.
 * @param handoffsCommitted      handoffs committed after the warm-up.
 * @param handoffsPerS           of those, per second of measured time.
 * @param handoffsStarted        handoffs started, whole run.
 * @param handoffsTimedOut       handoffs committed from the cache because the release timed out, whole run.
 * @param authorityChangesSeen   authority epoch changes of their own entity the bots saw, whole run.
 * @param killedServer           server id stopped abruptly, 0 when none.
 * @param killedAtS              seconds after the swarm's start it was stopped (NaN when none).
 * @param playersOnKilledServer  players that server simulated at its last load report before the stop.
 * @param failoverDetectedMs     stop → the layer declared it dead, ms (NaN when not seen).
 * @param failoverReassignedMs   stop → the first of its entities reassigned, ms (NaN when not seen).
 * @param entitiesReassigned     entities reassigned after the stop.
 * @param clientFailoverGaps     handoff-gap values at least {@link #AFFECTED_THRESHOLD_TICKS} ticks in the window.
 * @param failoversBeforeKill    servers the layer had already declared dead when the server was stopped (a busy
 *                               machine can starve a game server past the heartbeat timeout): should be 0.
 * @param clientFailoverP50Ms    median of those, ms (NaN when none).
 * @param clientFailoverP99Ms    99th percentile of those, ms (NaN when none).
 * @param clientFailoverMaxMs    largest of those: the failover time clients saw, ms (NaN when none).
 * @param serverFailovers        servers declared dead (the layer's counter).
 * @param staleEpochWrites       server writes rejected for a stale epoch.
 * @param unauthorisedWrites     server writes rejected because the sender was not the authority.
 * @param unexpectedDisconnects  bot sessions closed by the shard or timed out.
 * @param serverStatus           each game server's figures at the end.
 */
public record MeshResult(
    int servers,
    long handoffsCommitted,
    double handoffsPerS,
    long handoffsStarted,
    long handoffsTimedOut,
    long authorityChangesSeen,
    int killedServer,
    double killedAtS,
    long playersOnKilledServer,
    double failoverDetectedMs,
    double failoverReassignedMs,
    long entitiesReassigned,
    long clientFailoverGaps,
    long failoversBeforeKill,
    double clientFailoverP50Ms,
    double clientFailoverP99Ms,
    double clientFailoverMaxMs,
    long serverFailovers,
    long staleEpochWrites,
    long unauthorisedWrites,
    long unexpectedDisconnects,
    List<String> serverStatus)
{
    /**
     * Handoff-gap values recorded in intervals from the stop to this long after it are examined for failover gaps.
     */
    public static final long FAILOVER_WINDOW_MS = 5_000;

    /**
     * A handoff gap of at least this many ticks in the failover window counts as a failover gap.
     */
    public static final int AFFECTED_THRESHOLD_TICKS = 4;

    /**
     * Write as one JSON object.
     *
     * @param json to write to.
     */
    public void writeTo(final Json json)
    {
        json.beginObject()
            .member("servers", servers)
            .member("handoffsCommitted", handoffsCommitted)
            .member("handoffsPerS", handoffsPerS)
            .member("handoffsStarted", handoffsStarted)
            .member("handoffsTimedOut", handoffsTimedOut)
            .member("authorityChangesSeen", authorityChangesSeen)
            .member("serverFailovers", serverFailovers)
            .member("staleEpochWrites", staleEpochWrites)
            .member("unauthorisedWrites", unauthorisedWrites)
            .member("unexpectedDisconnects", unexpectedDisconnects);
        if (0 != killedServer)
        {
            json.name("failover").beginObject()
                .member("killedServer", killedServer)
                .member("killedAtS", killedAtS)
                .member("playersOnKilledServer", playersOnKilledServer)
                .member("detectedMs", failoverDetectedMs)
                .member("firstReassignedMs", failoverReassignedMs)
                .member("entitiesReassigned", entitiesReassigned)
                .member("clientFailoverGaps", clientFailoverGaps)
                .member("failoversBeforeKill", failoversBeforeKill)
                .member("clientFailoverP50Ms", clientFailoverP50Ms)
                .member("clientFailoverP99Ms", clientFailoverP99Ms)
                .member("clientFailoverMaxMs", clientFailoverMaxMs)
                .endObject();
        }
        json.name("gameServers").beginArray();
        for (final String line : serverStatus)
        {
            json.value(line);
        }
        json.endArray().endObject();
    }

    /**
     * One line for the log.
     *
     * @return the figures as text.
     */
    public String summary()
    {
        String text = String.format(Locale.ROOT, "handoffs %d (%.1f/s measured; started %d, timed out %d), authority " +
            "changes seen by bots %d, stale-epoch writes %d, unauthorised writes %d, unexpected disconnects %d",
            handoffsCommitted, handoffsPerS, handoffsStarted, handoffsTimedOut, authorityChangesSeen, staleEpochWrites,
            unauthorisedWrites, unexpectedDisconnects);
        if (0 != killedServer)
        {
            text += String.format(Locale.ROOT, "; failover of server %d at %.1f s (%d players): detected after %.1f ms, " +
                "first entity reassigned after %.1f ms, %d entities reassigned, servers already declared dead before " +
                "%d, clients: %d failover gaps p50 %.1f ms p99 %.1f ms max %.1f ms", killedServer, killedAtS,
                playersOnKilledServer, failoverDetectedMs, failoverReassignedMs, entitiesReassigned,
                failoversBeforeKill, clientFailoverGaps, clientFailoverP50Ms, clientFailoverP99Ms,
                clientFailoverMaxMs);
        }
        return text;
    }
}
