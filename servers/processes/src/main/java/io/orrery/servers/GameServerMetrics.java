/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.orrery.core.status.LayerMetrics;
import io.orrery.core.status.PrometheusWriter;
import io.orrery.servers.game.GameServerAgent;
import org.HdrHistogram.Histogram;

/**
 * The metrics of a game server in the Prometheus text format ({@code orrery_game_server_*}, label {@code server}):
 * its state, ticks, entities, players and views as gauges, inputs, handoffs, NPC churn, skipped ticks, publish
 * failures and rejects as counters, and the simulation tick duration as a histogram in seconds.
 * <p>
 * Threading: any thread, one scrape at a time (it drains the agent's tick recorder into a running total).
 */
public final class GameServerMetrics
{
    private static final String[] STATE_NAMES = { "connecting", "running", "rejected", "disconnected", "stopped" };

    private final GameServerAgent agent;
    private final String serverLabel;
    private final Histogram tickTotal = new Histogram(GameServerAgent.MAX_TICK_NS, 2);
    private Histogram tickInterval;

    public GameServerMetrics(final GameServerAgent agent, final int serverId)
    {
        this.agent = agent;
        this.serverLabel = "server=\"" + serverId + "\"";
    }

    /**
     * @return true once the server is welcomed by the layer and simulating.
     */
    public boolean isReady()
    {
        return GameServerAgent.STATE_RUNNING == agent.status(GameServerAgent.STATUS_STATE);
    }

    /**
     * Render the exposition text.
     *
     * @return the text, every line ending in a newline.
     */
    public synchronized String render()
    {
        final StringBuilder text = new StringBuilder(8 * 1024);
        final PrometheusWriter out = new PrometheusWriter(text);
        final long state = agent.status(GameServerAgent.STATUS_STATE);
        out.family("orrery_game_server_state", "gauge", "1 for the state the game server is in.");
        for (int i = 0; i < STATE_NAMES.length; i++)
        {
            out.sample("orrery_game_server_state", serverLabel + ",state=\"" + STATE_NAMES[i] + "\"", state == i ? 1 : 0);
        }
        out.family("orrery_game_server_ready", "gauge", "1 once welcomed by the layer and simulating, else 0.");
        out.sample("orrery_game_server_ready", serverLabel, isReady() ? 1 : 0);

        gauge(out, "orrery_game_server_entities", "Entities the server simulates.", GameServerAgent.STATUS_ENTITIES);
        gauge(out, "orrery_game_server_players", "Players the server simulates.", GameServerAgent.STATUS_PLAYERS);
        gauge(out, "orrery_game_server_views", "Read-only views of entities near its territory.",
            GameServerAgent.STATUS_VIEWS);
        out.family("orrery_game_server_time_dilation", "gauge", "Game time per real time of the simulation " +
            "(1 = real time, lower while the server cannot keep up or an operator forced it).");
        out.sample("orrery_game_server_time_dilation", serverLabel,
            agent.status(GameServerAgent.STATUS_TIME_DILATION_PER_MILLE) / 1000.0);
        counter(out, "orrery_game_server_ticks_total", "Simulation ticks run.", GameServerAgent.STATUS_TICKS);
        counter(out, "orrery_game_server_ticks_skipped_total", "Ticks skipped to catch up with the clock.",
            GameServerAgent.STATUS_TICKS_SKIPPED);
        counter(out, "orrery_game_server_inputs_applied_total", "Player inputs applied.",
            GameServerAgent.STATUS_INPUTS_APPLIED);
        counter(out, "orrery_game_server_inputs_rejected_speed_total", "Player inputs refused: above the speed limit.",
            GameServerAgent.STATUS_INPUTS_REJECTED_SPEED);
        counter(out, "orrery_game_server_handoffs_in_total", "Entities handed over to this server.",
            GameServerAgent.STATUS_HANDOFFS_IN);
        counter(out, "orrery_game_server_handoffs_out_total", "Entities this server handed over.",
            GameServerAgent.STATUS_HANDOFFS_OUT);
        counter(out, "orrery_game_server_npcs_spawned_total", "NPCs spawned.", GameServerAgent.STATUS_NPCS_SPAWNED);
        counter(out, "orrery_game_server_npcs_destroyed_total", "NPCs destroyed.",
            GameServerAgent.STATUS_NPCS_DESTROYED);
        counter(out, "orrery_game_server_publish_failures_total", "State batches the layer's ingress refused.",
            GameServerAgent.STATUS_PUBLISH_FAILURES);
        counter(out, "orrery_game_server_rejects_received_total", "Rejects received from the layer.",
            GameServerAgent.STATUS_REJECTS_RECEIVED);

        tickInterval = agent.tickDurations().getIntervalHistogram(tickInterval);
        tickTotal.add(tickInterval);
        out.histogramSeconds("orrery_game_server_tick_duration_seconds", "Duration of a simulation tick.",
            serverLabel, tickTotal);
        LayerMetrics.writeProcess(out);
        return text.toString();
    }

    private void gauge(final PrometheusWriter out, final String name, final String help, final int slot)
    {
        out.family(name, "gauge", help);
        out.sample(name, serverLabel, agent.status(slot));
    }

    private void counter(final PrometheusWriter out, final String name, final String help, final int slot)
    {
        out.family(name, "counter", help);
        out.sample(name, serverLabel, agent.status(slot));
    }
}
