/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.exceptions.RegistrationException;
import io.orrery.link.BoundedFragmentAssembler;
import io.orrery.link.UdpChannels;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.RejectReason;
import io.orrery.wire.codec.WelcomeDecoder;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * What a game client embeds to talk to a Replication Layer: it hosts one or many {@link ClientSession}s over one
 * Aeron client. Each session has its own exclusive ingress publication (its own Aeron session, its own handshake);
 * all sessions of one link share one response endpoint and are told apart by the Aeron session id of the egress
 * image the Replication Layer opened for each (bound on the Welcome, which echoes the session's correlation id).
 * A game client uses one session; a bot host uses thousands on one link.
 * <p>
 * Handshake and rejects. Each hello carries a correlation id drawn from {@link SecureRandom}, fresh for every hello
 * (a resume hello sent again, identical, on the same publication keeps it: the same reader sees it again), so nobody
 * but the layer that received the hello can answer it. A Reject before the Welcome is trusted only if its
 * correlation id is the one of a session awaiting its welcome; any other is counted ({@link #untrustedRejects()})
 * and ignored. A trusted reject for {@code badToken}, {@code expiredToken} or {@code unsupportedVersion} is final:
 * the session ends {@link ClientSession.State#REJECTED}. Any other reason ({@code tooManySessions},
 * {@code duplicateSession}, ...) is transient: it is counted in {@link ClientSession#transientRejects()}, and the
 * session sends a new hello with a new correlation id after a backoff (100 ms doubling to 2 s, plus up to half of
 * it again as jitter) until its connect deadline. An unanswered hello is never abandoned while its publication stays
 * connected: it is sent again, identical, and a new one follows only when the publication lost its subscriber (see
 * Resumption below, which applies to first hellos too); if the deadline passes, the session ends
 * {@link ClientSession.State#REJECTED} with the last reason. A listener's {@code onReject} before the welcome is
 * called only when the session gives up.
 * <p>
 * Layer loss. A connected session has lost its layer when the response image the layer opened for it closes (its
 * publication is gone: the layer closed it, or the media driver reaped a dead layer), when its own ingress publication
 * loses its subscriber (seen at once by an input that cannot be sent), or when the layer has sent nothing
 * for {@link Settings#layerLossHeartbeats(int)} (3) of the welcome's heartbeat intervals; the layer heartbeats every
 * idle session, so a quiet but live layer is never taken for lost. Silence is judged only on a duty cycle whose poll
 * drained the responses (a backlog on a busy client is not silence), and always at the welcome's session timeout.
 * Without resumption the session ends {@link ClientSession.State#DISCONNECTED}
 * ({@link ClientSession#REASON_LAYER_GONE} or {@link ClientSession#REASON_LOCAL_TIMEOUT}).
 * <p>
 * Resumption ({@link Settings#resume(boolean)}; off by default for an embedder that wants to decide, on in the bot
 * swarm). Instead of ending on a lost layer, on a Disconnect with reason {@code shutdown} (a layer stopping cleanly,
 * as for a restart) or {@code slowConsumer} (it fell behind, as when every session of a restarted layer resumes at
 * once), the session reports {@link ClientSession.State#RESUMING}
 * ({@link ClientListener#onResumeStarted}), drops its egress image, opens a new ingress publication and sends its
 * hello again (same token, a new correlation id) after a delay drawn uniformly from the initial backoff
 * {@link Settings#resumeBackoffInitialNs(long)} (1 s), so a crowd that lost its layer at the same moment does not
 * hello in step. A resume hello is never abandoned while it can still be answered, that is while its publication stays
 * connected: unanswered within the upper half of the current backoff (doubling to
 * {@link Settings#resumeBackoffMaxNs(long)}, 30 s, jitter per session and per resend) it is sent again, identical, on
 * the same publication, which a layer that took the first ignores and a layer that shed or dropped the first takes, so
 * one resumption opens one layer session. A publication that loses its subscriber (the dead layer's subscription
 * reaped, the layer killed again) carried a hello the next layer never sees: a new hello with a new correlation id
 * follows, after a jittered delay, once it is connected again. Past {@link Settings#resumeTimeoutNs(long)} (60 s) the
 * session ends {@link ClientSession.State#DISCONNECTED}.
 * A restarted layer remembers no session: the resumed session is a new layer session (new session id, the player's
 * entity restored from the store on a persistent shard, or created again) bound to the same client-side session
 * object. Its view is kept, and every entity held is stale from the new welcome on: the layer streams the session a
 * fresh snapshot (spawns for everything in its bubble, spread over ticks by the byte budget), each spawn refreshing
 * the held entry; {@link Settings#resumeSettleNs(long)} (1 s) after the welcome, once no spawn has arrived for half
 * that (a layer paces a snapshot at the rate its client reads, so a large one takes seconds) and at the latest
 * {@link Settings#resumeSettleMaxNs(long)} (10 s) after it, every entry not refreshed since is despawned at the client
 * (reason {@code resync}, {@link ClientSession#staleDespawns()}). Inputs continue their sequence (the new layer session takes any increasing
 * sequence); inputs acknowledged before the loss are never sent again, so none is applied twice, and a restored entity
 * whose last applied input is below the last acknowledged one (write-behind lost the end) is counted in
 * {@link ClientSession#acknowledgementsRolledBack()}, not as a regression.
 * <p>
 * Ingress channels are given a 64 KiB term ({@code term-length=64k}) unless they name one: a layer refuses ingress
 * images with large terms, and Aeron's default UDP term is 16 MiB. Responses are reassembled within bounds
 * ({@link BoundedFragmentAssembler}): messages up to {@link #MAX_MESSAGE_LENGTH}, at most
 * {@link Settings#maxReassemblies(int)} at once, images with terms up to {@link Settings#maxResponseTermLength(int)}.
 * <p>
 * Threading: an {@link Agent}; all sessions are driven by {@link #doWork()} on one thread. Zero allocation in steady
 * state.
 */
public final class ClientLink implements Agent, AutoCloseable
{
    /**
     * Settings of a link. Defaults match the Replication Layer's defaults.
     */
    public static final class Settings
    {
        String[] ingressChannels = { "aeron:ipc?term-length=64k" };
        int ingressStreamId = 1001;
        String responseChannel = "aeron:ipc?term-length=64k";
        int responseStreamId = 2001;
        int viewCapacity = 2048;
        long connectTimeoutNs = TimeUnit.SECONDS.toNanos(10);
        int maxReassemblies = 4096;
        int maxResponseTermLength = 16 * 1024 * 1024;
        NanoClock clock = SystemNanoClock.INSTANCE;
        boolean resume;
        long resumeBackoffInitialNs = TimeUnit.SECONDS.toNanos(1);
        long resumeBackoffMaxNs = TimeUnit.SECONDS.toNanos(30);
        long resumeTimeoutNs = TimeUnit.SECONDS.toNanos(60);
        long resumeSettleNs = TimeUnit.SECONDS.toNanos(1);
        long resumeSettleMaxNs = TimeUnit.SECONDS.toNanos(10);
        int layerLossHeartbeats = 3;

        /**
         * A connected session whose layer has sent nothing for this many of the welcome's heartbeat intervals (the
         * layer heartbeats every idle session) has lost its layer, or at the welcome's session timeout if that comes
         * first. Default 3 (3 s at the layer's default 1 s heartbeat). At least 2, so one late heartbeat on a busy
         * layer is never taken for a loss. A layer stalled for that long (a host loaded far beyond its cores) is
         * taken for lost and resumed from: raise it there; a dead layer is still seen at once when the media driver
         * closes its image.
         */
        public Settings layerLossHeartbeats(final int layerLossHeartbeats)
        {
            if (layerLossHeartbeats < 2)
            {
                throw new IllegalArgumentException("layerLossHeartbeats must be at least 2: " + layerLossHeartbeats);
            }
            this.layerLossHeartbeats = layerLossHeartbeats;
            return this;
        }

        /**
         * Resume sessions whose layer went away instead of ending them (default false).
         */
        public Settings resume(final boolean resume)
        {
            this.resume = resume;
            return this;
        }

        public Settings resumeBackoffInitialNs(final long resumeBackoffInitialNs)
        {
            this.resumeBackoffInitialNs = resumeBackoffInitialNs;
            return this;
        }

        public Settings resumeBackoffMaxNs(final long resumeBackoffMaxNs)
        {
            this.resumeBackoffMaxNs = resumeBackoffMaxNs;
            return this;
        }

        /**
         * How long a session may resume before it gives up.
         */
        public Settings resumeTimeoutNs(final long resumeTimeoutNs)
        {
            this.resumeTimeoutNs = resumeTimeoutNs;
            return this;
        }

        /**
         * Time after a resumed welcome within which the layer's snapshot must refresh a held entity, or it is
         * despawned as stale.
         */
        public Settings resumeSettleNs(final long resumeSettleNs)
        {
            this.resumeSettleNs = resumeSettleNs;
            return this;
        }

        /**
         * @param resumeSettleMaxNs the latest the stale sweep after a resumed welcome waits for a paced snapshot
         *                          (spawns still arriving) to end (default 10 s).
         * @return this.
         */
        public Settings resumeSettleMaxNs(final long resumeSettleMaxNs)
        {
            this.resumeSettleMaxNs = resumeSettleMaxNs;
            return this;
        }

        /**
         * The ingress channel, or several separated by commas ({@link #ingressChannels(String...)}): a layer's
         * Gateway may listen on several endpoints.
         */
        public Settings ingressChannel(final String channel)
        {
            return ingressChannels(UdpChannels.split(channel));
        }

        /**
         * Several ingress channels (several Gateways of one shard, same stream id): sessions are spread over them
         * round robin, and a session that resumes does so through the next one, so a lost Gateway costs its clients
         * a resumption through another.
         */
        public Settings ingressChannels(final String... channels)
        {
            if (null == channels || 0 == channels.length)
            {
                throw new IllegalArgumentException("at least one ingress channel");
            }
            this.ingressChannels = channels.clone();
            return this;
        }

        public Settings ingressStreamId(final int streamId)
        {
            this.ingressStreamId = streamId;
            return this;
        }

        /**
         * Channel the layer sends this link's responses to. Over UDP the endpoint may have port 0: the media driver
         * binds an ephemeral port and hellos name the port it bound (none is sent before the port is known).
         */
        public Settings responseChannel(final String channel)
        {
            this.responseChannel = channel;
            return this;
        }

        public Settings responseStreamId(final int streamId)
        {
            this.responseStreamId = streamId;
            return this;
        }

        /**
         * Entities each session's local view can hold.
         */
        public Settings viewCapacity(final int viewCapacity)
        {
            this.viewCapacity = viewCapacity;
            return this;
        }

        public Settings connectTimeoutNs(final long connectTimeoutNs)
        {
            this.connectTimeoutNs = connectTimeoutNs;
            return this;
        }

        /**
         * Fragmented responses in reassembly at once; a host of many sessions needs about one per session.
         */
        public Settings maxReassemblies(final int maxReassemblies)
        {
            this.maxReassemblies = maxReassemblies;
            return this;
        }

        /**
         * Largest term length of a response image accepted; longer ones are refused.
         */
        public Settings maxResponseTermLength(final int maxResponseTermLength)
        {
            this.maxResponseTermLength = maxResponseTermLength;
            return this;
        }

        public Settings clock(final NanoClock clock)
        {
            this.clock = clock;
            return this;
        }
    }

    static final int FRAGMENT_LIMIT = 1024;
    private static final int HELLO_TEMPLATE_ID = io.orrery.wire.codec.HelloDecoder.TEMPLATE_ID;
    /**
     * Largest message the Replication Layer sends (1/8 of a 64 KiB term): reassembly buffers start this size.
     */
    static final int MAX_MESSAGE_LENGTH = 8 * 1024;
    /**
     * Term length given to an ingress channel that names none.
     */
    static final String DEFAULT_INGRESS_TERM_LENGTH = "64k";
    static final long FIRST_HELLO_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long MAX_HELLO_BACKOFF_NS = TimeUnit.SECONDS.toNanos(2);
    static final long SWEEP_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int MESSAGES_TOO_LONG_COUNTER = 0;
    private static final int IMAGES_REFUSED_COUNTER = 1;
    private static final int FRAGMENTS_REFUSED_COUNTER = 2;

    private final Aeron aeron;
    private final Settings settings;
    private final String[] ingressChannels;
    private int nextIngressChannel;
    private final NanoClock clock;
    private final SecureRandom correlationIds = new SecureRandom();
    private final UnsafeBuffer counterValues = new UnsafeBuffer(
        BufferUtil.allocateDirectAligned(3 * CountersReader.COUNTER_LENGTH, CountersReader.COUNTER_LENGTH));
    private final AtomicCounter messagesTooLong = new AtomicCounter(counterValues, MESSAGES_TOO_LONG_COUNTER);
    private final AtomicCounter imagesRefused = new AtomicCounter(counterValues, IMAGES_REFUSED_COUNTER);
    private final AtomicCounter fragmentsRefused = new AtomicCounter(counterValues, FRAGMENTS_REFUSED_COUNTER);
    private final BoundedFragmentAssembler assembler;
    private final Subscription responses;
    private String helloResponseChannel;
    private final Int2ObjectHashMap<ClientSession> sessionByImage = new Int2ObjectHashMap<>();
    private final Long2ObjectHashMap<ClientSession> sessionByCorrelation = new Long2ObjectHashMap<>();
    private final ArrayList<ClientSession> sessions = new ArrayList<>();

    private final ClientResponseAdapter responseAdapter = new ClientResponseAdapter(new ResponseListener());

    private long nowNs;
    private boolean responsesDrained;
    private long jitterState;
    private long nextSweepNs;

    public ClientLink(final Aeron aeron, final Settings settings)
    {
        this.aeron = aeron;
        this.settings = settings;
        this.clock = settings.clock;
        this.ingressChannels = new String[settings.ingressChannels.length];
        for (int i = 0; i < ingressChannels.length; i++)
        {
            ingressChannels[i] = UdpChannels.withTermLength(settings.ingressChannels[i], DEFAULT_INGRESS_TERM_LENGTH);
        }
        this.jitterState = correlationIds.nextLong() | 1L;
        this.assembler = new BoundedFragmentAssembler(
            responseAdapter,
            MAX_MESSAGE_LENGTH,
            settings.maxResponseTermLength,
            settings.maxReassemblies,
            messagesTooLong,
            imagesRefused,
            fragmentsRefused);
        this.responses = aeron.addSubscription(
            settings.responseChannel, settings.responseStreamId, assembler::refuseOversizedImage, (image) -> {});
        final boolean ephemeralResponsePort = UdpChannels.isUdp(settings.responseChannel) &&
            0 == UdpChannels.endpointPort(settings.responseChannel);
        this.helloResponseChannel = ephemeralResponsePort ? null : settings.responseChannel;
    }

    /**
     * @return the response channel hellos name: the configured one, or with an ephemeral UDP port the channel with
     * the port the media driver bound; null while that port is not known yet.
     */
    public String helloResponseChannel()
    {
        if (null == helloResponseChannel)
        {
            helloResponseChannel = responses.tryResolveChannelEndpointPort(); // once, on the control path
        }
        return helloResponseChannel;
    }

    /**
     * Start a session: opens its ingress publication and, once connected, sends the hello with the token. The
     * hello's correlation id is drawn by the link ({@link SecureRandom}), never by the caller: a predictable one
     * lets anyone answer the hello in the layer's name.
     *
     * @param token    signed session token from the login service.
     * @param listener callbacks, or null.
     * @return the session, in state {@link ClientSession.State#CONNECTING}.
     */
    public ClientSession connect(final byte[] token, final ClientListener listener)
    {
        final ClientSession session = new ClientSession(
            this, nextCorrelationId(), token, listener, settings.viewCapacity);
        final long now = clock.nanoTime();
        session.connectStartNs = now;
        session.nextHelloNs = now;
        session.deadlineNs = now + settings.connectTimeoutNs;
        session.ingressChannelIndex = nextIngressChannel;
        nextIngressChannel = (nextIngressChannel + 1) % ingressChannels.length;
        openIngress(session, now);
        sessionByCorrelation.put(session.correlationId, session);
        sessions.add(session);
        return session;
    }

    /**
     * @return the ingress channel sessions publish on: the configured one, with a term length if it named none.
     */
    public String ingressChannel()
    {
        return ingressChannels[0];
    }

    /**
     * @return the ingress channel the session publishes on now (one of several Gateways').
     */
    public String ingressChannel(final ClientSession session)
    {
        return ingressChannels[session.ingressChannelIndex];
    }

    @Override
    public String roleName()
    {
        return "orrery-client-link";
    }

    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        responseAdapter.nowNs(nowNs);
        int workCount = responses.controlledPoll(assembler, FRAGMENT_LIMIT);
        responsesDrained = workCount < FRAGMENT_LIMIT;
        for (int i = sessions.size() - 1; i >= 0; i--)
        {
            workCount += dutyCycle(sessions.get(i));
        }
        if (nowNs - nextSweepNs >= 0)
        {
            nextSweepNs = nowNs + SWEEP_INTERVAL_NS;
            if (assembler.reassemblyCount() > sessionByImage.size())
            {
                workCount += assembler.freeBuffersOfGoneImages(responses);
            }
        }
        return workCount;
    }

    @Override
    public void onClose()
    {
        for (int i = sessions.size() - 1; i >= 0; i--)
        {
            final ClientSession session = sessions.get(i);
            if (session.isConnected())
            {
                session.disconnect();
            }
            else
            {
                close(session, ClientSession.State.CLOSED, ClientSession.REASON_LOCAL_TIMEOUT);
            }
        }
        CloseHelper.quietClose(responses);
    }

    @Override
    public void close()
    {
        onClose();
    }

    public int sessionCount()
    {
        return sessions.size();
    }

    public ClientSession session(final int index)
    {
        return sessions.get(index);
    }

    /**
     * Messages from egress images that belong to no session of this link.
     */
    public long unknownImageMessages()
    {
        return responseAdapter.unknownImageMessages();
    }

    /**
     * @return bytes of the messages this link received, all sessions together (message bytes, without Aeron's frame
     * headers).
     */
    public long bytesReceived()
    {
        return responseAdapter.bytesReceived();
    }

    public long malformedMessages()
    {
        return responseAdapter.malformedMessages();
    }

    /**
     * @return whether the last {@link #doWork()} polled every response that had arrived (fewer fragments than its
     * limit): only then do the sessions' acknowledgements and receive times reflect what the layer has sent, and a
     * caller may judge the layer by them (a backlog on a busy client is the client's delay, not the layer's).
     */
    public boolean responsesDrained()
    {
        return responsesDrained;
    }

    /**
     * Rejects received before a welcome whose correlation id matches no session awaiting its welcome: spoofed, or
     * answers to an earlier hello of a session that has moved on. They are ignored.
     */
    public long untrustedRejects()
    {
        return responseAdapter.untrustedRejects();
    }

    /**
     * Responses dropped: longer than {@link #MAX_MESSAGE_LENGTH}, or no reassembly buffer free.
     */
    public long responsesTooLong()
    {
        return messagesTooLong.get();
    }

    /**
     * Response images refused (their term is above the maximum) and fragments dropped from them.
     */
    public long responseImagesRefused()
    {
        return imagesRefused.get() + fragmentsRefused.get();
    }

    public Aeron aeron()
    {
        return aeron;
    }

    private int dutyCycle(final ClientSession session)
    {
        switch (session.state)
        {
            case CONNECTED:
                final int lossCause = layerLossCause(session);
                if (0 != lossCause)
                {
                    session.onLayerLost();
                    if (settings.resume)
                    {
                        startResume(session, lossCause);
                    }
                    else
                    {
                        close(session, ClientSession.State.DISCONNECTED, ClientSession.LOSS_IMAGE_CLOSED == lossCause ?
                            ClientSession.REASON_LAYER_GONE : ClientSession.REASON_LOCAL_TIMEOUT);
                    }
                    return 1;
                }
                if (0 != session.staleSweepAtNs && nowNs - session.staleSweepAtNs >= 0)
                {
                    // a layer paces the snapshot of a resumed session (spawns within what the client reads): while
                    // spawns still arrive, the snapshot is not complete yet; sweep once they have been quiet for half
                    // the settle time, or at the latest resumeSettleMaxNs after the welcome
                    final long quietAtNs = session.lastSpawnNs + (settings.resumeSettleNs >> 1);
                    final long latestNs = session.resumedAtNs + settings.resumeSettleMaxNs;
                    if (nowNs - quietAtNs < 0 && nowNs - latestNs < 0)
                    {
                        session.staleSweepAtNs = quietAtNs - latestNs < 0 ? quietAtNs : latestNs;
                    }
                    else
                    {
                        return despawnStale(session);
                    }
                }
                session.heartbeatIfIdle(nowNs);
                return 0;

            case CONNECTING:
                return connecting(session);

            case AWAITING_WELCOME:
                if (nowNs > session.deadlineNs)
                {
                    giveUp(session);
                    return 1;
                }
                return awaitWelcome(session);

            default:
                return 0;
        }
    }

    private int connecting(final ClientSession session)
    {
        if (null == session.publication)
        {
            try
            {
                session.publication = aeron.getExclusivePublication(session.registrationId);
            }
            catch (final RegistrationException ex)
            {
                close(session, ClientSession.State.DISCONNECTED, ClientSession.REASON_CONNECT_FAILED);
                return 1;
            }
        }
        if (nowNs > session.deadlineNs)
        {
            giveUp(session);
            return 1;
        }
        if (rotateIfUnreachable(session) > 0)
        {
            return 1;
        }
        if (null != session.publication && nowNs - session.nextHelloNs >= 0 && session.publication.isConnected() &&
            null != helloResponseChannel() &&
            session.sendHello(helloResponseChannel, settings.responseStreamId, nowNs))
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
     * An input found the session's ingress publication without its subscriber: the layer is gone.
     */
    void onIngressGone(final ClientSession session)
    {
        if (ClientSession.State.CONNECTED != session.state)
        {
            return;
        }
        session.onLayerLost();
        if (settings.resume)
        {
            startResume(session, ClientSession.LOSS_INGRESS_GONE);
        }
        else
        {
            close(session, ClientSession.State.DISCONNECTED, ClientSession.REASON_LAYER_GONE);
        }
    }

    /**
     * @return why the session's layer is lost ({@link ClientSession#LOSS_IMAGE_CLOSED},
     * {@link ClientSession#LOSS_SILENCE}), or 0 while it is live. Silence counts only once this duty cycle's poll
     * drained the responses (a backlog is not silence), except past the session timeout.
     */
    private int layerLossCause(final ClientSession session)
    {
        if (null != session.responseImage && session.responseImage.isClosed())
        {
            return ClientSession.LOSS_IMAGE_CLOSED;
        }
        if (!session.publication.isConnected())
        {
            return ClientSession.LOSS_INGRESS_GONE;
        }
        final long silentNs = nowNs - session.lastReceivedNs;
        if (silentNs > session.layerSilenceTimeoutNs && (responsesDrained || silentNs > session.sessionTimeoutNs))
        {
            return ClientSession.LOSS_SILENCE;
        }
        return 0;
    }

    /**
     * The layer is lost: keep the session and its view, find a layer again on a new publication, the first hello
     * drawn anywhere in the initial backoff so a crowd that lost its layer at the same moment does not hello in step.
     */
    private void startResume(final ClientSession session, final int cause)
    {
        session.resuming = true;
        session.resumeStartNs = nowNs;
        session.staleSweepAtNs = 0;
        unbindImage(session);
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
     * A hello (first or resume) is out. It can be answered as long as the publication that carried it is connected to
     * the subscription that received it: until then it is never abandoned. A hello the layer has not answered within
     * the upper half of its resend backoff ({@link Settings#resumeBackoffInitialNs(long)} doubling to
     * {@link Settings#resumeBackoffMaxNs(long)}) is sent again, identical (same correlation id), on the same
     * publication: a layer that took the first ignores it (the image is bound; the welcome to come answers both), a
     * layer that shed or dropped the first takes it. If the publication loses its subscriber (the layer that read the
     * hello is gone: a dead layer's subscription reaped, the layer killed again), the next layer never saw the hello:
     * a new one, with a new correlation id, once the publication is connected again, after a jittered delay.
     */
    private int awaitWelcome(final ClientSession session)
    {
        final ExclusivePublication publication = session.publication;
        if (publication.isClosed())
        {
            session.publication = null;
            openIngress(session, nowNs);
            return restartHello(session);
        }
        if (!publication.isConnected())
        {
            return restartHello(session);
        }
        if (nowNs - session.lastHelloNs >= session.helloResendAfterNs &&
            null != helloResponseChannel() &&
            session.sendHello(helloResponseChannel, settings.responseStreamId, nowNs))
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
    private int rotateIfUnreachable(final ClientSession session)
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

    private int restartHello(final ClientSession session)
    {
        session.hellosLost++;
        newCorrelationId(session);
        session.nextHelloNs = nowNs + jitter(session.resuming ? session.helloBackoffNs : FIRST_HELLO_BACKOFF_NS);
        session.state = ClientSession.State.CONNECTING;
        return 1;
    }

    private void unbindImage(final ClientSession session)
    {
        if (0 != session.imageSessionId)
        {
            sessionByImage.remove(session.imageSessionId);
            assembler.freeSessionBuffer(session.imageSessionId);
            session.imageSessionId = 0;
        }
        session.responseImage = null;
    }

    private void newCorrelationId(final ClientSession session)
    {
        sessionByCorrelation.remove(session.correlationId);
        session.correlationId = nextCorrelationId();
        sessionByCorrelation.put(session.correlationId, session);
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
     * The settle time after a resumed welcome passed: despawn every entity the new layer has not sent since.
     */
    private int despawnStale(final ClientSession session)
    {
        session.staleSweepAtNs = 0;
        final ClientEntityView view = session.view;
        int despawned = 0;
        for (int slot = 0, capacity = view.capacity(); slot < capacity; slot++)
        {
            final long entityId = view.entityId(slot);
            if (view.slotOf(entityId) == slot && view.lastUpdateNs(slot) - session.resumedAtNs < 0 &&
                view.release(entityId))
            {
                session.staleDespawns++;
                despawned++;
                session.listener.onDespawn(session, entityId, DespawnReason.resync.value());
            }
        }
        return despawned;
    }

    /**
     * The connect deadline passed: rejected with the last transient reason if the layer answered, else failed.
     */
    private void giveUp(final ClientSession session)
    {
        if (session.rejectReason >= 0)
        {
            session.listener.onReject(session, session.rejectReason, HELLO_TEMPLATE_ID);
            close(session, ClientSession.State.REJECTED, session.rejectReason);
        }
        else
        {
            close(session, ClientSession.State.DISCONNECTED, ClientSession.REASON_CONNECT_FAILED);
        }
    }

    /**
     * A trusted reject of a session awaiting its welcome: final for reasons that a retry cannot change, else a new
     * hello with a new correlation id after a backoff.
     */
    private void onHelloRejected(final ClientSession session, final int reason, final int rejectedTemplateId)
    {
        session.rejectReason = reason;
        session.rejectsReceived++;
        if (isFinal(reason))
        {
            session.listener.onReject(session, reason, rejectedTemplateId);
            close(session, ClientSession.State.REJECTED, reason);
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
     * @return true for reject reasons that another hello with the same token cannot change.
     */
    static boolean isFinal(final int reason)
    {
        return RejectReason.badToken.value() == reason || RejectReason.expiredToken.value() == reason ||
            RejectReason.unsupportedVersion.value() == reason;
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

    void close(final ClientSession session, final ClientSession.State state, final int reason)
    {
        if (ClientSession.State.CLOSED == session.state || ClientSession.State.DISCONNECTED == session.state ||
            ClientSession.State.REJECTED == session.state)
        {
            session.state = ClientSession.State.CLOSED == state ? state : session.state;
            return;
        }
        session.state = state;
        session.disconnectReason = reason;
        sessionByCorrelation.remove(session.correlationId);
        if (0 != session.imageSessionId)
        {
            sessionByImage.remove(session.imageSessionId);
            assembler.freeSessionBuffer(session.imageSessionId);
        }
        sessions.remove(session);
        if (null != session.publication)
        {
            CloseHelper.quietClose(session.publication);
        }
        else
        {
            aeron.asyncRemovePublication(session.registrationId);
        }
        session.responseImage = null;
        session.view.clear();
        session.listener.onDisconnect(session, reason);
    }

    /**
     * The link's side of the response adapter: the handshake and the layer's disconnects change sessions here.
     */
    private final class ResponseListener implements ClientResponseListener
    {
        @Override
        public ClientSession sessionByImage(final int imageSessionId)
        {
            return sessionByImage.get(imageSessionId);
        }

        @Override
        public boolean onWelcome(final int imageSessionId, final WelcomeDecoder welcome)
        {
            final ClientSession session = sessionByCorrelation.get(welcome.clientCorrelationId());
            if (null == session || ClientSession.State.AWAITING_WELCOME != session.state)
            {
                return false;
            }
            session.imageSessionId = imageSessionId;
            session.responseImage = responses.imageBySessionId(imageSessionId);
            sessionByImage.put(imageSessionId, session);
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
                session.staleSweepAtNs = nowNs + settings.resumeSettleNs;
                session.rollbackWindow = true;
                session.helloBackoffNs = 0;
            }
            session.listener.onWelcome(session);
            return true;
        }

        @Override
        public boolean onHelloRejected(final long clientCorrelationId, final int reason, final int rejectedTemplateId)
        {
            final ClientSession session = sessionByCorrelation.get(clientCorrelationId);
            if (null == session || ClientSession.State.AWAITING_WELCOME != session.state)
            {
                return false;
            }
            ClientLink.this.onHelloRejected(session, reason, rejectedTemplateId);
            return true;
        }

        @Override
        public void onDisconnect(final ClientSession session, final int reason)
        {
            if (settings.resume && DisconnectReason.shutdown.value() == reason &&
                ClientSession.State.CONNECTED == session.state)
            {
                session.onLayerLost();
                startResume(session, ClientSession.LOSS_SHUTDOWN); // a layer stopping cleanly, to be restarted
            }
            else if (settings.resume && DisconnectReason.slowConsumer.value() == reason &&
                ClientSession.State.CONNECTED == session.state)
            {
                // dropped for falling behind (a burst such as every session resuming at once): resume with backoff
                // and one fresh snapshot; a client that stays too slow is dropped again, less and less often
                session.onLayerLost();
                startResume(session, ClientSession.LOSS_SLOW_CONSUMER);
            }
            else
            {
                close(session, ClientSession.State.DISCONNECTED, reason);
            }
        }
    }

    /**
     * Default ingress channel for an Aeron directory; see {@link CommonContext#IPC_CHANNEL}.
     */
    public static String ipcChannel()
    {
        return CommonContext.IPC_CHANNEL + "?term-length=64k";
    }
}
