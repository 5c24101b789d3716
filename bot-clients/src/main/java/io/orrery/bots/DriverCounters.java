/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.aeron.driver.status.SystemCounterDescriptor;
import org.agrona.concurrent.status.CountersReader;

import java.util.Locale;

/**
 * The media driver's own UDP loss and retransmission counters ({@link SystemCounterDescriptor}), read from a
 * driver's counters file: the layer's byte counters do not see retransmissions, the driver's do. A sender's
 * {@code retransmitRatio} is its retransmitted bytes ({@code RETRANSMITTED_BYTES}) over its bytes sent
 * ({@code BYTES_SENT}, which the driver's sender counts for first transmissions and heartbeats, not for
 * retransmissions: under a NAK storm the ratio can exceed 1).
 * <p>
 * Threading: stateless; allocates, for the control thread at the start and end of a run.
 */
public final class DriverCounters
{
    /**
     * The counters read, in the order of the arrays {@link #read(CountersReader)} returns.
     */
    static final SystemCounterDescriptor[] COUNTERS = {
        SystemCounterDescriptor.BYTES_SENT,
        SystemCounterDescriptor.BYTES_RECEIVED,
        SystemCounterDescriptor.NAK_MESSAGES_SENT,
        SystemCounterDescriptor.NAK_MESSAGES_RECEIVED,
        SystemCounterDescriptor.RETRANSMITS_SENT,
        SystemCounterDescriptor.RETRANSMITTED_BYTES,
        SystemCounterDescriptor.LOSS_GAP_FILLS,
        SystemCounterDescriptor.SHORT_SENDS,
    };

    /**
     * Names in the summary, after a prefix such as {@code udp}: {@code udpBytesSent}, {@code udpNaksSent}, ...
     */
    static final String[] NAMES = {
        "BytesSent",
        "BytesReceived",
        "NaksSent",
        "NaksReceived",
        "RetransmitsSent",
        "RetransmittedBytes",
        "LossGapFills",
        "ShortSends",
    };

    public static final int BYTES_SENT = 0;
    public static final int BYTES_RECEIVED = 1;
    public static final int NAKS_SENT = 2;
    public static final int NAKS_RECEIVED = 3;
    public static final int RETRANSMITS_SENT = 4;
    public static final int RETRANSMITTED_BYTES = 5;

    private DriverCounters()
    {
    }

    /**
     * @param counters a media driver's counters (e.g. {@code aeron.countersReader()}).
     * @return the value of each of {@link #COUNTERS}, 0 for one the driver does not have.
     */
    public static long[] read(final CountersReader counters)
    {
        final long[] values = new long[COUNTERS.length];
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (SystemCounterDescriptor.SYSTEM_COUNTER_TYPE_ID == typeId)
            {
                final int id = keyBuffer.getInt(0);
                for (int i = 0; i < COUNTERS.length; i++)
                {
                    if (COUNTERS[i].id() == id)
                    {
                        values[i] = counters.getCounterValue(counterId);
                    }
                }
            }
        });
        return values;
    }

    /**
     * @return retransmitted bytes over bytes sent of the drivers given (summed), 0 when nothing was sent.
     */
    public static double retransmitRatio(final long[]... drivers)
    {
        long retransmitted = 0;
        long sent = 0;
        for (final long[] values : drivers)
        {
            retransmitted += values[RETRANSMITTED_BYTES];
            sent += values[BYTES_SENT];
        }
        return 0 == sent ? 0 : (double)retransmitted / sent;
    }

    /**
     * Add the counters to a summary as {@code prefix + name} (e.g. {@code udpNaksSent}) and the driver's
     * {@code prefix + "RetransmitRatio"}.
     */
    public static void addTo(final SwarmSummary summary, final String prefix, final long[] values)
    {
        for (int i = 0; i < NAMES.length; i++)
        {
            summary.extra(prefix + NAMES[i], values[i]);
        }
        summary.extra(prefix + "RetransmitRatio", round(retransmitRatio(values)));
    }

    /**
     * @return a short line: NAKs sent and received, retransmits, retransmitted bytes and the ratio.
     */
    public static String describe(final long[] values)
    {
        return String.format(Locale.ROOT,
            "bytes sent %,d, NAKs sent %,d received %,d, retransmits %,d (%,d bytes), retransmit ratio %.4f %%",
            values[BYTES_SENT], values[NAKS_SENT], values[NAKS_RECEIVED], values[RETRANSMITS_SENT],
            values[RETRANSMITTED_BYTES], 100 * retransmitRatio(values));
    }

    static double round(final double ratio)
    {
        return Math.round(ratio * 1e6) / 1e6;
    }
}
