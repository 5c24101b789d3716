/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.exceptions.RegistrationException;
import io.orrery.link.UdpChannels;
import io.orrery.wire.codec.HelloDecoder;
import io.orrery.wire.codec.RejectReason;
import io.orrery.wire.codec.WelcomeDecoder;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2ObjectHashMap;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * The handshake and resumption state machine of a {@link ClientLink}'s sessions: ingress publications, hellos and
 * their resends, welcomes, hello rejects with their backoff, giving up at the connect deadline, and the start of a
 * resumption when a connected session lost its layer. The rules are in {@link ClientLink}'s Javadoc; the link's
 * steady-state path (responses, loss detection, heartbeats, the stale sweep) stays in the link.
 * <p>
 * Correlation ids are drawn from {@link SecureRandom} (fresh for every hello but an identical resend), so nobody but
 * the layer that received a hello can answer it; jitter is drawn from a xorshift64* seeded from it (no secrecy needed).
 * <p>
 * Threading: the link's duty cycle thread only. Allocates only when a session opens a publication or is created.
 */
final class ClientHandshake
{
    static final long FIRST_HELLO_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long MAX_HELLO_BACKOFF_NS = TimeUnit.SECONDS.toNanos(2);
    private static final int HELLO_TEMPLATE_ID = HelloDecoder.TEMPLATE_ID;

    private final ClientLink link;
    private final Aeron aeron;
    private final ClientLink.Settings settings;
    private final String[] ingressChannels;
    private final SecureRandom correlationIds = new SecureRandom();
    private final Long2ObjectHashMap<ClientSession> sessionByCorrelation = new Long2ObjectHashMap<>();
    private int nextIngressChannel;
    private long jitterState;

    ClientHandshake(final ClientLink link, final Aeron aeron, final ClientLink.Settings settings)
    {
        this.link = link;
        this.aeron = aeron;
        this.settings = settings;
        this.ingressChannels = new String[settings.ingressChannels.length];
        for (int i = 0; i < ingressChannels.length; i++)
        {
            ingressChannels[i] = UdpChannels.withTermLength(
                settings.ingressChannels[i], ClientLink.DEFAULT_INGRESS_TERM_LENGTH);
        }
        this.jitterState = correlationIds.nextLong() | 1L;
    }

    /**
     * @return ingress channel {@code index}, with a term length if the configured one named none.
     */
    String ingressChannel(final int index)
    {
        return ingressChannels[index];
    }

    /**
     * A new session: its correlation id, connect deadline, ingress channel (round robin) and publication.
     */
    ClientSession newSession(final byte[] token, final ClientListener listener, final long nowNs)
    {
        final ClientSession session = new ClientSession(
            link, nextCorrelationId(), token, listener, settings.viewCapacity, settings.maxReplicants);
        session.connectStartNs = nowNs;
        session.ownerHandoffTimeoutNs = settings.ownerHandoffTimeoutNs;
        session.nextHelloNs = nowNs;
        session.deadlineNs = nowNs + settings.connectTimeoutNs;
        session.ingressChannelIndex = nextIngressChannel;
        nextIngressChannel = (nextIngressChannel + 1) % ingressChannels.length;
        openIngress(session, nowNs);
        sessionByCorrelation.put(session.correlationId, session);
        return session;
    }

    /**
     * Duty cycle of a session in {@link ClientSession.State#CONNECTING}: wait for its publication, send the hello
     * when it is due and the publication connected, give up at the deadline.
     *
     * @return work done.
     */
    int connecting(final ClientSession session, final long nowNs)
    {
        if (null == session.publication)
        {
            try
            {
                session.publication = aeron.getExclusivePublication(session.registrationId);
            }
            catch (final RegistrationException ex)
            {
                link.close(session, ClientSession.State.DISCONNECTED, ClientSession.REASON_CONNECT_FAILED);
                return 1;
            }
        }
        if (nowNs > session.deadlineNs)
        {
            giveUp(session);
            return 1;
        }
        if (rotateIfUnreachable(session, nowNs) > 0)
        {
            return 1;
        }
        final String responseChannel;
        if (null != session.publication && nowNs - session.nextHelloNs >= 0 && session.publication.isConnected() &&
            null != (responseChannel = link.helloResponseChannel()) &&
            session.sendHello(responseChannel, settings.responseStreamId, nowNs))
        {
            session.state = ClientSession.State.AWAITING_WELCOME;
            session.lastHelloNs = nowNs;
            session.resendBackoffNs = settings.resumeBackoffInitialNs;
            session.helloResendAfterNs = upperHalfJitter(session.resendBackoffNs);
            if (session.resuming)
            {
                session.resumeAttempts++;
            }
            return 1;
        }
        return 0;
    }

