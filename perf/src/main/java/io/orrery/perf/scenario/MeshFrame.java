/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import io.orrery.core.atlas.MeshSnapshot;
import io.orrery.perf.report.Json;

/**
 * The mesh at one sample of a servers-backed run, for the world map and the per-server load plots: Atlas's latest
 * {@link MeshSnapshot} (territories, their servers and boxes; each server's cost, reported CPU load and entities;
 * borders moved and handoffs committed so far) and a coarse density grid of the bots' own positions (the swarm's
 * {@code heat}, {@link #heatCells()} per side over the world square of {@link #halfExtentM()}).
 * <p>
 * Box faces at infinity are clipped to the world square widened by a quarter (bots roam the square; territories
 * reach beyond it), in metres, so the map can draw every box.
 * <p>
 * Threading: immutable once built (the snapshot is immutable, the grid is this frame's own copy), any thread.
 *
 * @param snapshot      Atlas's mesh, never null.
 * @param serverPlayers players each game server of {@code snapshot.serverIds} reported simulating (its own status,
 *                      read at the sample; -1 when unknown): the load figure comparable between static and dynamic
 *                      shards (Atlas computes costs only when it balances).
 * @param serverTimeDilation game time per real time each game server last reported to the layer (1 = real time,
 *                      NaN when unknown), same order as {@code snapshot.serverIds}.
 * @param heat        bots per cell, row-major from the lowest y and x; empty when no grid was read.
 * @param heatCells   cells per side of the grid.
 * @param halfExtentM half extent of the bots' world square, metres.
 */
public record MeshFrame(
    MeshSnapshot snapshot, long[] serverPlayers, double[] serverTimeDilation, int[] heat, int heatCells,
    double halfExtentM)
{
    /**
     * Faces at infinity are drawn this far out, as a multiple of the world's half extent.
     */
    public static final double CLIP_FACTOR = 1.25;

    /**
     * Write as one JSON object: servers (ids, active, cost, cpu, entities as Atlas counts them and as reported),
     * territories (id, server, epoch, box [min x, min y, max x, max y] in metres, clipped), borders moved, handoffs
     * committed, splits and merges, and the density grid when {@code withHeat}.
     *
     * @param json     to write to.
     * @param withHeat also write the density grid.
     */
    public void writeTo(final Json json, final boolean withHeat)
    {
        final MeshSnapshot s = snapshot;
        json.beginObject()
            .member("bordersMoved", s.bordersMoved)
            .member("handoffs", s.handoffsCommitted)
            .member("splits", s.splits)
            .member("merges", s.merges)
            .member("halfExtentM", halfExtentM);
        json.name("servers").beginArray();
        for (int i = 0; i < s.serverIds.length; i++)
        {
            json.beginObject()
                .member("id", s.serverIds[i])
                .member("active", s.serverActive[i])
                .member("cost", s.serverCost[i])
                .member("cpu", (double)s.serverCpuLoad[i])
                .member("entities", s.serverEntityCount[i])
                .member("reportedEntities", s.serverReportedEntityCount[i])
                .member("players", i < serverPlayers.length ? serverPlayers[i] : -1)
                .member("timeDilation", i < serverTimeDilation.length ? serverTimeDilation[i] : Double.NaN)
                .endObject();
        }
        json.endArray().name("territories").beginArray();
        final double clipM = CLIP_FACTOR * halfExtentM;
        for (int t = 0; t < s.territoryIds.length; t++)
        {
            json.beginObject()
                .member("id", s.territoryIds[t])
                .member("server", s.territoryServerIds[t])
                .member("epoch", s.territoryEpochs[t])
                .member("zone", s.territoryIsZone[t]);
            if (!s.territoryIsZone[t])
            {
                json.name("box").beginArray()
                    .value(clip(s.face(t, 0, false), clipM))
                    .value(clip(s.face(t, 1, false), clipM))
                    .value(clip(s.face(t, 0, true), clipM))
                    .value(clip(s.face(t, 1, true), clipM))
                    .endArray();
            }
            json.endObject();
        }
        json.endArray();
        if (withHeat && heat.length > 0)
        {
            json.name("heat").beginObject().member("cells", heatCells).name("counts").beginArray();
            for (final int count : heat)
            {
                json.value(count);
            }
            json.endArray().endObject();
        }
        json.endObject();
    }

    /**
     * Servers with a live session that simulate at least one territory.
     *
     * @return servers in use.
     */
    public int serversInUse()
    {
        final MeshSnapshot s = snapshot;
        int inUse = 0;
        for (int i = 0; i < s.serverIds.length; i++)
        {
            if (!s.serverActive[i])
            {
                continue;
            }
            for (int t = 0; t < s.territoryServerIds.length; t++)
            {
                if (s.territoryServerIds[t] == s.serverIds[i])
                {
                    inUse++;
                    break;
                }
            }
        }
        return inUse;
    }

    /**
     * Largest server cost over the mean cost of the servers in use (1 = perfectly even; NaN when none costs anything).
     *
     * @return max / avg cost.
     */
    public double maxOverAvgCost()
    {
        final MeshSnapshot s = snapshot;
        double max = 0;
        double sum = 0;
        int count = 0;
        for (int i = 0; i < s.serverIds.length; i++)
        {
            if (s.serverActive[i])
            {
                max = Math.max(max, s.serverCost[i]);
                sum += s.serverCost[i];
                count++;
            }
        }
        return 0 == count || !(sum > 0) ? Double.NaN : max / (sum / count);
    }

    /**
     * Most players on one game server over the mean of the servers in use (1 = perfectly even; NaN when unknown).
     *
     * @return max / avg players per server.
     */
    public double maxOverAvgPlayers()
    {
        final MeshSnapshot s = snapshot;
        long max = 0;
        long sum = 0;
        int count = 0;
        for (int i = 0; i < s.serverIds.length && i < serverPlayers.length; i++)
        {
            if (s.serverActive[i] && serverPlayers[i] >= 0)
            {
                max = Math.max(max, serverPlayers[i]);
                sum += serverPlayers[i];
                count++;
            }
        }
        return 0 == count || 0 == sum ? Double.NaN : max / ((double)sum / count);
    }

    private static double clip(final long mm, final double clipM)
    {
        return Math.max(-clipM, Math.min(clipM, mm / 1000.0));
    }
}
