/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.orrery.wire.CompactUpdates;
import io.orrery.wire.codec.EntitySpawnEncoder;
import io.orrery.wire.codec.EntityUpdatesCompactEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;

/**
 * CPU per received entity update of the client link's decode path, on its own: a session holding
 * {@value #ENTITIES} spawned entities receives compact update messages of {@value #ENTITIES} entries each (every
 * entry a position delta, one in four a velocity, one in eight an orientation: a walking crowd) through
 * {@link ClientResponseAdapter#onMessage}, validation included, as the bots receive them. No media driver: the
 * figure is the decode and view update only. Uses only what every version of the adapter has, so one build of the
 * probe runs against an older client link's jar for an interleaved before/after.
 * <pre>
 * java -cp replication-core/client-link/target/test-classes:&lt;client link, wire, link-common, agrona jars&gt; \
 *     io.orrery.core.client.ClientDecodeProbe [rounds]
 * </pre>
 * Prints ns per update for each round of {@value #MESSAGES} messages and the median.
 */
public final class ClientDecodeProbe
{
    static final int ENTITIES = 60;
    static final int MESSAGES = 200_000;
    private static final int IMAGE_SESSION_ID = ClientResponseAdapterTest.IMAGE_SESSION_ID;

    private ClientDecodeProbe()
    {
    }

    /**
     * @param args rounds (default 7).
     */
    public static void main(final String[] args)
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
        final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        final ClientSession session = new ClientSession(null, 1, new byte[0], null, 2048);
        final ClientResponseAdapterTest.FakeLink link = new ClientResponseAdapterTest.FakeLink();
        link.session = session;
        final ClientResponseAdapter adapter = new ClientResponseAdapter(link);
        adapter.nowNs(1_000);

        for (int i = 0; i < ENTITIES; i++)
        {
            final EntitySpawnEncoder spawn = new EntitySpawnEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .entityId(1_000 + i)
                .archetypeId(1)
                .parentZoneId(0);
            spawn.position().x(i * 1_000L).y(0).z(0);
            spawn.orientation().x(0).y(0).z(0).w(1);
            spawn.velocity().x(0).y(0).z(0);
            spawn.radius(0.5f).authorityEpoch(1).lastAppliedInputSequence(0).serverTimeNs(0).updateHandle(i)
                .putComponentState(new byte[0], 0, 0);
            adapter.onMessage(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + spawn.encodedLength(), IMAGE_SESSION_ID);
        }

        final ExpandableArrayBuffer entries = new ExpandableArrayBuffer(4096);
        final int entriesLength = encodeEntries(entries);
        final EntityUpdatesCompactEncoder compact = new EntityUpdatesCompactEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .tick(1)
            .putEntries(entries, 0, entriesLength);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + compact.encodedLength();

        final double[] nsPerUpdate = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            final long updatesBefore = session.updatesReceived;
            final long startNs = System.nanoTime();
            for (int m = 0; m < MESSAGES; m++)
            {
                adapter.nowNs(startNs + m);
                adapter.onMessage(buffer, 0, length, IMAGE_SESSION_ID);
            }
            final long elapsedNs = System.nanoTime() - startNs;
            nsPerUpdate[round] = (double)elapsedNs / (session.updatesReceived - updatesBefore);
            System.out.printf(Locale.ROOT, "round %d: %.1f ns/update%n", round, nsPerUpdate[round]);
        }
        if (0 != session.updatesForUnknownEntities || 0 != adapter.malformedMessages())
        {
            throw new IllegalStateException("probe messages not applied");
        }
        Arrays.sort(nsPerUpdate);
        System.out.printf(Locale.ROOT, "median %.1f ns/update (%d entries per message)%n",
            nsPerUpdate[rounds / 2], ENTITIES);
    }

    private static int encodeEntries(final MutableDirectBuffer entries)
    {
        int index = 0;
        for (int i = 0; i < ENTITIES; i++)
        {
            int mask = CompactUpdates.POSITION;
            mask |= 0 == (i & 3) ? CompactUpdates.VELOCITY : 0;
            mask |= 0 == (i & 7) ? CompactUpdates.ORIENTATION : 0;
            index = CompactUpdates.putVarUInt(entries, index, i);
            entries.putByte(index++, (byte)mask);
            index = CompactUpdates.putVarSInt(entries, index, 3 - (i % 7));
            index = CompactUpdates.putVarSInt(entries, index, (i % 5) - 2);
            index = CompactUpdates.putVarSInt(entries, index, 0);
            if (0 != (mask & CompactUpdates.VELOCITY))
            {
                index = CompactUpdates.putVarSInt(entries, index, 140);
                index = CompactUpdates.putVarSInt(entries, index, -60);
                index = CompactUpdates.putVarSInt(entries, index, 0);
            }
            if (0 != (mask & CompactUpdates.ORIENTATION))
            {
                entries.putInt(index, CompactUpdates.packOrientation(0, 0, 0.38268343f, 0.9238795f),
                    ByteOrder.LITTLE_ENDIAN);
                index += 4;
            }
        }
        return index;
    }
}
