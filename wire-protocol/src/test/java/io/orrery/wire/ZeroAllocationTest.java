/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.test.AllocationMeter;
import io.orrery.wire.codec.EntityStateBatchDecoder;
import io.orrery.wire.codec.EntityUpdatesCompactDecoder;
import io.orrery.wire.codec.EntityUpdatesCompactEncoder;
import io.orrery.wire.codec.EntityStateBatchEncoder;
import io.orrery.wire.codec.EntityUpdateBatchDecoder;
import io.orrery.wire.codec.EntityUpdateBatchEncoder;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.PlayerInputDecoder;
import io.orrery.wire.codec.PlayerInputEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot messages are encoded, validated and decoded (every field, var data copied out with
 * {@code getComponentState(MutableDirectBuffer, ...)}) without allocating, measured with the thread's allocation
 * counter over {@value #MESSAGES} messages after {@value #WARM_UP} of warm-up.
 */
class ZeroAllocationTest
{
    private static final int WARM_UP = 200_000;
    private static final int MESSAGES = 1_000_000;
    private static final int BATCH_ENTRIES = 16;
    private static final int STATE_LENGTH = 24;
    private static final int PLAYER_INPUT = 0;
    private static final int UPDATE_BATCH = 1;
    private static final int STATE_BATCH = 2;
    private static final int COMPACT = 3;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024));
    private final UnsafeBuffer state = new UnsafeBuffer(ByteBuffer.allocateDirect(STATE_LENGTH));
    private final UnsafeBuffer stateCopy =
        new UnsafeBuffer(ByteBuffer.allocateDirect(MessageLayouts.MAX_VAR_DATA_LENGTH));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final PlayerInputEncoder inputEncoder = new PlayerInputEncoder();
    private final PlayerInputDecoder inputDecoder = new PlayerInputDecoder();
    private final EntityUpdateBatchEncoder updateEncoder = new EntityUpdateBatchEncoder();
    private final EntityUpdateBatchDecoder updateDecoder = new EntityUpdateBatchDecoder();
    private final EntityStateBatchEncoder stateEncoder = new EntityStateBatchEncoder();
    private final EntityStateBatchDecoder stateDecoder = new EntityStateBatchDecoder();
    private final EntityUpdatesCompactEncoder compactEncoder = new EntityUpdatesCompactEncoder();
    private final EntityUpdatesCompactDecoder compactDecoder = new EntityUpdatesCompactDecoder();
    private final UnsafeBuffer entries = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final UnsafeBuffer entriesView = new UnsafeBuffer(0, 0);
    private final CompactUpdates.Reader reader = new CompactUpdates.Reader();
    private long checksum;

    @Test
    void shouldNotAllocateWhenPlayerInputEncodedValidatedAndDecoded()
    {
        assertEquals(0L, measure(PLAYER_INPUT, "PlayerInput"));
    }

    @Test
    void shouldNotAllocateWhenEntityUpdateBatchOf16EncodedValidatedAndDecoded()
    {
        assertEquals(0L, measure(UPDATE_BATCH, "EntityUpdateBatch x" + BATCH_ENTRIES));
    }

    @Test
    void shouldNotAllocateWhenEntityStateBatchOf16EncodedValidatedAndDecoded()
    {
        assertEquals(0L, measure(STATE_BATCH, "EntityStateBatch x" + BATCH_ENTRIES));
    }

    @Test
    void shouldNotAllocateWhenEntityUpdatesCompactOf16EncodedValidatedAndDecoded()
    {
        assertEquals(0L, measure(COMPACT, "EntityUpdatesCompact x" + BATCH_ENTRIES));
    }

    @Test
    void shouldMeasureAllocationWhenProbeSeesAnArray()
    {
        assertTrue(AllocationMeter.isSupported());

        final long before = AllocationMeter.threadAllocatedBytes();
        final byte[] allocated = new byte[4096];
        final long after = AllocationMeter.threadAllocatedBytes();

        assertTrue(after - before >= allocated.length, () -> "measured " + (after - before));
    }

    private long measure(final int kind, final String label)
    {
        for (int i = 0; i < STATE_LENGTH; i++)
        {
            state.putByte(i, (byte)i);
        }

        assertEquals(0, run(kind, WARM_UP));

        final long probeOverhead = AllocationMeter.readingOverheadBytes();

        final long before = AllocationMeter.threadAllocatedBytes();
        final int failures = run(kind, MESSAGES);
        final long after = AllocationMeter.threadAllocatedBytes();

        final long allocated = after - before - probeOverhead;
        assertEquals(0, failures);
        System.out.printf(
            "allocation %s: %d bytes over %,d messages (probe overhead %d) = %.6f bytes/message%n",
            label, allocated, MESSAGES, probeOverhead, (double)allocated / MESSAGES);

        return allocated;
    }

    private int run(final int kind, final int messages)
    {
        int failures = 0;
        for (int i = 0; i < messages; i++)
        {
            switch (kind)
            {
                case PLAYER_INPUT:
                    failures += playerInput(i);
                    break;
                case UPDATE_BATCH:
                    failures += updateBatch(i);
                    break;
                case COMPACT:
                    failures += compact(i);
                    break;
                default:
                    failures += stateBatch(i);
                    break;
            }
        }

        return failures;
    }

    private int playerInput(final long i)
    {
        inputEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(7)
            .entityId(i)
            .inputSequence(i)
            .clientTimestampNs(i * 16);
        inputEncoder.move().x(0.5f).y(-1.0f).z(0.0f);
        inputEncoder.aimYaw(1.25f).aimPitch(-0.25f);
        inputEncoder.actions().clear().jump(true).sprint((i & 1) == 0);
        final int length = MessageFraming.HEADER_LENGTH + inputEncoder.encodedLength();

        if (MessageValidator.validate(buffer, 0, length) != length)
        {
            return 1;
        }

        final PlayerInputDecoder d = inputDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
        long sum = d.sessionId() + d.entityId() + d.inputSequence() + d.clientTimestampNs();
        sum += (long)(d.move().x() + d.move().y() + d.move().z() + d.aimYaw() + d.aimPitch());
        sum += d.actions().getRaw();
        checksum += sum;

        return d.entityId() == i ? 0 : 1;
    }

    private int updateBatch(final long i)
    {
        final EntityUpdateBatchEncoder e = updateEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .serverTimeNs(i)
            .tick(i);
        final EntityUpdateBatchEncoder.UpdatesEncoder updates = e.updatesCount(BATCH_ENTRIES);
        for (int n = 0; n < BATCH_ENTRIES; n++)
        {
            updates.next().entityId(i + n);
            updates.changed().clear().position(true).orientation(true).componentState(true);
            updates.parentZoneId(3);
            updates.position().x(i).y(-i).z(n);
            updates.orientation().x(0.0f).y(0.0f).z(0.0f).w(1.0f);
            updates.velocity().x(1.0f).y(2.0f).z(3.0f);
            updates.radius(0.5f)
                .authorityEpoch(2)
                .lastAppliedInputSequence(i)
                .putComponentState(state, 0, STATE_LENGTH);
        }
        final int length = MessageFraming.HEADER_LENGTH + e.encodedLength();

        if (MessageValidator.validate(buffer, 0, length) != length ||
            length != MessageFraming.updateBatchLength(BATCH_ENTRIES, BATCH_ENTRIES * STATE_LENGTH))
        {
            return 1;
        }

        final EntityUpdateBatchDecoder d = updateDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
        long sum = d.serverTimeNs() + d.tick();
        final EntityUpdateBatchDecoder.UpdatesDecoder entries = d.updates();
        while (entries.hasNext())
        {
            entries.next();
            sum += entries.entityId() + entries.changed().getRaw() + entries.parentZoneId();
            sum += entries.position().x() + entries.position().y() + entries.position().z();
            sum += (long)(entries.orientation().x() + entries.orientation().y() + entries.orientation().z() +
                entries.orientation().w());
            sum += (long)(entries.velocity().x() + entries.velocity().y() + entries.velocity().z() + entries.radius());
            sum += entries.authorityEpoch() + entries.lastAppliedInputSequence();
            sum += entries.getComponentState(stateCopy, 0, stateCopy.capacity());
        }
        checksum += sum;

        return d.encodedLength() + MessageFraming.HEADER_LENGTH == length ? 0 : 1;
    }

    private int compact(final long i)
    {
        int position = 0;
        for (int n = 0; n < BATCH_ENTRIES; n++)
        {
            final int mask = CompactUpdates.POSITION | CompactUpdates.ORIENTATION |
                (0 == (n & 3) ? CompactUpdates.COMPONENT_STATE | CompactUpdates.LAST_APPLIED_INPUT : 0);
            position = CompactUpdates.putVarUInt(entries, position, n);
            entries.putByte(position++, (byte)mask);
            position = CompactUpdates.putVarSInt(entries, position, i & 1023);
            position = CompactUpdates.putVarSInt(entries, position, -n);
            position = CompactUpdates.putVarSInt(entries, position, 0);
            entries.putInt(position, CompactUpdates.packOrientation(0f, 0.6f, 0f, 0.8f), ByteOrder.LITTLE_ENDIAN);
            position += 4;
            if (0 != (mask & CompactUpdates.COMPONENT_STATE))
            {
                position = CompactUpdates.putVarUInt(entries, position, STATE_LENGTH);
                entries.putBytes(position, state, 0, STATE_LENGTH);
                position += STATE_LENGTH;
                position = CompactUpdates.putVarSInt(entries, position, 1);
            }
        }
        final EntityUpdatesCompactEncoder e = compactEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .tick(i & 0xFFFF_FFFFL)
            .putEntries(entries, 0, position);
        final int length = MessageFraming.HEADER_LENGTH + e.encodedLength();

        if (MessageValidator.validate(buffer, 0, length) != length)
        {
            return 1;
        }

        final EntityUpdatesCompactDecoder d = compactDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
        long sum = d.tick();
        d.wrapEntries(entriesView);
        reader.wrap(entriesView, 0, entriesView.capacity());
        int count = 0;
        while (reader.hasNext())
        {
            reader.next();
            sum += reader.handle() + reader.mask() + reader.positionX() + reader.positionY() + reader.positionZ();
            sum += (long)(CompactUpdates.orientationComponent(reader.orientation(), 1) * 1000);
            sum += reader.stateLength() + reader.lastAppliedInputDelta();
            count++;
        }
        checksum += sum;

        return BATCH_ENTRIES == count ? 0 : 1;
    }

    private int stateBatch(final long i)
    {
        final EntityStateBatchEncoder e = stateEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .serverId(9)
            .tick(i)
            .serverTimeNs(i);
        final EntityStateBatchEncoder.StatesEncoder states = e.statesCount(BATCH_ENTRIES);
        for (int n = 0; n < BATCH_ENTRIES; n++)
        {
            states.next().entityId(i + n).authorityEpoch(4);
            states.changed().clear().position(true).velocity(true).componentState(true);
            states.parentZoneId(3);
            states.position().x(i).y(-i).z(n);
            states.orientation().x(0.0f).y(0.0f).z(0.0f).w(1.0f);
            states.velocity().x(1.0f).y(2.0f).z(3.0f);
            states.radius(0.5f)
                .lastAppliedInputSequence(i)
                .putComponentState(state, 0, STATE_LENGTH);
        }
        final int length = MessageFraming.HEADER_LENGTH + e.encodedLength();

        if (MessageValidator.validate(buffer, 0, length) != length ||
            length != MessageFraming.stateBatchLength(BATCH_ENTRIES, BATCH_ENTRIES * STATE_LENGTH))
        {
            return 1;
        }

        final EntityStateBatchDecoder d = stateDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
        long sum = d.serverId() + d.tick() + d.serverTimeNs();
        final EntityStateBatchDecoder.StatesDecoder entries = d.states();
        while (entries.hasNext())
        {
            entries.next();
            sum += entries.entityId() + entries.authorityEpoch() + entries.changed().getRaw() + entries.parentZoneId();
            sum += entries.position().x() + entries.position().y() + entries.position().z();
            sum += (long)(entries.orientation().x() + entries.orientation().y() + entries.orientation().z() +
                entries.orientation().w());
            sum += (long)(entries.velocity().x() + entries.velocity().y() + entries.velocity().z() + entries.radius());
            sum += entries.lastAppliedInputSequence();
            sum += entries.getComponentState(stateCopy, 0, stateCopy.capacity());
        }
        checksum += sum;

        return d.encodedLength() + MessageFraming.HEADER_LENGTH == length ? 0 : 1;
    }
}
