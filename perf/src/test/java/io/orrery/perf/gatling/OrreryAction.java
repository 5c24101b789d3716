/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.gatling;

import com.typesafe.scalalogging.Logger;
import io.gatling.commons.stats.KO$;
import io.gatling.commons.stats.OK$;
import io.gatling.commons.util.Clock;
import io.gatling.core.action.Action;
import io.gatling.core.session.Session;
import io.gatling.core.stats.StatsEngine;
import scala.Option;

/**
 * One step of a Gatling virtual user that drives its Orrery session through the run's {@link SessionGateway}: on
 * {@link #execute(Session)} (the user's event loop) it hands the request to the gateway and returns; when the gateway
 * thread completes it, the timing goes to Gatling's {@link StatsEngine} and the user moves on with
 * {@code next.!(session)}, which re-enters the user's own event loop (Gatling's {@code Action.!} hops threads when
 * called from outside it), exactly as Gatling's own asynchronous actions do.
 * <p>
 * Timing: Gatling records milliseconds; the start is the wall clock at the request, the end is that start plus the
 * gateway's nanosecond latency rounded to the nearest millisecond, so Gatling's figure and the µs
 * {@link LatencyLog} figure measure the same interval.
 * <p>
 * This implements Gatling's internal Scala {@link Action} from Java (there is no public API for custom protocols):
 * pinned to Gatling 3.15.1 (parent pom {@code gatling.version}).
 * <p>
 * Threading: {@link #execute(Session)} on the virtual user's event loop; completions on the gateway thread.
 */
final class OrreryAction implements Action
{
    /**
     * Session attribute holding the user's {@link VirtualPlayer}.
     */
    static final String PLAYER_KEY = "orrery.player";

    private static final Logger LOGGER = Logger.apply(OrreryAction.class);

    private final GatewayRequest.Kind kind;
    private final String requestName;
    private final OrreryRun run;
    private final StatsEngine statsEngine;
    private final Clock clock;
    private final Action next;

    OrreryAction(
        final GatewayRequest.Kind kind,
        final String requestName,
        final OrreryRun run,
        final StatsEngine statsEngine,
        final Clock clock,
        final Action next)
    {
        this.kind = kind;
        this.requestName = requestName;
        this.run = run;
        this.statsEngine = statsEngine;
        this.clock = clock;
        this.next = next;
    }

    @Override
    public String name()
    {
        return requestName;
    }

    @Override
    public void execute(final Session session)
    {
        try
        {
            send(session);
        }
        catch (final RuntimeException ex)
        {
            LOGGER.underlying().error("'" + requestName + "' failed", ex);
            refuse(session, requestName + " failed: " + ex);
        }
    }

    private void send(final Session session)
    {
        final SessionGateway gateway = run.gateway();
        if (GatewayRequest.Kind.CONNECT == kind)
        {
            final VirtualPlayer player = gateway.newPlayer();
            final Session withPlayer = session.set(PLAYER_KEY, player);
            if (!gateway.connect(player, (ok, startMs, latencyNs, message) ->
                onComplete(withPlayer, ok, startMs, latencyNs, message)))
            {
                refuse(withPlayer, "gateway refused the request (closed or queue full)");
            }
            return;
        }

        final Option<Object> attribute = session.attributes().get(PLAYER_KEY);
        if (attribute.isEmpty())
        {
            refuse(session, "no Orrery session: connect first");
            return;
        }
        final VirtualPlayer player = (VirtualPlayer)attribute.get();
        final RequestCallback callback = (ok, startMs, latencyNs, message) ->
            onComplete(session, ok, startMs, latencyNs, message);
        final boolean accepted = GatewayRequest.Kind.INPUT == kind ?
            gateway.input(player, callback) : gateway.disconnect(player, callback);
        if (!accepted)
        {
            refuse(session, "gateway refused the request (closed or queue full)");
        }
    }

    private void onComplete(
        final Session session, final boolean ok, final long startMs, final long latencyNs, final String message)
    {
        final long endMs = startMs + (latencyNs + 500_000) / 1_000_000;
        statsEngine.logResponse(
            session.scenario(),
            session.groups(),
            requestName,
            startMs,
            endMs,
            ok ? OK$.MODULE$ : KO$.MODULE$,
            Option.empty(),
            ok ? Option.empty() : Option.apply(message));
        next.$bang(ok ? session : session.markAsFailed());
    }

    private void refuse(final Session session, final String message)
    {
        final long nowMs = clock.nowMillis();
        statsEngine.logResponse(
            session.scenario(), session.groups(), requestName, nowMs, nowMs, KO$.MODULE$, Option.empty(),
            Option.apply(message));
        next.$bang(session.markAsFailed());
    }

    @Override
    public Logger logger()
    {
        return LOGGER;
    }

    @Override
    public void com$typesafe$scalalogging$StrictLogging$_setter_$logger_$eq(final Logger logger)
    {
        // Scala's trait initialiser would call this; the logger is a static final here.
    }
}