    /**
     * Duty cycle of a session in {@link ClientSession.State#AWAITING_WELCOME}. A hello (first or resume) is out. It
     * can be answered as long as the publication that carried it is connected to the subscription that received it:
     * until then it is never abandoned. A hello the layer has not answered within the upper half of its resend
     * backoff ({@link ClientLink.Settings#resumeBackoffInitialNs(long)} doubling to
     * {@link ClientLink.Settings#resumeBackoffMaxNs(long)}) is sent again, identical (same correlation id), on the
     * same publication: a layer that took the first ignores it (the image is bound; the welcome to come answers
     * both), a layer that shed or dropped the first takes it. If the publication loses its subscriber (the layer
     * that read the hello is gone: a dead layer's subscription reaped, the layer killed again), the next layer never
     * saw the hello: a new one, with a new correlation id, once the publication is connected again, after a
     * jittered delay.
     *
     * @return work done.
     */
    int awaitingWelcome(final ClientSession session, final long nowNs)
    {
        if (nowNs > session.deadlineNs)
        {
            giveUp(session);
            return 1;
        }
        final ExclusivePublication publication = session.publication;
        if (publication.isClosed())
        {
            session.publication = null;
            openIngress(session, nowNs);
            return restartHello(session, nowNs);
        }
        if (!publication.isConnected())
        {
            return restartHello(session, nowNs);
        }
        final String responseChannel;
        if (nowNs - session.lastHelloNs >= session.helloResendAfterNs &&
            null != (responseChannel = link.helloResponseChannel()) &&
            session.sendHello(responseChannel, settings.responseStreamId, nowNs))
        {
            session.hellosResent++;
            if (session.resuming)
            {
                session.resumeAttempts++;
            }
            session.lastHelloNs = nowNs;
            session.resendBackoffNs = Math.min(settings.resumeBackoffMaxNs, session.resendBackoffNs << 1);
            session.helloResendAfterNs = upperHalfJitter(session.resendBackoffNs);
            return 1;
        }
        return 0;
    }

    /**
     * The layer is lost: keep the session and its view, find a layer again on a new publication through the next
     * Gateway, the first hello drawn anywhere in the initial backoff so a crowd that lost its layer at the same moment
     * does not hello in step. The caller has unbound the session's response image.
     */
    void startResume(final ClientSession session, final int cause, final long nowNs)
    {
        session.resuming = true;
        session.resumeStartNs = nowNs;
        session.staleSweepAtNs = 0;
        CloseHelper.quietClose(session.publication);
        session.publication = null;
        session.ingressChannelIndex = (session.ingressChannelIndex + 1) % ingressChannels.length; // the next Gateway
        openIngress(session, nowNs);
        session.rejectReason = -1;
        session.deadlineNs = nowNs + settings.resumeTimeoutNs;
        session.helloBackoffNs = settings.resumeBackoffInitialNs;
        newCorrelationId(session);
        session.nextHelloNs = nowNs + jitter(session.helloBackoffNs);
        session.state = ClientSession.State.CONNECTING;
        session.resumesStarted++;
        session.lastLossCause = cause;
        session.listener.onResumeStarted(session, cause);
    }

    /**
     * @return the session awaiting its welcome that sent the hello with this correlation id, or null.
     */
    ClientSession awaitingWelcome(final long clientCorrelationId)
    {
        final ClientSession session = sessionByCorrelation.get(clientCorrelationId);
        return null != session && ClientSession.State.AWAITING_WELCOME == session.state ? session : null;
    }

    /**
     * The session is welcomed (its response image already bound by the link): take the welcome's terms, end a
     * resumption (the stale sweep to come), tell the listener.
     */
    void onWelcome(final ClientSession session, final WelcomeDecoder welcome, final long nowNs)
    {
        session.sessionId = welcome.sessionId();
        session.playerEntityId = welcome.playerEntityId();
        session.heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(welcome.heartbeatIntervalMs());
        session.sessionTimeoutNs = TimeUnit.MILLISECONDS.toNanos(welcome.sessionTimeoutMs());
        session.layerSilenceTimeoutNs = session.heartbeatIntervalNs > 0 ? Math.min(session.sessionTimeoutNs,
            settings.layerLossHeartbeats * session.heartbeatIntervalNs) : session.sessionTimeoutNs;
        session.state = ClientSession.State.CONNECTED;
        session.timeDilationPerMille = 1000; // a new layer session starts at real time and is told otherwise
        session.connectedNs = nowNs;
        session.lastReceivedNs = nowNs;
        if (session.resuming)
        {
            session.resuming = false;
            session.resumptions++;
            session.longestResumeNs = Math.max(session.longestResumeNs, nowNs - session.resumeStartNs);
            session.resumedAtNs = nowNs;
            session.view.forgetOwnerEpochs();
            session.staleSweepAtNs = nowNs + settings.resumeSettleNs;
            session.rollbackWindow = true;
            session.helloBackoffNs = 0;
        }
        session.listener.onWelcome(session);
    }

