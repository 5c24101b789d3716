/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.Subscription;
import io.orrery.link.BoundedFragmentAssembler;
import io.orrery.link.UdpChannels;
import io.orrery.wire.codec.DespawnReason;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.WelcomeDecoder;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.collections.Int2ObjectHashMap;
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
 * Structure: the link polls the responses ({@link ClientResponseAdapter} decodes them into each session's view) and
 * runs the connected sessions' timers (layer loss, heartbeats, the stale sweep after a resumption), every duty cycle
 * or once per {@link Settings#sessionSweepIntervalNs(long)}; the handshake and resumption state machine (hellos,
 * welcomes, rejects, backoff) is {@link ClientHandshake}'s, run on every duty cycle while any session connects.
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
        /**
         * Default of {@link #ownerHandoffTimeoutNs(long)}: 2 s.
         */
        public static final long OWNER_HANDOFF_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(2);

        String[] ingressChannels = { "aeron:ipc?term-length=64k" };
        int ingressStreamId = 1001;
        String responseChannel = "aeron:ipc?term-length=64k";
        int responseStreamId = 2001;
        int viewCapacity = 2048;
        int maxReplicants = 4;
        long ownerHandoffTimeoutNs = OWNER_HANDOFF_TIMEOUT_DEFAULT_NS;
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
        long sessionSweepIntervalNs;

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
         * How often the link visits its connected sessions for their timers: layer loss (image closed, ingress gone,
         * silence), heartbeats, the stale sweep after a resumption and entities awaiting their next owner too long
         * ({@link #ownerHandoffTimeoutNs(long)}). Default 0: every duty cycle. A host of
         * thousands of sessions whose duty cycle runs far more often than these timers need (they are hundreds of
         * milliseconds and more) sets about a millisecond: a closed image is then seen up to that much later, and
         * the duty cycle no longer touches every session each time. Sessions that are connecting or resuming are
         * visited on every duty cycle whatever this says; an input that finds the layer gone is seen at once.
         */
        public Settings sessionSweepIntervalNs(final long sessionSweepIntervalNs)
        {
            if (sessionSweepIntervalNs < 0)
            {
                throw new IllegalArgumentException("sessionSweepIntervalNs must not be negative");
            }
            this.sessionSweepIntervalNs = sessionSweepIntervalNs;
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

        /**
         * Replicant ids {@code 0..maxReplicants - 1} a session's view accepts (several Replicants per shard; default
         * 4, 1..256). Frames of a higher id are counted ({@link ClientSession#unknownReplicantMessages()}) and
         * dropped. Each Replicant a session hears from costs its view two handle tables.
         */
        public Settings maxReplicants(final int maxReplicants)
        {
            this.maxReplicants = maxReplicants;
            return this;
        }

        /**
         * Longest an entity stays in a session's view after its owner Replicant despawned it with {@code handedOff}
         * while the next owner's spawn does not come (a layer bug, a lost Replicant): then it is removed
         * ({@link ClientListener#onDespawn} with reason {@code handedOff},
         * {@link ClientSession#ownerHandoffsExpired()}). Default {@link #OWNER_HANDOFF_TIMEOUT_DEFAULT_NS} (2 s),
         * from the link's clock; checked when the link visits its sessions ({@link #sessionSweepIntervalNs(long)}).
         */
        public Settings ownerHandoffTimeoutNs(final long ownerHandoffTimeoutNs)
        {
            if (ownerHandoffTimeoutNs <= 0)
            {
                throw new IllegalArgumentException("ownerHandoffTimeoutNs must be positive: " + ownerHandoffTimeoutNs);
            }
            this.ownerHandoffTimeoutNs = ownerHandoffTimeoutNs;
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
    /**
     * Largest message the Replication Layer sends (1/8 of a 64 KiB term): reassembly buffers start this size.
     */
    static final int MAX_MESSAGE_LENGTH = 8 * 1024;
    /**
     * Term length given to an ingress channel that names none.
     */
    static final String DEFAULT_INGRESS_TERM_LENGTH = "64k";
    static final long SWEEP_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int MESSAGES_TOO_LONG_COUNTER = 0;
    private static final int IMAGES_REFUSED_COUNTER = 1;
    private static final int FRAGMENTS_REFUSED_COUNTER = 2;

    private final Aeron aeron;
    private final Settings settings;
    private final NanoClock clock;
    private final UnsafeBuffer counterValues = new UnsafeBuffer(
        BufferUtil.allocateDirectAligned(3 * CountersReader.COUNTER_LENGTH, CountersReader.COUNTER_LENGTH));
    private final AtomicCounter messagesTooLong = new AtomicCounter(counterValues, MESSAGES_TOO_LONG_COUNTER);
    private final AtomicCounter imagesRefused = new AtomicCounter(counterValues, IMAGES_REFUSED_COUNTER);
    private final AtomicCounter fragmentsRefused = new AtomicCounter(counterValues, FRAGMENTS_REFUSED_COUNTER);
    private final BoundedFragmentAssembler assembler;
    private final Subscription responses;
    private String helloResponseChannel;
    private final Int2ObjectHashMap<ClientSession> sessionByImage = new Int2ObjectHashMap<>();
    private final ArrayList<ClientSession> sessions = new ArrayList<>();

    private final ClientHandshake handshake;
    private final ClientResponseAdapter responseAdapter = new ClientResponseAdapter(new ResponseListener());

    private long nowNs;
    private boolean responsesDrained;
    private boolean handshakesPending;
    private long nextSessionSweepNs;
    private long nextSweepNs;

    public ClientLink(final Aeron aeron, final Settings settings)
    {
        this.aeron = aeron;
        this.settings = settings;
        this.clock = settings.clock;
        this.handshake = new ClientHandshake(this, aeron, settings);
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
        final ClientSession session = handshake.newSession(token, listener, clock.nanoTime());
        sessions.add(session);
        handshakesPending = true;
        return session;
    }

    /**
     * @return the ingress channel sessions publish on: the configured one, with a term length if it named none.
     */
    public String ingressChannel()
    {
        return handshake.ingressChannel(0);
    }

    /**
     * @return the ingress channel the session publishes on now (one of several Gateways').
     */
    public String ingressChannel(final ClientSession session)
    {
        return handshake.ingressChannel(session.ingressChannelIndex);
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
        if (handshakesPending || nowNs - nextSessionSweepNs >= 0)
        {
            nextSessionSweepNs = nowNs + settings.sessionSweepIntervalNs;
            handshakesPending = false; // set again by any session still connecting
            for (int i = sessions.size() - 1; i >= 0; i--)
            {
                workCount += dutyCycle(sessions.get(i));
            }
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
                    onLayerLost(session, lossCause, ClientSession.LOSS_IMAGE_CLOSED == lossCause ?
                        ClientSession.REASON_LAYER_GONE : ClientSession.REASON_LOCAL_TIMEOUT);
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
                final int expired = session.expireOwnerHandoffs(nowNs);
                session.heartbeatIfIdle(nowNs);
                return expired;

            case CONNECTING:
                handshakesPending = true;
                return handshake.connecting(session, nowNs);

            case AWAITING_WELCOME:
                handshakesPending = true;
                return handshake.awaitingWelcome(session, nowNs);

            default:
                return 0;
        }
    }

    /**
     * An input found the session's ingress publication without its subscriber: the layer is gone.
     */
    void onIngressGone(final ClientSession session)
    {
        if (ClientSession.State.CONNECTED == session.state)
        {
            onLayerLost(session, ClientSession.LOSS_INGRESS_GONE, ClientSession.REASON_LAYER_GONE);
        }
    }

    /**
     * A connected session lost its layer: resume if resumption is on, else end it with {@code reason}.
     */
    private void onLayerLost(final ClientSession session, final int cause, final int reason)
    {
        session.onLayerLost();
        if (settings.resume)
        {
            resume(session, cause);
        }
        else
        {
            close(session, ClientSession.State.DISCONNECTED, reason);
        }
    }

    /**
     * Keep the session and its view and find a layer again ({@link ClientHandshake#startResume}); its response image
     * is the lost layer's.
     */
    private void resume(final ClientSession session, final int cause)
    {
        unbindImage(session);
        handshake.startResume(session, cause, nowNs);
        handshakesPending = true;
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
        handshake.onClosed(session);
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
            final ClientSession session = handshake.awaitingWelcome(welcome.clientCorrelationId());
            if (null == session)
            {
                return false;
            }
            session.imageSessionId = imageSessionId;
            session.responseImage = responses.imageBySessionId(imageSessionId);
            sessionByImage.put(imageSessionId, session);
            handshake.onWelcome(session, welcome, nowNs);
            return true;
        }

        @Override
        public boolean onHelloRejected(final long clientCorrelationId, final int reason, final int rejectedTemplateId)
        {
            final ClientSession session = handshake.awaitingWelcome(clientCorrelationId);
            if (null == session)
            {
                return false;
            }
            handshake.onHelloRejected(session, reason, rejectedTemplateId, nowNs);
            return true;
        }

        @Override
        public void onDisconnect(final ClientSession session, final int reason)
        {
            if (settings.resume && DisconnectReason.shutdown.value() == reason &&
                ClientSession.State.CONNECTED == session.state)
            {
                session.onLayerLost();
                resume(session, ClientSession.LOSS_SHUTDOWN); // a layer stopping cleanly, to be restarted
            }
            else if (settings.resume && DisconnectReason.slowConsumer.value() == reason &&
                ClientSession.State.CONNECTED == session.state)
            {
                // dropped for falling behind (a burst such as every session resuming at once): resume with backoff
                // and one fresh snapshot; a client that stays too slow is dropped again, less and less often
                session.onLayerLost();
                resume(session, ClientSession.LOSS_SLOW_CONSUMER);
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
