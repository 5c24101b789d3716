/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.link;

import io.aeron.BufferBuilder;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.function.Consumer;

/**
 * Reassembles fragmented messages of an ingress subscription per Aeron session id, within limits that no publisher
 * can move. Aeron's own assemblers trust their peers: a buffer per session, grown to the largest message the
 * sender sent and kept until someone frees it. On an ingress that faces peers who have not authenticated yet, that
 * is a heap any stranger can fill. This one:
 * <ul>
 *   <li>drops (and counts) any message longer than {@code maxMessageLength}, discarding its remaining fragments
 *       without copying them, so a buffer never grows past that length;</li>
 *   <li>drops (and counts) every fragment of an image whose term length is above {@code maxTermLength} (the term
 *       length is read from the fragment's header, so no image lookup is needed);</li>
 *   <li>holds at most {@code maxReassemblies} buffers at a time; a message that would need one more is dropped and
 *       counted. Unfragmented messages, which are all the usual ones, never take a buffer;</li>
 *   <li>frees the buffers of images that have gone away in {@link #freeBuffersOfGoneImages(Subscription)}, which
 *       the owner calls from its housekeeping, and of one image in {@link #freeSessionBuffer(int)}.</li>
 * </ul>
 * Memory held is therefore at most {@code maxReassemblies × maxMessageLength} whatever the peers send (each buffer is
 * allocated at the maximum message length and never grows).
 * <p>
 * The delegate may return {@link Action#ABORT}; the assembled message is then kept and delivered again on the next
 * poll, as with Aeron's {@code ControlledFragmentAssembler}. {@link Action#BREAK} and {@link Action#COMMIT} are
 * passed through.
 * <p>
 * Threading: the thread that polls the subscription, only. {@link #refuseOversizedImage(Image)} is the exception:
 * it is meant as the subscription's available-image handler and touches only the image and a counter.
 */
public final class BoundedFragmentAssembler implements ControlledFragmentHandler
{
    private final ControlledFragmentHandler delegate;
    private final int maxMessageLength;
    private final int maxTermLength;
    private final AtomicCounter messagesTooLong;
    private final AtomicCounter imagesRefused;
    private final AtomicCounter fragmentsOfRefusedImages;
    private final int[] sessionIds;
    private final BufferBuilder[] builders;
    private final boolean[] discarding;
    private final Int2IntHashMap indexBySessionId;
    private int reassemblyCount;
    private volatile Consumer<String> refusalLog;

    /**
     * @param delegate                 receives every whole message within the limits.
     * @param maxMessageLength         longest message delivered, in bytes.
     * @param maxTermLength            largest term length of an image whose messages are delivered.
     * @param maxReassemblies          most fragmented messages in reassembly at once (one buffer each).
     * @param messagesTooLong          incremented for each message dropped for its length or for lack of a buffer.
     * @param imagesRefused            incremented for each image refused for its term length.
     * @param fragmentsOfRefusedImages incremented for each fragment dropped because its image's term is too long.
     */
    public BoundedFragmentAssembler(
        final ControlledFragmentHandler delegate,
        final int maxMessageLength,
        final int maxTermLength,
        final int maxReassemblies,
        final AtomicCounter messagesTooLong,
        final AtomicCounter imagesRefused,
        final AtomicCounter fragmentsOfRefusedImages)
    {
        if (maxMessageLength < 64 || maxTermLength < 64 * 1024 || maxReassemblies < 1)
        {
            throw new IllegalArgumentException("maxMessageLength=" + maxMessageLength + " maxTermLength=" +
                maxTermLength + " maxReassemblies=" + maxReassemblies);
        }
        this.delegate = delegate;
        this.maxMessageLength = maxMessageLength;
        this.maxTermLength = maxTermLength;
        this.messagesTooLong = messagesTooLong;
        this.imagesRefused = imagesRefused;
        this.fragmentsOfRefusedImages = fragmentsOfRefusedImages;
        this.sessionIds = new int[maxReassemblies];
        this.builders = new BufferBuilder[maxReassemblies];
        this.discarding = new boolean[maxReassemblies];
        // sized so that it never resizes (allocates) while it holds at most maxReassemblies entries
        this.indexBySessionId = new Int2IntHashMap(2 * maxReassemblies, 0.5f, -1);
    }

    /**
     * Where {@link #refuseOversizedImage(Image)} reports refusals: one line at the 1st, 2nd, 4th, 8th, ... refusal, so
     * that an operator sees a misconfigured peer and a flood of hostile images costs a few lines. Null for none.
     *
     * @param refusalLog receives each line (on the thread running the image handler, Aeron's client conductor).
     * @return this.
     */
    public BoundedFragmentAssembler refusalLog(final Consumer<String> refusalLog)
    {
        this.refusalLog = refusalLog;
        return this;
    }

    /**
     * Available-image handler for the subscription: an image whose term length is above the maximum is rejected
     * (network images: the driver stops receiving it and tells the sender why) and counted. IPC images cannot be
     * rejected; their fragments are dropped in {@link #onFragment}.
     *
     * @param image that became available.
     */
    public void refuseOversizedImage(final Image image)
    {
        if (image.termBufferLength() > maxTermLength)
        {
            final long refused = imagesRefused.increment() + 1;
            final Consumer<String> log = refusalLog;
            if (null != log && 0 == (refused & (refused - 1)))
            {
                log.accept("refused an image from " + image.sourceIdentity() + " (Aeron session " + image.sessionId() +
                    "): term length " + image.termBufferLength() + " above the maximum " + maxTermLength +
                    "; the peer's channel must name a smaller term-length (refusal " + refused +
                    ", logged at powers of two)");
            }
            try
            {
                image.reject("term length " + image.termBufferLength() + " above the maximum " + maxTermLength);
            }
            catch (final RuntimeException ignore)
            {
                // a closed image cannot be rejected (Aeron 1.51 rejects IPC ones too); onFragment drops its fragments
            }
        }
    }

