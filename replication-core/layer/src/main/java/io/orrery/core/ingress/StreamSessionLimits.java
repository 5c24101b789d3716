/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.ingress;

import org.agrona.SystemUtil;

import java.util.concurrent.TimeUnit;

/**
 * How many Aeron sessions (publishers, each an image on the receiving side) one UDP stream of a media driver the
 * layer or a Gateway launches may hold ({@code MediaDriver.Context.streamSessionLimit}).
 * <p>
 * Why: every Aeron SETUP frame with a new session id makes the receiving driver create an image, with a log buffer
 * of the term length the sender names (up to 1 GiB, sparse), service it in every receiver duty cycle and show it to
 * the Gateway, whose every ingress poll visits it. Nothing in Aeron bounds how many a stream holds by default. A
 * stranger could therefore create images faster than the Gateway refuses them (it rejects images whose term is above
 * {@link IngressLimits#maxTermLength()}, but one at a time, after the driver made them) and pin memory with each
 * image's pages and CPU with each visit, without ever sending a hello. With the limit the driver refuses further
 * SETUPs of a stream (it logs them as an event) once it holds that many sessions: strangers can then delay new
 * logins, but cannot grow the process.
 * <p>
 * The limit is per stream of each receive endpoint, so it bounds the client ingress (one image per client), the
 * game servers' ingress, the Gateway link and the Atlas link alike; only the client ingress comes near it.
 * <p>
 * The same drivers get a shorter image liveness timeout ({@link #imageLivenessTimeoutNs()}): an image the Gateway
 * rejected keeps its session of the limit until that timeout after its last frame, so it sets how long a stranger
 * holds a session after its rejection.
 */
public final class StreamSessionLimits
{
    /**
     * Aeron's own property; when an operator sets it, it is used as given.
     */
    public static final String AERON_PROP = "aeron.driver.stream.session.limit";

    /**
     * Sessions a stream may hold beyond the maximum of client sessions: hellos awaiting their welcome, refusals
     * awaiting their publication, and the images of ended sessions until the driver drops them.
     */
    public static final int MARGIN = 1024;

    /**
     * Aeron's property for the image liveness timeout; when an operator sets it, it is used as given (Aeron's duration
     * syntax: ns, or with a suffix such as {@code 2s} or {@code 1500ms}).
     */
    public static final String IMAGE_LIVENESS_AERON_PROP = "aeron.image.liveness.timeout";

    /**
     * 5 s instead of Aeron's 10 s: the layer's default session timeout ({@code orrery.session.timeout.ms}). A live
     * Aeron publication sends a frame at least every 100 ms (data or a heartbeat), so an image times out only when no
     * frame of it is read for 5 s: its publisher stalled or lost its network that long, or the driver's own thread
     * did not run (Aeron's receiver reads one datagram per socket per duty cycle and then checks every image's
     * liveness, so after a pause of the driver's thread longer than the timeout every image of a socket but the one
     * whose datagram it read is dropped, however alive its publisher). Any of these also times out the session, so
     * the timeout cuts no session the layer would keep. 3 s did not hold: the embedded driver's shared thread paused
     * for 3.8 s once on the shared 2-core test box at load 26-30, and a legitimate client lost its response image. A
     * rejected stranger's image leaves the stream session limit 5 s after its last frame instead of 10 s. Aeron allows
     * it per driver only (no channel parameter in 1.51), so it applies to every image of the driver: the layer's
     * links (Gateway link, game servers, Atlas) heartbeat the same way.
     */
    public static final long IMAGE_LIVENESS_TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(5);

    private StreamSessionLimits()
    {
    }

    /**
     * @param maxSessions the most client sessions the process serves.
     * @return the limit for a media driver the process launches: {@code maxSessions + MARGIN}, or Aeron's property
     * when it is set.
     */
    public static int forEmbeddedDriver(final int maxSessions)
    {
        final String configured = System.getProperty(AERON_PROP);
        if (null != configured && !configured.isEmpty())
        {
            return Integer.parseInt(configured.trim());
        }
        return (int)Math.min(Integer.MAX_VALUE, (long)maxSessions + MARGIN);
    }

    /**
     * @return the image liveness timeout for a media driver the process launches
     * ({@code MediaDriver.Context.imageLivenessTimeoutNs}): {@link #IMAGE_LIVENESS_TIMEOUT_NS_DEFAULT}, or Aeron's
     * property {@value #IMAGE_LIVENESS_AERON_PROP} when it is set.
     */
    public static long imageLivenessTimeoutNs()
    {
        return SystemUtil.getDurationInNanos(IMAGE_LIVENESS_AERON_PROP, IMAGE_LIVENESS_TIMEOUT_NS_DEFAULT);
    }
}
