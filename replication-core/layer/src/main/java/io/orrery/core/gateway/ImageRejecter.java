/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway;

import io.aeron.Aeron;
import io.aeron.command.ControlProtocolEvents;
import io.aeron.command.RejectImageFlyweight;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Rejects images without waiting for the media driver: writes Aeron's {@code REJECT_IMAGE} command straight into the
 * driver's command ring buffer, the same command {@link io.aeron.Image#reject(String)} sends, and returns.
 * <p>
 * Why not {@link io.aeron.Image#reject(String)}: in Aeron 1.51 it takes the Aeron client's lock, writes the command,
 * then waits for the driver's answer holding that lock (the client sleeps 1 ms at a time; rejecting 4 images took
 * 41–49 ms on an idle layer, whose driver parks 10 ms at a time). On the Gateway's thread that is a stall strangers
 * can provoke at will. A thread of its own would not be enough: every other call the Gateway makes on the same client
 * ({@code asyncAddExclusivePublication}, {@code getExclusivePublication}, {@code asyncRemovePublication}, on every
 * hello, welcome and session end) takes the same lock, and would wait for as long as a rejection waits. The driver's
 * answer carries nothing the Gateway needs: it tells the rejection succeeded, or that the image was already gone.
 * Aeron's client ignores answers to correlation ids it did not ask for; the driver counts a rejection of an image
 * already gone as an error in its error log (a race, at most once per image).
 * <p>
 * The command ring is a many-to-one ring buffer (the driver reads, every client of the driver writes), safe to
 * write from any thread without the client's lock; the write claims about 100 bytes of a ring of 1 MiB by default.
 * A full ring (a driver that stopped reading) fails the write, which the caller counts and retries later: never a
 * wait, never an exception, no allocation.
 * <p>
 * Threading: one instance per thread (the flyweight is not shared); the Gateway's agent thread here.
 */
final class ImageRejecter
{
    private final RingBuffer toDriver;
    private final long clientId;
    private final String reason;
    private final int commandLength;
    private final RejectImageFlyweight command = new RejectImageFlyweight();

    /**
     * @param aeron  the client whose subscription holds the images: its driver's command ring and its client id.
     * @param reason sent with every rejection (the driver passes it to the publisher in its error frames).
     */
    ImageRejecter(final Aeron aeron, final String reason)
    {
        this(aeron.context().toDriverBuffer(), aeron.clientId(), reason);
    }

    /**
     * @param toDriver the media driver's command ring buffer.
     * @param clientId the Aeron client id the commands carry.
     * @param reason   sent with every rejection, 1,023 bytes at most (US-ASCII).
     */
    ImageRejecter(final RingBuffer toDriver, final long clientId, final String reason)
    {
        if (reason.length() > 1023)
        {
            throw new IllegalArgumentException("reason longer than 1023 bytes: " + reason.length());
        }
        this.toDriver = toDriver;
        this.clientId = clientId;
        this.reason = reason;
        this.commandLength = RejectImageFlyweight.computeLength(reason);
    }

    /**
     * Ask the driver to reject an image; returns as soon as the command is in the driver's ring.
     *
     * @param imageCorrelationId the image's {@link io.aeron.Image#correlationId()}.
     * @param position           the image's position now ({@link io.aeron.Image#position()}).
     * @return true when the command was written; false when the driver's command ring is full (try again later).
     */
    boolean reject(final long imageCorrelationId, final long position)
    {
        final int index = toDriver.tryClaim(ControlProtocolEvents.REJECT_IMAGE, commandLength);
        if (index < 0)
        {
            return false;
        }
        command.wrap(toDriver.buffer(), index)
            .clientId(clientId)
            .correlationId(toDriver.nextCorrelationId())
            .imageCorrelationId(imageCorrelationId)
            .position(position)
            .reason(reason);
        toDriver.commit(index);
        return true;
    }
}