    @Override
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if ((1 << header.positionBitsToShift()) > maxTermLength)
        {
            fragmentsOfRefusedImages.incrementRelease();
            return Action.CONTINUE;
        }

        final byte flags = header.flags();
        if ((flags & FrameDescriptor.UNFRAGMENTED) == FrameDescriptor.UNFRAGMENTED)
        {
            if (length > maxMessageLength)
            {
                messagesTooLong.incrementRelease();
                return Action.CONTINUE;
            }
            return delegate.onFragment(buffer, offset, length, header);
        }

        final int sessionId = header.sessionId();
        if ((flags & FrameDescriptor.BEGIN_FRAG_FLAG) == FrameDescriptor.BEGIN_FRAG_FLAG)
        {
            return onBeginFragment(sessionId, buffer, offset, length, header);
        }

        final int index = indexOf(sessionId);
        if (index < 0 || discarding[index])
        {
            return Action.CONTINUE; // a message already dropped, or whose beginning we never saw
        }

        final BufferBuilder builder = builders[index];
        if (builder.nextTermOffset() != header.termOffset())
        {
            builder.reset(); // a gap: the message cannot be whole
            return Action.CONTINUE;
        }

        final int limit = builder.limit();
        if (limit + length > maxMessageLength)
        {
            messagesTooLong.incrementRelease();
            builder.reset();
            discarding[index] = true;
            return Action.CONTINUE;
        }

        builder.append(buffer, offset, length);
        if ((flags & FrameDescriptor.END_FRAG_FLAG) == FrameDescriptor.END_FRAG_FLAG)
        {
            final Action action = delegate.onFragment(
                builder.buffer(), 0, builder.limit(), builder.completeHeader(header));
            if (Action.ABORT == action)
            {
                builder.limit(limit);
            }
            else
            {
                builder.reset();
            }
            return action;
        }

        builder.nextTermOffset(header.nextTermOffset());
        return Action.CONTINUE;
    }

    /**
     * Free the reassembly buffer of an image's session, if it has one.
     *
     * @param sessionId Aeron session id of the image.
     * @return true if a buffer was freed.
     */
    public boolean freeSessionBuffer(final int sessionId)
    {
        final int index = indexOf(sessionId);
        if (index < 0)
        {
            return false;
        }
        removeAt(index);
        return true;
    }

    /**
     * Free the reassembly buffers of sessions whose image is no longer on the subscription. Call it from the
     * owner's housekeeping; it costs one image lookup per buffer held.
     *
     * @param subscription the subscription this assembler is polled with.
     * @return buffers freed.
     */
    public int freeBuffersOfGoneImages(final Subscription subscription)
    {
        int freed = 0;
        for (int i = reassemblyCount - 1; i >= 0; i--)
        {
            if (null == subscription.imageBySessionId(sessionIds[i]))
            {
                removeAt(i);
                freed++;
            }
        }
        return freed;
    }

    /**
     * @return reassembly buffers held now.
     */
    public int reassemblyCount()
    {
        return reassemblyCount;
    }

    /**
     * @return bytes of reassembly buffer capacity held now.
     */
    public long bufferedCapacity()
    {
        long capacity = 0;
        for (int i = 0; i < reassemblyCount; i++)
        {
            capacity += builders[i].capacity();
        }
        return capacity;
    }

    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    public int maxTermLength()
    {
        return maxTermLength;
    }

    private Action onBeginFragment(
        final int sessionId, final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        int index = indexOf(sessionId);
        if (length > maxMessageLength)
        {
            messagesTooLong.incrementRelease();
            if (index >= 0)
            {
                builders[index].reset();
                discarding[index] = true;
            }
            return Action.CONTINUE;
        }

        if (index < 0)
        {
            if (reassemblyCount == builders.length)
            {
                messagesTooLong.incrementRelease(); // no buffer to spare: the message cannot be taken
                return Action.CONTINUE;
            }
            index = reassemblyCount++;
            sessionIds[index] = sessionId;
            indexBySessionId.put(sessionId, index);
            // sized to the maximum at once: BufferBuilder grows by half its capacity, which would overshoot the
            // maximum by up to 50%, and a buffer never needs more than the maximum
            builders[index] = new BufferBuilder(maxMessageLength, false);
        }

        discarding[index] = false;
        builders[index].reset()
            .captureHeader(header)
            .append(buffer, offset, length)
            .nextTermOffset(header.nextTermOffset());
        return Action.CONTINUE;
    }

    private int indexOf(final int sessionId)
    {
        return indexBySessionId.get(sessionId);
    }

    private void removeAt(final int index)
    {
        final int last = --reassemblyCount;
        indexBySessionId.remove(sessionIds[index]);
        if (index != last)
        {
            indexBySessionId.put(sessionIds[last], index);
        }
        sessionIds[index] = sessionIds[last];
        builders[index] = builders[last];
        discarding[index] = discarding[last];
        builders[last] = null;
    }
}
