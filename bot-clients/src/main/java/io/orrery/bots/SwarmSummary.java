/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.orrery.core.client.ClientSession;
import org.HdrHistogram.Histogram;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a swarm run did: bots connected and failed, traffic, correctness counts and the merged histograms, as text and
 * JSON. Built once at the end of a run, off the hot path.
 * <p>
 * Several Replicants per shard: the client link's composition counts ({@link #COMPOSITION_NAMES}, summed over bots)
 * are in the JSON ({@code composition}; the two protocol violations, {@code ownerEpochConflicts} and
 * {@code unknownReplicantMessages}, under {@code correctness} and in {@link #correctnessErrors()}); the text shows
 * them in one line, and those two in the correctness section, only when non-zero, so a one-Replicant summary reads
 * as before.
 * <p>
 * Threading: immutable after {@link #of}, except for {@link #extra(String, Object)} used by the controlling thread.
 */
public final class SwarmSummary
{
    private static final double[] PERCENTILES = { 50, 90, 99, 99.9 };
    /**
     * The client link's counts of composing a view from several Replicants ({@link ClientSession}), summed over bots,
     * in this order.
     */
    static final String[] COMPOSITION_NAMES = {
        "ownerChanges", "ownerHandoffsAwaited", "ownerHandoffsExpired", "spawnsNotOwning", "nonOwnerEntries",
        "despawnsOfNonOwners", "ownerEpochConflicts", "unknownReplicantMessages" };
    private static final int OWNER_EPOCH_CONFLICTS = 6;
    private static final int UNKNOWN_REPLICANT_MESSAGES = 7;
    private static final int COMPOSITION_COUNTS = COMPOSITION_NAMES.length;

    private final Map<String, Object> run = new LinkedHashMap<>();
    private final Map<String, Long> counts = new LinkedHashMap<>();
    private final Map<String, Long> correctness = new LinkedHashMap<>();
    private final Map<String, Long> composition = new LinkedHashMap<>();
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private final Histogram[] histograms = new Histogram[MetricSet.METRICS];
    private final Histogram[] steadyHistograms = new Histogram[MetricSet.METRICS];
    private long steadyFromEpochMs = Long.MAX_VALUE;
    private long botsRequested;
    private long botsConnected;
    private long correctnessErrors;

    private SwarmSummary()
    {
    }

    static SwarmSummary of(
        final BotSwarm.Settings settings,
        final BotAgent[] agents,
        final IntervalReporter reporter,
        final long elapsedNs,
        final long errors)
    {
        final SwarmSummary summary = new SwarmSummary();
        summary.botsRequested = settings.bots();
        summary.run.put("bots", settings.bots());
        summary.run.put("threads", settings.threads());
        summary.run.put("durationS", settings.durationNs() / 1e9);
        summary.run.put("elapsedS", elapsedNs / 1e9);
        summary.run.put("rampBotsPerSecond", settings.rampBotsPerSecond());
        summary.run.put("inputRateHz", settings.inputRateHz());
        summary.run.put("mix", settings.mix().toString());
        summary.run.put("seed", settings.seed());
        summary.run.put("aeronDir", settings.aeronDirectoryName());

        long launched = 0;
        long connected = 0;
        long rejected = 0;
        long inputsSent = 0;
        long inputsLate = 0;
        long inputsUnmeasured = 0;
        long updates = 0;
        long spawns = 0;
        long spawnsReplacingHeld = 0;
        long despawns = 0;
        long regressions = 0;
        long updatesUnknown = 0;
        long despawnsUnknown = 0;
        long viewOverflows = 0;
        long backPressured = 0;
        long unexpectedDisconnects = 0;
        long ackStalls = 0;
        long malformed = 0;
        long authorityChanges = 0;
        long unknownImage = 0;
        long linkMalformed = 0;
        long untrustedRejects = 0;
        long transientRejects = 0;
        long bytesReceived = 0;
        long resumptions = 0;
        long resumeAttempts = 0;
        long resumesStarted = 0;
        long hellosLost = 0;
        long hellosResent = 0;
        long inputsUnsentLayerGone = 0;
        long inputsUnacknowledgedAtLoss = 0;
        long inputsSkippedWhileResuming = 0;
        long lossesByImage = 0;
        long lossesBySilence = 0;
        long staleDespawns = 0;
        long rolledBack = 0;
        long longestGapNs = 0;
        long longestResumeNs = 0;
        long resuming = 0;
        final InventoryCounters inventory = new InventoryCounters();
        final Histogram inventoryLatency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long commutes = 0;
        long minTimeDilationPerMille = 1000;
        long timeDilationChanges = 0;
        final long[] replicants = new long[COMPOSITION_COUNTS];
        for (final BotAgent agent : agents)
        {
            for (int l = 0; l < agent.linkCount(); l++)
            {
                final io.orrery.core.client.ClientLink link = agent.link(l);
                unknownImage += link.unknownImageMessages();
                linkMalformed += link.malformedMessages();
                untrustedRejects += link.untrustedRejects();
                bytesReceived += link.bytesReceived();
            }
            inventory.add(agent.inventoryHook().counters());
            if (agent.inventoryHook() instanceof SessionInventoryHook)
            {
                inventoryLatency.add(((SessionInventoryHook)agent.inventoryHook()).latencyHistogram());
            }
            for (int i = 0; i < agent.botCount(); i++)
            {
                final Bot bot = agent.bot(i);
                final ClientSession session = bot.session();
                unexpectedDisconnects += bot.unexpectedDisconnects();
                inputsLate += bot.inputsLate();
                inputsSkippedWhileResuming += bot.inputsSkippedWhileResuming();
                ackStalls += bot.inputAcknowledgementStalls();
                commutes += bot.commutes;
                lossesByImage += bot.layerLossesByImage();
                lossesBySilence += bot.layerLossesBySilence();
                if (null == session)
                {
                    continue;
                }
                launched++;
                connected += bot.welcomed() ? 1 : 0;
                rejected += ClientSession.State.REJECTED == session.state() ? 1 : 0;
                transientRejects += session.transientRejects();
                inputsSent += session.inputsSent();
                inputsUnmeasured += session.inputsUnmeasured();
                updates += session.updatesReceived();
                spawns += session.spawnsReceived();
                spawnsReplacingHeld += session.spawnsReplacingHeld();
                despawns += session.despawnsReceived();
                regressions += session.acknowledgementRegressions();
                updatesUnknown += session.updatesForUnknownEntities();
                despawnsUnknown += session.despawnsForUnknownEntities();
                viewOverflows += session.viewOverflows();
                backPressured += session.inputsBackPressured();
                malformed += session.malformedReceived();
                authorityChanges += session.authorityChangesSeen();
                resumptions += session.resumptions();
                resumeAttempts += session.resumeAttempts();
                resumesStarted += session.resumesStarted();
                hellosLost += session.hellosLost();
                hellosResent += session.hellosResent();
                inputsUnsentLayerGone += session.inputsUnsentLayerGone();
                inputsUnacknowledgedAtLoss += session.inputsUnacknowledgedAtLayerLoss();
                staleDespawns += session.staleDespawns();
                rolledBack = Math.max(rolledBack, session.acknowledgementsRolledBack());
                longestGapNs = Math.max(longestGapNs, session.longestUpdateGapNs());
                longestResumeNs = Math.max(longestResumeNs, session.longestResumeNs());
                resuming += ClientSession.State.RESUMING == session.state() ? 1 : 0;
                minTimeDilationPerMille = Math.min(minTimeDilationPerMille, session.minTimeDilationPerMille());
                timeDilationChanges += session.timeDilationChanges();
                addComposition(session, replicants);
            }
        }
        summary.botsConnected = connected;
        summary.counts.put("botsLaunched", launched);
        summary.counts.put("botsConnected", connected);
        summary.counts.put("botsFailed", settings.bots() - connected);
        summary.counts.put("botsRejected", rejected);
        summary.counts.put("rejectsRetried", transientRejects);
        summary.counts.put("rejectsUntrusted", untrustedRejects);
        summary.counts.put("inputsSent", inputsSent);
        summary.counts.put("inputsLate", inputsLate);
        summary.counts.put("inputsUnmeasured", inputsUnmeasured);
        summary.counts.put("updatesReceived", updates);
        summary.counts.put("spawnsReceived", spawns);
        summary.counts.put("spawnsReplacingHeld", spawnsReplacingHeld);
        summary.counts.put("despawnsReceived", despawns);
        summary.counts.put("commutesCompleted", commutes);
        summary.counts.put("authorityChangesSeen", authorityChanges);
        // the lowest time dilation any bot was told (1000 = real time throughout), and how often bots were told
        summary.counts.put("minTimeDilationPerMille", minTimeDilationPerMille);
        summary.counts.put("timeDilationChanges", timeDilationChanges);
        summary.counts.put("inventoryRequestsSent", inventory.requestsSent);
        summary.counts.put("inventoryResends", inventory.resends);
        summary.counts.put("inventoryStowed", inventory.stowed);
        summary.counts.put("inventoryUnstowed", inventory.unstowed);
        summary.counts.put("inventoryDuplicates", inventory.duplicates);
        summary.counts.put("inventoryRefused", inventory.refused);
        summary.counts.put("inventoryStoreUnavailable", inventory.storeUnavailable);
        if (inventoryLatency.getTotalCount() > 0)
        {
            summary.counts.put("inventoryLatencyP50Us", inventoryLatency.getValueAtPercentile(50) / 1000);
            summary.counts.put("inventoryLatencyP99Us", inventoryLatency.getValueAtPercentile(99) / 1000);
            summary.counts.put("inventoryLatencyMaxUs", inventoryLatency.getMaxValue() / 1000);
        }
        summary.counts.put("bytesReceived", bytesReceived);
        // bandwidth per client: message bytes received over the whole run (ramp-up included) per connected bot
        summary.counts.put("bytesPerClientPerSecond", connected > 0 && elapsedNs > 0 ?
            Math.round(bytesReceived / (double)connected / (elapsedNs / 1e9)) : 0);
        summary.counts.put("sessionsResumed", resumptions);
        summary.counts.put("resumeHellos", resumeAttempts);
        summary.counts.put("resumesStarted", resumesStarted);
        summary.counts.put("hellosLost", hellosLost);
        summary.counts.put("hellosResent", hellosResent);
        summary.counts.put("inputsUnsentLayerGone", inputsUnsentLayerGone);
        // lost with a layer, legitimately (none was acknowledged): sent and unacknowledged when the layer went, and
        // due while resuming (never sent); not correctness errors
        summary.counts.put("inputsLostInLayerRestart", inputsUnacknowledgedAtLoss + inputsSkippedWhileResuming);
        summary.counts.put("inputsUnacknowledgedAtLayerLoss", inputsUnacknowledgedAtLoss);
        summary.counts.put("inputsSkippedWhileResuming", inputsSkippedWhileResuming);
        summary.counts.put("layerLossesByImage", lossesByImage);
        summary.counts.put("layerLossesBySilence", lossesBySilence);
        summary.counts.put("sessionsResumingAtEnd", resuming);
        summary.counts.put("staleEntitiesDespawned", staleDespawns);
        summary.counts.put("acknowledgementsRolledBackMax", rolledBack);
        summary.counts.put("longestUpdateGapMs", TimeUnit.NANOSECONDS.toMillis(longestGapNs));
        summary.counts.put("longestResumeMs", TimeUnit.NANOSECONDS.toMillis(longestResumeNs));
        summary.counts.put("unknownImageMessages", unknownImage);
        summary.counts.put("threadErrors", errors);

        summary.correctness.put("acknowledgementRegressions", regressions);
        summary.correctness.put("updatesForUnknownEntities", updatesUnknown);
        summary.correctness.put("despawnsForUnknownEntities", despawnsUnknown);
        summary.correctness.put("viewOverflows", viewOverflows);
        summary.correctness.put("inputsBackPressured", backPressured);
        summary.correctness.put("unexpectedDisconnects", unexpectedDisconnects);
        summary.correctness.put("inputAcknowledgementStalls", ackStalls);
        summary.correctness.put("malformedMessages", malformed + linkMalformed);
        summary.correctness.put("inventoryMismatches", inventory.mismatches);
        summary.correctness.put("inventoryUnexpectedResults", inventory.unexpectedResults);
        // several Replicants per shard: the view's composition; the two protocol violations are correctness errors
        summary.correctness.put("ownerEpochConflicts", replicants[OWNER_EPOCH_CONFLICTS]);
        summary.correctness.put("unknownReplicantMessages", replicants[UNKNOWN_REPLICANT_MESSAGES]);
        for (int i = 0; i < COMPOSITION_COUNTS; i++)
        {
            if (OWNER_EPOCH_CONFLICTS != i && UNKNOWN_REPLICANT_MESSAGES != i)
            {
                summary.composition.put(COMPOSITION_NAMES[i], replicants[i]);
            }
        }
        long total = 0;
        for (final long value : summary.correctness.values())
        {
            total += value;
        }
        summary.correctnessErrors = total;

        for (int m = 0; m < MetricSet.METRICS; m++)
        {
            summary.histograms[m] = reporter.totals(m).copy();
            summary.steadyHistograms[m] = reporter.steadyTotals(m).copy();
        }
        summary.steadyFromEpochMs = reporter.steadyFromEpochMs();
        return summary;
    }

    private static void addComposition(final ClientSession session, final long[] sums)
    {
        sums[0] += session.ownerChanges();
        sums[1] += session.ownerHandoffsAwaited();
        sums[2] += session.ownerHandoffsExpired();
        sums[3] += session.spawnsNotOwning();
        sums[4] += session.nonOwnerEntries();
        sums[5] += session.despawnsOfNonOwners();
        sums[OWNER_EPOCH_CONFLICTS] += session.ownerEpochConflicts();
        sums[UNKNOWN_REPLICANT_MESSAGES] += session.unknownReplicantMessages();
    }

    /**
     * @return the client link's counts of composing views from several Replicants, summed over bots, in one line
     * ({@code "replicants: ownerChanges 12, ..."}, the non-zero ones, the two correctness errors among them marked),
     * or an empty string when all are zero (one Replicant per shard: nothing to say).
     */
    public String compositionLine()
    {
        final StringBuilder line = new StringBuilder(128);
        for (final String name : COMPOSITION_NAMES)
        {
            final long value = count(name);
            if (0 != value)
            {
                line.append(0 == line.length() ? "replicants: " : ", ").append(name).append(' ').append(value);
                if (isCompositionError(name))
                {
                    line.append(" (correctness error)");
                }
            }
        }
        return line.toString();
    }

    private static boolean isCompositionError(final String name)
    {
        return COMPOSITION_NAMES[OWNER_EPOCH_CONFLICTS].equals(name) ||
            COMPOSITION_NAMES[UNKNOWN_REPLICANT_MESSAGES].equals(name);
    }

    /**
     * Attach a figure measured outside the swarm (CPU, RSS, GC, shard counters).
     */
    public SwarmSummary extra(final String name, final Object value)
    {
        extra.put(name, value);
        return this;
    }

    public long botsRequested()
    {
        return botsRequested;
    }

    public long botsConnected()
    {
        return botsConnected;
    }

    public long botsFailed()
    {
        return botsRequested - botsConnected;
    }

    public long count(final String name)
    {
        Long value = counts.get(name);
        if (null == value)
        {
            value = composition.get(name);
        }
        return null == value ? correctness.get(name) : value;
    }

    /**
     * @return the sum of all correctness counts; 0 for a clean run.
     */
    public long correctnessErrors()
    {
        return correctnessErrors;
    }

    public Map<String, Long> correctness()
    {
        return correctness;
    }

    /**
     * @param metric a {@link MetricSet} metric index.
     * @return the merged histogram (ns).
     */
    public Histogram histogram(final int metric)
    {
        return histograms[metric];
    }

    /**
     * @param metric a {@link MetricSet} metric index.
     * @return the merged histogram (ns) of the steady-state intervals ({@link BotSwarm#markSteady()}); empty when
     * the run never settled or was not marked.
     */
    public Histogram steadyHistogram(final int metric)
    {
        return steadyHistograms[metric];
    }

    /**
     * @return whether steady-state intervals were counted (the swarm was marked steady).
     */
    public boolean hasSteadyState()
    {
        return Long.MAX_VALUE != steadyFromEpochMs;
    }

    /**
     * @return 0 when every bot connected and every correctness count is zero; else 1 (the summary says which).
     */
    public int exitCode()
    {
        return botsFailed() > 0 || correctnessErrors > 0 ? 1 : 0; // never 2: that is the command line's usage error
    }

    /**
     * @return a human-readable summary.
     */
    public String toText()
    {
        final StringBuilder out = new StringBuilder(2048);
        out.append("=== Orrery bot swarm summary ===\n");
        for (final Map.Entry<String, Object> entry : run.entrySet())
        {
            out.append(String.format(Locale.ROOT, "%-34s %s%n", entry.getKey(), entry.getValue()));
        }
        out.append("--- counts ---\n");
        for (final Map.Entry<String, Long> entry : counts.entrySet())
        {
            out.append(String.format(Locale.ROOT, "%-34s %,d%n", entry.getKey(), entry.getValue()));
        }
        final String compositionLine = compositionLine();
        if (!compositionLine.isEmpty())
        {
            out.append(compositionLine).append('\n');
        }
        out.append("--- correctness (all must be 0) ---\n");
        for (final Map.Entry<String, Long> entry : correctness.entrySet())
        {
            if (0 != entry.getValue() || !isCompositionError(entry.getKey()))
            {
                out.append(String.format(Locale.ROOT, "%-34s %,d%n", entry.getKey(), entry.getValue()));
            }
        }
        out.append("--- latency, ms ---\n");
        out.append(String.format(Locale.ROOT, "%-16s %12s %9s %9s %9s %9s %9s %9s%n",
            "metric", "count", "mean", "p50", "p90", "p99", "p99.9", "max"));
        appendTextRows(out, histograms);
        if (hasSteadyState())
        {
            out.append("--- latency in steady state (intervals from ").append(Instant.ofEpochMilli(steadyFromEpochMs))
                .append(", a report interval after every bot settled), ms ---\n");
            appendTextRows(out, steadyHistograms);
        }
        if (!extra.isEmpty())
        {
            out.append("--- process ---\n");
            for (final Map.Entry<String, Object> entry : extra.entrySet())
            {
                out.append(String.format(Locale.ROOT, "%-34s %s%n", entry.getKey(), entry.getValue()));
            }
        }
        out.append("result: ").append(0 == exitCode() ? "OK" : "FAILED")
            .append(" (bots failed ").append(botsFailed())
            .append(", correctness errors ").append(correctnessErrors).append(")\n");
        return out.toString();
    }

    /**
     * @return the summary as JSON (latencies in ns).
     */
    public String toJson()
    {
        final StringBuilder out = new StringBuilder(4096);
        out.append("{\n  \"run\": ");
        appendObject(out, run);
        out.append(",\n  \"counts\": ");
        appendObject(out, counts);
        out.append(",\n  \"composition\": ");
        appendObject(out, composition);
        out.append(",\n  \"correctness\": ");
        appendObject(out, correctness);
        out.append(",\n  \"correctnessErrors\": ").append(correctnessErrors);
        out.append(",\n  \"latencyNs\": {");
        appendJsonMetrics(out, histograms);
        if (hasSteadyState())
        {
            out.append("\n  },\n  \"steadyStateFromEpochMs\": ").append(steadyFromEpochMs);
            out.append(",\n  \"latencyNsSteady\": {");
            appendJsonMetrics(out, steadyHistograms);
        }
        out.append("\n  },\n  \"process\": ");
        appendObject(out, extra);
        out.append(",\n  \"exitCode\": ").append(exitCode()).append("\n}\n");
        return out.toString();
    }

    private static void appendTextRows(final StringBuilder out, final Histogram[] metrics)
    {
        for (int m = 0; m < MetricSet.METRICS; m++)
        {
            final Histogram h = metrics[m];
            out.append(String.format(Locale.ROOT, "%-16s %,12d %9.3f", MetricSet.NAMES[m], h.getTotalCount(),
                h.getMean() / 1e6));
            for (final double percentile : PERCENTILES)
            {
                out.append(String.format(Locale.ROOT, " %9.3f", h.getValueAtPercentile(percentile) / 1e6));
            }
            out.append(String.format(Locale.ROOT, " %9.3f%n", h.getMaxValue() / 1e6));
        }
    }

    private static void appendJsonMetrics(final StringBuilder out, final Histogram[] metrics)
    {
        for (int m = 0; m < MetricSet.METRICS; m++)
        {
            final Histogram h = metrics[m];
            out.append(0 == m ? "\n" : ",\n").append("    \"").append(MetricSet.NAMES[m]).append("\": {")
                .append("\"count\": ").append(h.getTotalCount())
                .append(", \"mean\": ").append(Math.round(h.getMean()));
            for (final double percentile : PERCENTILES)
            {
                out.append(", \"p").append(String.valueOf(percentile).replace(".0", "").replace('.', '_'))
                    .append("\": ").append(h.getValueAtPercentile(percentile));
            }
            out.append(", \"max\": ").append(h.getMaxValue()).append('}');
        }
    }

    private static void appendObject(final StringBuilder out, final Map<String, ?> map)
    {
        out.append('{');
        boolean first = true;
        for (final Map.Entry<String, ?> entry : map.entrySet())
        {
            out.append(first ? "" : ", ").append('"').append(entry.getKey()).append("\": ");
            final Object value = entry.getValue();
            if (value instanceof Number || value instanceof Boolean)
            {
                out.append(value);
            }
            else
            {
                out.append('"').append(String.valueOf(value).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            first = false;
        }
        out.append('}');
    }
}
