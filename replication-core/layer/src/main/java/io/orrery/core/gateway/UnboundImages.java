/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway;

import io.aeron.Image;
import io.aeron.Subscription;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Client ingress images that are bound to nothing, and their rejection ({@link Image#reject(String)}) once they have
 * been unbound for longer than {@link GatewayContext#unboundImageTimeoutNs()}.
 * <p>
 * An image is <em>bound</em> while the Gateway holds a connection for it (a welcomed session, a hello awaiting its
 * welcome, a refusal awaiting its publication); a hello seen on it ({@link #onHello(long, long)}) restarts its clock,
 * so a client retrying its hello on the same publication (after a "shard full" reject, or a hello the Gateway shed)
 * keeps its image. Every other image only holds one of the sessions the media driver allows the stream
 * ({@code StreamSessionLimits}): a stranger could keep them all alive, and logins would fail while it does.
 * <p>
 * What a rejection does (Aeron 1.51): the receiving driver drops the image's frames and answers its publisher with
 * error frames (the publication stops being connected), and the image keeps counting against the stream's session
 * limit until the driver's image liveness timeout after its last frame (5 s in the drivers Orrery launches, see
 * {@code StreamSessionLimits.imageLivenessTimeoutNs()}; Aeron's default is 10 s);
 * then it leaves the limit and its session id cools down (about 1 s, while the image drains and lingers): a
 * publication that is still open gets a new image after that, which starts unbound again.
 * <p>
 * Bookkeeping is per image key ({@link GatewayAgent#imageKey(int, int)}) in primitive maps holding only images seen
 * unbound, so at most the images of the ingress streams (bounded by the stream session limit over UDP): a pass
 * allocates nothing. Rejections never wait for the media driver: {@link ImageRejecter} writes the command into the
 * driver's command ring and returns ({@link Image#reject(String)} would hold the Aeron client's lock until the driver
 * answered). At most {@link #MAX_REJECTIONS_PER_PASS} per pass; when the driver's command ring is full the rejection
 * is counted as deferred and due again at the next pass.
 * <p>
 * Threading: owned by the {@link GatewayAgent} thread; called only outside the ingress poll.
 */
final class UnboundImages
{
    /**
     * Rejections one pass makes at most: each is a command of about 100 bytes in the media driver's command ring,
     * written without waiting; the cap keeps a burst of strangers from taking much of the ring in one pass.
     */
    static final int MAX_REJECTIONS_PER_PASS = 64;

    private static final long MISSING = Long.MIN_VALUE;
    private static final long REJECTED = Long.MAX_VALUE;

    private final long timeoutNs;
    private final int maxTermLength;
    private final ImageRejecter rejecter;
    private final AtomicCounter rejections;
    private final AtomicCounter deferrals;
    private final Consumer<String> log;
    /**
     * Image key to the time it was first seen unbound, or its last hello; {@link #REJECTED} once rejected.
     */
    private final Long2LongHashMap unboundSinceNs = new Long2LongHashMap(64, 0.65f, MISSING, true);
    /**
     * Image key to the correlation id of the image the entry is about: a new image under the same key (the same
     * publication back after a rejection) starts afresh.
     */
    private final Long2LongHashMap imageIds = new Long2LongHashMap(64, 0.65f, MISSING, true);
    /**
     * Image key to the last pass that saw the image unbound: entries a pass did not see are gone or bound.
     */
    private final Long2LongHashMap lastPass = new Long2LongHashMap(64, 0.65f, MISSING, true);
    private final ImageVisitor visitor = new ImageVisitor();

    private long pass;
    private long nowNs;
    private int endpoint;
    private int rejectionsThisPass;
    private boolean rejecterFull;
    private Long2ObjectHashMap<?> bound;

    /**
     * @param timeoutNs     how long an image may stay unbound; 0 never rejects.
     * @param maxTermLength images with a longer term are refused elsewhere (their fragments are dropped): not counted.
     * @param rejecter      sends the rejections to the media driver without waiting.
     * @param rejections    incremented on every rejection sent.
     * @param deferrals     incremented on every rejection put off because the driver's command ring was full.
     * @param log           receives the first rejection's line and then those at powers of two.
     */
    UnboundImages(
        final long timeoutNs,
        final int maxTermLength,
        final ImageRejecter rejecter,
        final AtomicCounter rejections,
        final AtomicCounter deferrals,
        final Consumer<String> log)
    {
        this.timeoutNs = timeoutNs;
        this.maxTermLength = maxTermLength;
        this.rejecter = rejecter;
        this.rejections = rejections;
        this.deferrals = deferrals;
        this.log = log;
    }

    /**
     * @param timeoutNs the unbound image timeout.
     * @return the reason the rejections carry to the publisher.
     */
    static String reason(final long timeoutNs)
    {
        return "no session and no hello for " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms";
    }

    /**
     * A hello arrived on the image: its unbound clock starts again (unless it was rejected already).
     *
     * @param imageKey the image's key.
     * @param nowNs    the agent's clock.
     */
    void onHello(final long imageKey, final long nowNs)
    {
        final long sinceNs = unboundSinceNs.get(imageKey);
        if (MISSING != sinceNs && REJECTED != sinceNs)
        {
            unboundSinceNs.put(imageKey, nowNs);
        }
    }

    /**
     * One pass over the images of every ingress endpoint: start the clock of images newly seen unbound, reject
     * those unbound for longer than the timeout, forget images gone or bound since the last pass.
     *
     * @param nowNs     the agent's clock.
     * @param ingresses the client ingress subscriptions, by endpoint index.
     * @param bound     the Gateway's connections by image key: an image with one is bound.
     * @return images rejected.
     */
    int check(final long nowNs, final Subscription[] ingresses, final Long2ObjectHashMap<?> bound)
    {
        if (0 == timeoutNs)
        {
            return 0;
        }
        this.nowNs = nowNs;
        this.bound = bound;
        pass++;
        rejectionsThisPass = 0;
        rejecterFull = false;
        for (int e = 0; e < ingresses.length; e++)
        {
            endpoint = e;
            ingresses[e].forEachImage(visitor);
        }
        this.bound = null;
        if (lastPass.size() > 0)
        {
            forgetUnseen();
        }
        return rejectionsThisPass;
    }

    /**
     * @return images tracked as unbound now (rejected ones included until the driver drops them).
     */
    int trackedCount()
    {
        return unboundSinceNs.size();
    }

    private void onImage(final Image image)
    {
        if (image.isClosed() || image.termBufferLength() > maxTermLength)
        {
            return;
        }
        final long key = GatewayAgent.imageKey(endpoint, image.sessionId());
        if (bound.containsKey(key))
        {
            return; // its entry, if any, is forgotten at the end of the pass
        }

        lastPass.put(key, pass);
        final long imageId = image.correlationId();
        final long sinceNs = unboundSinceNs.get(key);
        if (MISSING == sinceNs || imageIds.get(key) != imageId)
        {
            unboundSinceNs.put(key, nowNs);
            imageIds.put(key, imageId);
            return;
        }
        if (REJECTED != sinceNs && nowNs - sinceNs > timeoutNs &&
            rejectionsThisPass < MAX_REJECTIONS_PER_PASS && !rejecterFull)
        {
            reject(image, key, nowNs - sinceNs);
        }
    }

    private void reject(final Image image, final long key, final long unboundNs)
    {
        if (!rejecter.reject(image.correlationId(), image.position()))
        {
            rejecterFull = true; // the driver is not reading its commands: the rest wait for the next pass
            deferrals.incrementOrdered();
            return;
        }
        unboundSinceNs.put(key, REJECTED);
        rejectionsThisPass++;

        final long rejected = rejections.incrementOrdered() + 1;
        if (null != log && 0 == (rejected & (rejected - 1)))
        {
            log.accept("rejected an image from " + image.sourceIdentity() + " (Aeron session " + image.sessionId() +
                "): no session and no hello on it for " + TimeUnit.NANOSECONDS.toMillis(unboundNs) +
                " ms (rejection " + rejected + ", logged at powers of two)");
        }
    }

    private void forgetUnseen()
    {
        final Long2LongHashMap.EntryIterator entries = lastPass.entrySet().iterator();
        while (entries.hasNext())
        {
            entries.next();
            if (entries.getLongValue() != pass)
            {
                final long key = entries.getLongKey();
                entries.remove();
                unboundSinceNs.remove(key);
                imageIds.remove(key);
            }
        }
    }

    private final class ImageVisitor implements Consumer<Image>
    {
        @Override
        public void accept(final Image image)
        {
            onImage(image);
        }
    }
}