    /**
     * A trusted reject of a session awaiting its welcome: final for reasons that a retry cannot change, else a new
     * hello with a new correlation id after a backoff.
     */
    void onHelloRejected(final ClientSession session, final int reason, final int rejectedTemplateId, final long nowNs)
    {
        session.rejectReason = reason;
        session.rejectsReceived++;
        if (isFinal(reason))
        {
            session.listener.onReject(session, reason, rejectedTemplateId);
            link.close(session, ClientSession.State.REJECTED, reason);
            return;
        }

        session.transientRejects++;
        if (session.resuming)
        {
            session.helloBackoffNs = Math.min(settings.resumeBackoffMaxNs, Math.max(settings.resumeBackoffInitialNs,
                session.helloBackoffNs << 1));
        }
        else
        {
            session.helloBackoffNs = 0 == session.helloBackoffNs ?
                FIRST_HELLO_BACKOFF_NS : Math.min(MAX_HELLO_BACKOFF_NS, session.helloBackoffNs << 1);
        }
        newCorrelationId(session);
        session.nextHelloNs = nowNs + session.helloBackoffNs + jitter(1 + (session.helloBackoffNs >> 1));
        session.state = ClientSession.State.CONNECTING;
    }

    /**
     * The session ends: its correlation id answers nothing any more.
     */
    void onClosed(final ClientSession session)
    {
        sessionByCorrelation.remove(session.correlationId);
    }

    /**
     * @return true for reject reasons that another hello with the same token cannot change.
     */
    static boolean isFinal(final int reason)
    {
        return RejectReason.badToken.value() == reason || RejectReason.expiredToken.value() == reason ||
            RejectReason.unsupportedVersion.value() == reason;
    }

    /**
     * @return a uniformly drawn delay in [0, boundNs) (xorshift64*: no allocation, seeded from
     * {@link SecureRandom}; jitter needs no secrecy).
     */
    long jitter(final long boundNs)
    {
        long x = jitterState;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        jitterState = x;
        return boundNs <= 1 ? 0 : ((x * 0x2545F4914F6CDD1DL) >>> 1) % boundNs;
    }

    /**
     * @return a delay drawn uniformly from the upper half of {@code backoffNs}.
     */
    private long upperHalfJitter(final long backoffNs)
    {
        final long halfNs = Math.max(1, backoffNs >> 1);
        return halfNs + jitter(halfNs);
    }

    /**
     * Open the session's ingress publication on its current ingress channel.
     */
    private void openIngress(final ClientSession session, final long nowNs)
    {
        session.registrationId = aeron.asyncAddExclusivePublication(
            ingressChannels[session.ingressChannelIndex], settings.ingressStreamId);
        session.ingressSinceNs = nowNs;
    }

    /**
     * A resuming session whose ingress publication found no subscriber for twice the initial resume backoff tries the
     * next ingress channel (that Gateway may be gone too).
     */
    private int rotateIfUnreachable(final ClientSession session, final long nowNs)
    {
        if (session.resuming && ingressChannels.length > 1 && null != session.publication &&
            !session.publication.isConnected() && nowNs - session.ingressSinceNs > 2 * settings.resumeBackoffInitialNs)
        {
            CloseHelper.quietClose(session.publication);
            session.publication = null;
            session.ingressChannelIndex = (session.ingressChannelIndex + 1) % ingressChannels.length;
            openIngress(session, nowNs);
            return 1;
        }
        return 0;
    }

    private int restartHello(final ClientSession session, final long nowNs)
    {
        session.hellosLost++;
        newCorrelationId(session);
        session.nextHelloNs = nowNs + jitter(session.resuming ? session.helloBackoffNs : FIRST_HELLO_BACKOFF_NS);
        session.state = ClientSession.State.CONNECTING;
        return 1;
    }

    /**
     * The connect deadline passed: rejected with the last transient reason if the layer answered, else failed.
     */
    private void giveUp(final ClientSession session)
    {
        if (session.rejectReason >= 0)
        {
            session.listener.onReject(session, session.rejectReason, HELLO_TEMPLATE_ID);
            link.close(session, ClientSession.State.REJECTED, session.rejectReason);
        }
        else
        {
            link.close(session, ClientSession.State.DISCONNECTED, ClientSession.REASON_CONNECT_FAILED);
        }
    }

    private void newCorrelationId(final ClientSession session)
    {
        sessionByCorrelation.remove(session.correlationId);
        session.correlationId = nextCorrelationId();
        sessionByCorrelation.put(session.correlationId, session);
    }

    private long nextCorrelationId()
    {
        long correlationId;
        do
        {
            correlationId = correlationIds.nextLong();
        }
        while (0 == correlationId || sessionByCorrelation.containsKey(correlationId));
        return correlationId;
    }
}
