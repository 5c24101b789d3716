/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Counter;
import io.aeron.Image;
import io.aeron.Subscription;
import io.orrery.wire.atlas.LinkChallengeDecoder;
import io.orrery.wire.atlas.LinkChallengeEncoder;
import io.orrery.wire.atlas.LinkProofDecoder;
import io.orrery.wire.atlas.LinkProofEncoder;
import io.orrery.wire.atlas.MessageHeaderEncoder;
import org.agrona.collections.LongHashSet;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Mutual authentication of the Atlas link, one end: authenticates every image (publisher) of its subscription by a
 * challenge on its own publication, and proves itself to the other end when challenged. Both ends run one, the layer
 * ({@link AeronAtlasLink}, role {@link AtlasLinkKey#ROLE_LAYER}) and Atlas ({@link AtlasRemoteAgent}, role
 * {@link AtlasLinkKey#ROLE_ATLAS}), each with the key derived from the shard's token secret ({@link AtlasLinkKey}).
 * <ol>
 *   <li>A new image of the subscription (a new Aeron publisher, told apart by its image correlation id, never by its
 *   session id alone) gets 16 fresh bytes from {@link SecureRandom} and is sent {@code LinkChallenge(its session id,
 *   nonce)} on this end's publication, again every {@link #CHALLENGE_INTERVAL_NS} until it answers.</li>
 *   <li>The other end answers a challenge addressed to its own publication's session id with
 *   {@code LinkProof(challenger's session id, nonce, HMAC(K, its role | its session id | challenger's session id |
 *   nonce))} (see {@link AtlasLinkKey}), followed, if it has not authenticated the challenger yet, by its own
 *   challenge again: a challenger reads this end's publication, so that challenge is not lost to a subscription that
 *   had not joined yet, and the handshake completes without waiting for the next interval.</li>
 *   <li>A proof addressed to this end that verifies (MAC compared in constant time, nonce the one drawn for that image)
 *   proves the image; the first proven image is accepted ({@link AtlasLinkControl#onSessionAccepted}) and held until
 *   it goes away, when the next proven one, if any, is accepted. A proof that fails (a wrong MAC, or a nonce that is
 *   not this image's: a proof recorded from an earlier image and replayed) is counted, logged once per image, and the
 *   image is refused for as long as it lives: it is never challenged again nor accepted.</li>
 * </ol>
 * Until an image is accepted its fragments other than challenges, proofs and heartbeats are dropped and counted
 * ({@link #unauthenticated()}); nothing of it reaches Atlas or the mesh. The accepted image is the only source of
 * commands or decisions, so an impostor that reaches the channel first is never trusted, and a genuine peer that
 * comes while an impostor is connected is still accepted.
 * <p>
 * What it does not do: it authenticates publishers, not each message. A party that can inject Aeron frames into the
 * accepted image's stream (spoofed UDP with the same session id) is not stopped by it: the channel must still be IPC
 * or a private network. Commands and decisions are not encrypted. At most {@link #MAX_IMAGES} images are tracked:
 * when they are all taken and another comes, the image that has gone longest without proving itself (pending or
 * refused, at least {@link #EVICT_AFTER_NS}) gives its place up and is not tracked again while it lives (its
 * fragments are counted and dropped), so publishers that never prove cannot keep a restarted genuine peer from being
 * challenged; with no such image, the new one waits until one goes away or becomes old enough.
 * <p>
 * Threading: the thread polling the subscription and writing the publication (one writer). Zero allocation once the
 * images are known (a new image is the control path).
 */
public final class AtlasLinkAuthenticator
{
    /**
     * How often an unanswered challenge is sent again.
     */
    public static final long CHALLENGE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * Default silence of the accepted image after which a proven image takes over (see
     * {@link #takeoverSilenceNs(long)}).
     */
    public static final long TAKEOVER_SILENCE_NS_DEFAULT = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    /**
     * Images tracked at most (pending, proven, refused or accepted).
     */
    public static final int MAX_IMAGES = 64;
    /**
     * How long an image must have gone without proving itself before it gives its place up to a new image when all
     * {@link #MAX_IMAGES} are taken: fifty challenges unanswered; a genuine peer answers the first within a round trip.
     */
    public static final long EVICT_AFTER_NS = TimeUnit.SECONDS.toNanos(5);
    /**
     * Images given up that are remembered (by correlation id) so as not to be tracked again; beyond, the memory is
     * cleared and they compete for a place anew.
     */
    static final int MAX_EVICTED = 1024;
    /**
     * Challenges answered per challenging image at most (a flood of challenges costs one answer each, then nothing).
     */
    public static final int MAX_ANSWERS_PER_IMAGE = 64;
    /**
     * Longest link handshake message.
     */
    public static final int MAX_MESSAGE_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH +
        Math.max(LinkChallengeEncoder.BLOCK_LENGTH, LinkProofEncoder.BLOCK_LENGTH);

    private static final int PENDING = 0;
    private static final int PROVEN = 1;
    private static final int ACCEPTED = 2;
    private static final int REFUSED = 3;
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;

    private final Subscription subscription;
    private final AtlasPublicationWriter writer;
    private final AtlasLinkKey key;
    private final byte ownRole;
    private final byte peerRole;
    private final String name;
    private final Counter unauthenticatedCounter;
    private final Counter proofsFailedCounter;
    private final Consumer<String> log;
    private final SecureRandom random = new SecureRandom();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final LinkChallengeEncoder challengeEncoder = new LinkChallengeEncoder();
    private final LinkProofEncoder proofEncoder = new LinkProofEncoder();
    private final byte[] nonce = new byte[AtlasLinkKey.NONCE_LENGTH];
    private final byte[] proof = new byte[AtlasLinkKey.MAC_LENGTH];
    private final Consumer<Image> onImage = this::onImage;
    private PeerImage[] images = new PeerImage[4];
    private final LongHashSet evicted = new LongHashSet(4 * MAX_EVICTED);
    private long imagesEvicted;
    private long noEvictionBeforeNs;
    private long nowNs;
    private int work;
    private int imageCount;
    private long scanStamp;
    private PeerImage accepted;
    private AtlasLinkControl control;
    private long unauthenticated;
    private long proofsFailed;
    private long challengesSent;
    private long proofsSent;
    private long imagesAccepted;
    private long sessionsLost;
    private long takeovers;
    private long lastPollNs;
    private long takeoverSilenceNs = TAKEOVER_SILENCE_NS_DEFAULT;

    /**
     * @param subscription           the subscription whose images are authenticated.
     * @param writer                 this end's publication: challenges and proofs go there.
     * @param key                    the link key.
     * @param ownRole                this end's role: {@link AtlasLinkKey#ROLE_LAYER} or
     *                               {@link AtlasLinkKey#ROLE_ATLAS}.
     * @param name                   names this end in log lines, e.g. {@code "layer"}.
     * @param unauthenticatedCounter counts fragments from images not accepted (may be null).
     * @param proofsFailedCounter    counts proofs that failed (may be null).
     * @param log                    where the lines go (a failed proof, an accepted or lost peer).
     */
    public AtlasLinkAuthenticator(
        final Subscription subscription,
        final AtlasPublicationWriter writer,
        final AtlasLinkKey key,
        final byte ownRole,
        final String name,
        final Counter unauthenticatedCounter,
        final Counter proofsFailedCounter,
        final Consumer<String> log)
    {
        if (AtlasLinkKey.ROLE_LAYER != ownRole && AtlasLinkKey.ROLE_ATLAS != ownRole)
        {
            throw new IllegalArgumentException("role " + ownRole);
        }
        this.subscription = subscription;
        this.writer = writer;
        this.key = key;
        this.ownRole = ownRole;
        this.peerRole = AtlasLinkKey.ROLE_LAYER == ownRole ? AtlasLinkKey.ROLE_ATLAS : AtlasLinkKey.ROLE_LAYER;
        this.name = name;
        this.unauthenticatedCounter = unauthenticatedCounter;
        this.proofsFailedCounter = proofsFailedCounter;
        this.log = log;
    }

    /**
     * A proven image takes over from the accepted one once the accepted one has been silent (its position unchanged:
     * the peer sends a heartbeat every 100 ms) for longer than this. A killed peer's image stays until the media
     * driver times it out (Aeron's image liveness, 10 s by default): without a takeover, its restarted successor would
     * wait that long, and with it every decision. The silent image is refused from then on (a peer that comes back from
     * a long pause is not accepted again while the new one lives).
     *
     * @param takeoverSilenceNs silence after which a proven image takes over.
     * @return this.
     */
    public AtlasLinkAuthenticator takeoverSilenceNs(final long takeoverSilenceNs)
    {
        this.takeoverSilenceNs = takeoverSilenceNs;
        return this;
    }

    /**
     * @return times a proven image took over from a silent accepted one.
     */
    public long takeovers()
    {
        return takeovers;
    }

    void control(final AtlasLinkControl control)
    {
        this.control = control;
    }

    /**
     * Finds new images (and challenges them), challenges again those that have not answered, forgets the images that
     * went away, and accepts the next proven image when the accepted one went away. Called before each poll.
     *
     * @return work done.
     */
    int onPoll(final long nowNs)
    {
        this.nowNs = nowNs;
        work = 0;
        ++scanStamp;
        subscription.forEachImage(onImage);
        if (sweep(scanStamp))
        {
            work++;
        }
        final long sincePollNs = nowNs - lastPollNs;
        lastPollNs = nowNs;
        if (null != accepted)
        {
            final long position = accepted.image.position();
            if (position != accepted.lastPosition || sincePollNs > takeoverSilenceNs >> 1)
            {
                // heard, or this end itself was not polling (paused): silence counts only while it listens
                accepted.lastPosition = position;
                accepted.lastHeardNs = nowNs;
            }
            else if (nowNs - accepted.lastHeardNs > takeoverSilenceNs)
            {
                takeOverFromSilent();
            }
        }
        return work;
    }

    private void takeOverFromSilent()
    {
        PeerImage proven = null;
        for (int i = 0; i < imageCount && null == proven; i++)
        {
            proven = PROVEN == images[i].state ? images[i] : null;
        }
        if (null == proven)
        {
            return;
        }
        final PeerImage silent = accepted;
        final int sessionId = silent.image.sessionId();
        silent.state = REFUSED;
        accepted = null;
        sessionsLost++;
        takeovers++;
        work++;
        log.accept("orrery: Atlas link (" + name + "): accepted Aeron session " + sessionId + " silent for " +
            java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(nowNs - silent.lastHeardNs) + " ms; session " +
            proven.image.sessionId() + " proved itself and takes over");
        if (null != control)
        {
            control.onSessionLost(sessionId);
        }
        accept(proven);
    }

    private void onImage(final Image image)
    {
        PeerImage peer = find(image);
        if (null == peer)
        {
            if (evicted.contains(image.correlationId()))
            {
                return; // gave its place up: never proved itself, and its fragments are dropped as any unaccepted
            }
            peer = add(image);
            if (null == peer)
            {
                return;
            }
            peer.nextChallengeNs = nowNs;
            work++;
        }
        peer.stamp = scanStamp;
        if (PENDING == peer.state && nowNs - peer.nextChallengeNs >= 0 && writer.isConnected())
        {
            challenge(peer);
            peer.nextChallengeNs = nowNs + CHALLENGE_INTERVAL_NS;
            work++;
        }
    }

    /**
     * @return whether fragments of this image are to be applied.
     */
    boolean isAccepted(final Image image)
    {
        final PeerImage peer = accepted;
        return null != peer && peer.image == image;
    }

    /**
     * A fragment of an image not accepted was dropped.
     */
    void onUnauthenticated()
    {
        unauthenticated++;
        if (null != unauthenticatedCounter)
        {
            unauthenticatedCounter.increment();
        }
    }

    /**
     * A challenge arrived from {@code image}: answered when it is addressed to this end's publication.
     */
    void onChallenge(final Image image, final LinkChallengeDecoder challenge)
    {
        final int ownSessionId = writer.sessionId();
        if (challenge.targetSessionId() != ownSessionId)
        {
            return; // addressed to another publisher of the channel
        }
        final PeerImage peer = find(image);
        if (null == peer || REFUSED == peer.state || peer.answers >= MAX_ANSWERS_PER_IMAGE)
        {
            onUnauthenticated();
            return;
        }
        peer.answers++;
        challenge.getNonce(nonce, 0, AtlasLinkKey.NONCE_LENGTH);
        key.prove(ownRole, ownSessionId, image.sessionId(), nonce, proof, 0);
        final int offset = writer.claim(HEADER_LENGTH + LinkProofEncoder.BLOCK_LENGTH);
        proofEncoder.wrapAndApplyHeader(writer.buffer(), offset, headerEncoder)
            .targetSessionId(image.sessionId())
            .putNonce(nonce, 0, AtlasLinkKey.NONCE_LENGTH)
            .putMac(proof, 0, AtlasLinkKey.MAC_LENGTH);
        writer.commit();
        proofsSent++;
        if (PENDING == peer.state)
        {
            // the challenger sees this end's publication (it challenged it), so this challenge cannot be missed
            challenge(peer);
            peer.nextChallengeNs = nowNs + CHALLENGE_INTERVAL_NS;
        }
    }

    /**
     * A proof arrived from {@code image}: verified when it is addressed to this end's publication.
     */
    void onProof(final Image image, final LinkProofDecoder proofMessage)
    {
        if (proofMessage.targetSessionId() != writer.sessionId())
        {
            return; // answers another challenger
        }
        final PeerImage peer = find(image);
        if (null == peer || PENDING != peer.state)
        {
            if (null == peer || REFUSED == peer.state)
            {
                onUnauthenticated();
            }
            return; // a repeated answer of a proven image changes nothing
        }
        proofMessage.getNonce(nonce, 0, AtlasLinkKey.NONCE_LENGTH);
        proofMessage.getMac(proof, 0, AtlasLinkKey.MAC_LENGTH);
        final boolean sameNonce = Arrays.equals(nonce, peer.nonce);
        final boolean macValid = key.verify(peerRole, image.sessionId(), writer.sessionId(), peer.nonce, proof);
        if (!sameNonce || !macValid)
        {
            refuse(peer, sameNonce ? "wrong MAC" : "nonce of another challenge (a replayed proof)");
            return;
        }
        peer.state = PROVEN;
        if (null == accepted)
        {
            accept(peer);
        }
        else
        {
            log.accept("orrery: Atlas link (" + name + "): Aeron session " + image.sessionId() + " proved itself; " +
                "waiting: session " + accepted.image.sessionId() + " is accepted until it goes away");
        }
    }

    /**
     * @return the accepted image, or null.
     */
    Image acceptedImage()
    {
        return null == accepted ? null : accepted.image;
    }

    /**
     * @return fragments dropped because their image was not (yet) accepted.
     */
    public long unauthenticated()
    {
        return unauthenticated;
    }

    /**
     * @return proofs that failed (wrong MAC, replayed nonce).
     */
    public long proofsFailed()
    {
        return proofsFailed;
    }

    public long challengesSent()
    {
        return challengesSent;
    }

    public long proofsSent()
    {
        return proofsSent;
    }

    /**
     * @return images accepted so far.
     */
    public long imagesAccepted()
    {
        return imagesAccepted;
    }

    /**
     * @return times the accepted image went away.
     */
    public long sessionsLost()
    {
        return sessionsLost;
    }

    private void challenge(final PeerImage peer)
    {
        final int offset = writer.claim(HEADER_LENGTH + LinkChallengeEncoder.BLOCK_LENGTH);
        challengeEncoder.wrapAndApplyHeader(writer.buffer(), offset, headerEncoder)
            .targetSessionId(peer.image.sessionId())
            .putNonce(peer.nonce, 0, AtlasLinkKey.NONCE_LENGTH);
        writer.commit();
        challengesSent++;
    }

    private void accept(final PeerImage peer)
    {
        peer.state = ACCEPTED;
        peer.lastPosition = peer.image.position();
        peer.lastHeardNs = nowNs;
        accepted = peer;
        imagesAccepted++;
        log.accept("orrery: Atlas link (" + name + "): Aeron session " + peer.image.sessionId() + " (" +
            peer.image.sourceIdentity() + ") authenticated and accepted");
        if (null != control)
        {
            control.onSessionAccepted(peer.image.sessionId());
        }
    }

    private void refuse(final PeerImage peer, final String why)
    {
        proofsFailed++;
        if (null != proofsFailedCounter)
        {
            proofsFailedCounter.increment();
        }
        peer.state = REFUSED;
        if (!peer.logged)
        {
            peer.logged = true;
            log.accept("orrery: Atlas link (" + name + "): proof of Aeron session " + peer.image.sessionId() + " (" +
                peer.image.sourceIdentity() + ") failed: " + why + "; its fragments are dropped for as long as it " +
                "lives");
        }
    }

    private PeerImage find(final Image image)
    {
        final PeerImage[] images = this.images;
        for (int i = 0, n = imageCount; i < n; i++)
        {
            if (images[i].image == image)
            {
                return images[i];
            }
        }
        return null;
    }

    private PeerImage add(final Image image)
    {
        if (imageCount == MAX_IMAGES && !evictOldestUnproven())
        {
            return null;
        }
        if (imageCount == images.length)
        {
            images = Arrays.copyOf(images, Math.min(MAX_IMAGES, images.length * 2));
        }
        final PeerImage peer = new PeerImage(image);
        peer.addedNs = nowNs;
        random.nextBytes(peer.nonce);
        images[imageCount++] = peer;
        return peer;
    }

    /**
     * All {@link #MAX_IMAGES} places taken and a new image come: the image tracked longest without proving itself
     * (pending or refused, for at least {@link #EVICT_AFTER_NS}) gives its place up.
     *
     * @return whether a place was freed.
     */
    private boolean evictOldestUnproven()
    {
        if (nowNs - noEvictionBeforeNs < 0)
        {
            return false; // none old enough yet: no scan for each image waiting, on every poll
        }
        int oldest = -1;
        for (int i = 0; i < imageCount; i++)
        {
            final PeerImage peer = images[i];
            if ((PENDING == peer.state || REFUSED == peer.state) &&
                (-1 == oldest || peer.addedNs - images[oldest].addedNs < 0))
            {
                oldest = i;
            }
        }
        if (-1 == oldest || nowNs - images[oldest].addedNs < EVICT_AFTER_NS)
        {
            noEvictionBeforeNs = -1 == oldest ? nowNs + EVICT_AFTER_NS : images[oldest].addedNs + EVICT_AFTER_NS;
            return false;
        }
        final PeerImage gone = images[oldest];
        System.arraycopy(images, oldest + 1, images, oldest, imageCount - oldest - 1);
        images[--imageCount] = null;
        if (evicted.size() >= MAX_EVICTED)
        {
            evicted.clear();
        }
        evicted.add(gone.image.correlationId());
        imagesEvicted++;
        work++;
        if (0 == (imagesEvicted & (imagesEvicted - 1)))
        {
            log.accept("orrery: Atlas link (" + name + "): all " + MAX_IMAGES + " images it tracks taken; Aeron " +
                "session " + gone.image.sessionId() + " (" + gone.image.sourceIdentity() + "), unproven for " +
                TimeUnit.NANOSECONDS.toMillis(nowNs - gone.addedNs) + " ms, gives its place up to a new image and " +
                "is no longer challenged (" + imagesEvicted + " so far, logged at powers of two): publishers that " +
                "never prove themselves on this channel");
        }
        return true;
    }

    /**
     * @return images that gave their place up to a new one (all {@link #MAX_IMAGES} taken), never having proved
     * themselves.
     */
    public long imagesEvicted()
    {
        return imagesEvicted;
    }

    private boolean sweep(final long stamp)
    {
        boolean lost = false;
        int kept = 0;
        final PeerImage[] images = this.images;
        for (int i = 0, n = imageCount; i < n; i++)
        {
            final PeerImage peer = images[i];
            if (peer.stamp == stamp)
            {
                images[kept++] = peer;
            }
            else if (peer == accepted)
            {
                lost = true;
            }
        }
        for (int i = kept; i < imageCount; i++)
        {
            images[i] = null;
        }
        final boolean changed = kept != imageCount;
        imageCount = kept;
        if (lost)
        {
            final int sessionId = accepted.image.sessionId();
            accepted = null;
            sessionsLost++;
            log.accept("orrery: Atlas link (" + name + "): accepted Aeron session " + sessionId + " went away");
            if (null != control)
            {
                control.onSessionLost(sessionId);
            }
            for (int i = 0; i < imageCount; i++)
            {
                if (PROVEN == images[i].state)
                {
                    accept(images[i]);
                    break;
                }
            }
        }
        return changed;
    }

    private static final class PeerImage
    {
        final Image image;
        final byte[] nonce = new byte[AtlasLinkKey.NONCE_LENGTH];
        int state = PENDING;
        long nextChallengeNs;
        long stamp;
        int answers;
        boolean logged;
        long lastPosition;
        long lastHeardNs;
        long addedNs;

        PeerImage(final Image image)
        {
            this.image = image;
        }
    }
}
