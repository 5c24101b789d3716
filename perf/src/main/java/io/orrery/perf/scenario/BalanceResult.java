/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.scenario;

import java.util.List;
import java.util.Locale;

import io.orrery.core.atlas.MeshSnapshot;
import io.orrery.perf.report.Json;

/**
 * The dynamic-meshing figures of one repetition, taken from the samples' {@link MeshFrame}s: servers in use, how
 * evenly the load is spread once the crowd has settled (max / avg of Atlas's server cost, which only a balancing
 * shard computes, and of the players each game server simulates, comparable between static and dynamic shards), and
 * how much the borders moved (moves per minute, and reversals: a border face that moved one way and then back, the
 * sign of ping-pong).
 * <p>
 * Threading: immutable, any thread.
 *
 * @param settledFromS          samples from this many seconds into the repetition count as settled.
 * @param frames                samples with a mesh frame.
 * @param serversInUseMin       fewest servers in use in any sample.
 * @param serversInUseMax       most servers in use in any sample.
 * @param maxAvgCostMean        mean over the settled samples of max / avg server cost (NaN in a static shard).
 * @param maxAvgCostWorst       largest of those.
 * @param maxAvgPlayersMean     mean over the settled samples of max / avg players per game server.
 * @param maxAvgPlayersWorst    largest of those.
 * @param maxAvgPlayersLast     max / avg players per game server at the last sample.
 * @param bordersMoved          border moves Atlas made in the whole repetition.
 * @param borderMovesPerMinute  border moves per minute after the warm-up.
 * @param borderReversals       times a box face moved in the direction opposite to its previous move, whole run.
 */
public record BalanceResult(
    double settledFromS,
    int frames,
    int serversInUseMin,
    int serversInUseMax,
    double maxAvgCostMean,
    double maxAvgCostWorst,
    double maxAvgPlayersMean,
    double maxAvgPlayersWorst,
    double maxAvgPlayersLast,
    long bordersMoved,
    double borderMovesPerMinute,
    long borderReversals)
{
    /**
     * Figures of a repetition's samples.
     *
     * @param samples      one per second.
     * @param warmupS      end of the warm-up, seconds.
     * @param settledFromS samples from here on count as settled, seconds.
     * @return the figures, or null when no sample has a mesh frame.
     */
    public static BalanceResult of(final List<Sample> samples, final double warmupS, final double settledFromS)
    {
        int frames = 0;
        int inUseMin = Integer.MAX_VALUE;
        int inUseMax = 0;
        double costSum = 0;
        int costCount = 0;
        double costWorst = Double.NaN;
        double playersSum = 0;
        int playersCount = 0;
        double playersWorst = Double.NaN;
        double playersLast = Double.NaN;
        MeshFrame first = null;
        MeshFrame atWarmup = null;
        double atWarmupS = Double.NaN;
        MeshFrame last = null;
        double lastS = Double.NaN;
        long reversals = 0;
        long[] previousFaces = null;
        int[] direction = null;
        for (final Sample sample : samples)
        {
            final MeshFrame frame = sample.mesh();
            if (null == frame)
            {
                continue;
            }
            frames++;
            first = null == first ? frame : first;
            if (null == atWarmup && sample.elapsedS() >= warmupS)
            {
                atWarmup = frame;
                atWarmupS = sample.elapsedS();
            }
            last = frame;
            lastS = sample.elapsedS();
            inUseMin = Math.min(inUseMin, frame.serversInUse());
            inUseMax = Math.max(inUseMax, frame.serversInUse());
            playersLast = frame.maxOverAvgPlayers();
            if (sample.elapsedS() >= settledFromS)
            {
                final double cost = frame.maxOverAvgCost();
                if (!Double.isNaN(cost))
                {
                    costSum += cost;
                    costCount++;
                    costWorst = Double.isNaN(costWorst) ? cost : Math.max(costWorst, cost);
                }
                if (!Double.isNaN(playersLast))
                {
                    playersSum += playersLast;
                    playersCount++;
                    playersWorst = Double.isNaN(playersWorst) ? playersLast : Math.max(playersWorst, playersLast);
                }
            }
            final long[] faces = frame.snapshot().territoryBoxes;
            if (null != previousFaces && previousFaces.length == faces.length)
            {
                for (int i = 0; i < faces.length; i++)
                {
                    final int move = Long.compare(faces[i], previousFaces[i]);
                    if (0 != move)
                    {
                        reversals += 0 != direction[i] && move != direction[i] ? 1 : 0;
                        direction[i] = move;
                    }
                }
            }
            else
            {
                direction = new int[faces.length];
            }
            previousFaces = faces;
        }
        if (0 == frames)
        {
            return null;
        }
        final MeshSnapshot end = last.snapshot();
        final double minutes = null == atWarmup || !(lastS > atWarmupS) ? Double.NaN : (lastS - atWarmupS) / 60.0;
        return new BalanceResult(settledFromS, frames, inUseMin, inUseMax,
            0 == costCount ? Double.NaN : costSum / costCount, costWorst,
            0 == playersCount ? Double.NaN : playersSum / playersCount, playersWorst, playersLast,
            end.bordersMoved, null == atWarmup ? Double.NaN : (end.bordersMoved - atWarmup.snapshot().bordersMoved) /
            minutes, reversals / 2); // both boxes of a border carry the face: each reversal is seen twice
    }

    /**
     * Write as one JSON object.
     *
     * @param json to write to.
     */
    public void writeTo(final Json json)
    {
        json.beginObject()
            .member("settledFromS", settledFromS)
            .member("frames", frames)
            .member("serversInUseMin", serversInUseMin)
            .member("serversInUseMax", serversInUseMax)
            .member("maxAvgCostMean", maxAvgCostMean)
            .member("maxAvgCostWorst", maxAvgCostWorst)
            .member("maxAvgPlayersMean", maxAvgPlayersMean)
            .member("maxAvgPlayersWorst", maxAvgPlayersWorst)
            .member("maxAvgPlayersLast", maxAvgPlayersLast)
            .member("bordersMoved", bordersMoved)
            .member("borderMovesPerMinute", borderMovesPerMinute)
            .member("borderReversals", borderReversals)
            .endObject();
    }

    /**
     * One line for the log.
     *
     * @return the figures as text.
     */
    public String summary()
    {
        return String.format(Locale.ROOT, "servers in use %d..%d; from %.0f s max/avg cost mean %.2f worst %.2f, " +
            "max/avg players mean %.2f worst %.2f last %.2f; borders moved %d (%.1f/min measured), reversals %d",
            serversInUseMin, serversInUseMax, settledFromS, maxAvgCostMean, maxAvgCostWorst, maxAvgPlayersMean,
            maxAvgPlayersWorst, maxAvgPlayersLast, bordersMoved, borderMovesPerMinute, borderReversals);
    }
}
