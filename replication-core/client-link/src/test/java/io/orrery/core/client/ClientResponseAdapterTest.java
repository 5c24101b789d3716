/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

import io.orrery.wire.CompactUpdates;
import io.orrery.wire.codec.DisconnectEncoder;
import io.orrery.wire.codec.DisconnectReason;
import io.orrery.wire.codec.EntitySpawnEncoder;
import io.orrery.wire.codec.EntityUpdateBatchEncoder;
import io.orrery.wire.codec.EntityUpdatesCompactEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.WelcomeDecoder;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The response adapter on its own: hand-encoded layer messages in, a fake link listener and a session's view out.
 */
class ClientResponseAdapterTest
{
    static final int IMAGE_SESSION_ID = 77;
    private static final long ENTITY_ID = 4242;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final FakeLink link = new FakeLink();
    private final ClientResponseAdapter adapter = new ClientResponseAdapter(link);
    private ClientSession session;

    @BeforeEach
    void bindSession()
    {
        session = new ClientSession(null, 1, new byte[0], null, 16);
        link.session = session;
        adapter.nowNs(1_000);
    }

    @Test
    void shouldApplyOrientationOfLegacyUpdateBatch()
    {
        adapter.onMessage(buffer, 0, encodeSpawn(), IMAGE_SESSION_ID);
        final int slot = session.view().slotOf(ENTITY_ID);
        assertEquals(1.0f, session.view().orientationW(slot));

        adapter.onMessage(buffer, 0, encodeUpdateBatch(0.5f, -0.5f, 0.5f, 0.5f), IMAGE_SESSION_ID);

        assertEquals(0.5f, session.view().orientationX(slot));
        assertEquals(-0.5f, session.view().orientationY(slot));
        assertEquals(0.5f, session.view().orientationZ(slot));
        assertEquals(0.5f, session.view().orientationW(slot));
        assertEquals(2_000L, session.view().positionX(slot));
        assertEquals(9, session.view().archetypeId(slot), "the archetype stays the spawn's");
        assertEquals(1L, session.updatesReceived);
    }

    @Test
    void shouldApplyCompactEntryFieldsInPlaceAndKeepTheOthers()
    {
        adapter.onMessage(buffer, 0, encodeSpawn(), IMAGE_SESSION_ID);
        session.playerEntityId = ENTITY_ID;
        final int slot = session.view().slotOf(ENTITY_ID);
        final int packed = CompactUpdates.packOrientation(0, 0, 0.38268343f, 0.9238795f);
        final ExpandableArrayBuffer entries = new ExpandableArrayBuffer(64);
        int index = CompactUpdates.putVarUInt(entries, 0, 3);
        entries.putByte(index++, (byte)(CompactUpdates.POSITION | CompactUpdates.VELOCITY |
            CompactUpdates.ORIENTATION | CompactUpdates.SIZE | CompactUpdates.LAST_APPLIED_INPUT |
            CompactUpdates.AUTHORITY_EPOCH));
        index = CompactUpdates.putVarSInt(entries, index, 5);
        index = CompactUpdates.putVarSInt(entries, index, -2);
        index = CompactUpdates.putVarSInt(entries, index, 1);
        index = CompactUpdates.putVarSInt(entries, index, 140);
        index = CompactUpdates.putVarSInt(entries, index, -60);
        index = CompactUpdates.putVarSInt(entries, index, 0);
        entries.putInt(index, packed, ByteOrder.LITTLE_ENDIAN);
        entries.putFloat(index + 4, 2.5f, ByteOrder.LITTLE_ENDIAN);
        index = CompactUpdates.putVarSInt(entries, index + 8, 4);
        index = CompactUpdates.putVarUInt(entries, index, 7);
        index = CompactUpdates.putVarUInt(entries, index, 99); // a handle the session never saw spawned
        entries.putByte(index++, (byte)CompactUpdates.SIZE);
        entries.putFloat(index, 1f, ByteOrder.LITTLE_ENDIAN);

        adapter.onMessage(buffer, 0, encodeCompact(entries, index + 4), IMAGE_SESSION_ID);

        final ClientEntityView view = session.view();
        assertEquals(1_050L, view.positionX(slot));
        assertEquals(-20L, view.positionY(slot));
        assertEquals(10L, view.positionZ(slot));
        assertEquals(CompactUpdates.velocityOf(140), view.velocityX(slot));
        assertEquals(CompactUpdates.velocityOf(-60), view.velocityY(slot));
        assertEquals(CompactUpdates.orientationComponent(packed, 2), view.orientationZ(slot));
        assertEquals(CompactUpdates.orientationComponent(packed, 3), view.orientationW(slot));
        assertEquals(2.5f, view.radius(slot));
        assertEquals(7L, view.authorityEpoch(slot));
        assertEquals(4L, view.lastAppliedInputSequence(slot));
        assertEquals(4L, session.lastAcknowledgedInput(), "the own entity is checked with the applied values");
        assertEquals(1_000L, view.lastUpdateNs(slot));
        assertEquals(1L, session.updatesReceived);
        assertEquals(1L, session.updatesForUnknownEntities);

        final ExpandableArrayBuffer moved = new ExpandableArrayBuffer(64);
        index = CompactUpdates.putVarUInt(moved, 0, 3);
        moved.putByte(index++, (byte)(CompactUpdates.POSITION | CompactUpdates.PARENT_ZONE));
        index = CompactUpdates.putVarSInt(moved, index, 123);
        index = CompactUpdates.putVarSInt(moved, index, 456);
        index = CompactUpdates.putVarSInt(moved, index, -789);
        index = CompactUpdates.putVarUInt(moved, index, 11);
        adapter.nowNs(2_000);

        adapter.onMessage(buffer, 0, encodeCompact(moved, index), IMAGE_SESSION_ID);

        assertEquals(11L, view.parentZoneId(slot));
        assertEquals(123L, view.positionX(slot), "a zone change carries the absolute position");
        assertEquals(456L, view.positionY(slot));
        assertEquals(-789L, view.positionZ(slot));
        assertEquals(CompactUpdates.velocityOf(140), view.velocityX(slot), "fields not in the mask are kept");
        assertEquals(2.5f, view.radius(slot));
        assertEquals(7L, view.authorityEpoch(slot));
        assertEquals(4L, view.lastAppliedInputSequence(slot));
        assertEquals(9, view.archetypeId(slot));
        assertEquals(2_000L, view.lastUpdateNs(slot));
        assertEquals(2L, session.updatesReceived);
    }

    @Test
    void shouldCountUpdateBatchEntryForUnknownEntity()
    {
        adapter.onMessage(buffer, 0, encodeUpdateBatch(0, 0, 0, 1), IMAGE_SESSION_ID);

        assertEquals(1L, session.updatesForUnknownEntities);
        assertEquals(0L, session.updatesReceived);
    }

    @Test
    void shouldHandDisconnectToLink()
    {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + new DisconnectEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .reason(DisconnectReason.shutdown)
            .encodedLength();

        adapter.onMessage(buffer, 0, length, IMAGE_SESSION_ID);

        assertSame(session, link.disconnected);
        assertEquals(DisconnectReason.shutdown.value(), link.disconnectReason);
    }

    @Test
    void shouldCountMalformedMessageWithoutDecodingIt()
    {
        final int length = encodeSpawn();

        adapter.onMessage(buffer, 0, length - 3, IMAGE_SESSION_ID);

        assertEquals(1L, adapter.malformedMessages());
        assertEquals(1L, session.malformedReceived);
        assertEquals(0, session.view().size());
    }

    private int encodeSpawn()
    {
        final EntitySpawnEncoder spawn = new EntitySpawnEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .entityId(ENTITY_ID)
            .archetypeId(9)
            .parentZoneId(0);
        spawn.position().x(1_000).y(0).z(0);
        spawn.orientation().x(0).y(0).z(0).w(1);
        spawn.velocity().x(0).y(0).z(0);
        spawn.radius(1)
            .authorityEpoch(1)
            .lastAppliedInputSequence(0)
            .serverTimeNs(0)
            .updateHandle(3)
            .putComponentState(new byte[0], 0, 0);
        return MessageHeaderEncoder.ENCODED_LENGTH + spawn.encodedLength();
    }

    private int encodeCompact(final ExpandableArrayBuffer entries, final int entriesLength)
    {
        final EntityUpdatesCompactEncoder compact = new EntityUpdatesCompactEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .tick(1)
            .putEntries(entries, 0, entriesLength);
        return MessageHeaderEncoder.ENCODED_LENGTH + compact.encodedLength();
    }

    private int encodeUpdateBatch(final float x, final float y, final float z, final float w)
    {
        final EntityUpdateBatchEncoder batch = new EntityUpdateBatchEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .serverTimeNs(0)
            .tick(1);
        final EntityUpdateBatchEncoder.UpdatesEncoder update = batch.updatesCount(1).next()
            .entityId(ENTITY_ID);
        update.changed().position(true).orientation(true);
        update.parentZoneId(0);
        update.position().x(2_000).y(0).z(0);
        update.orientation().x(x).y(y).z(z).w(w);
        update.velocity().x(0).y(0).z(0);
        update.radius(1)
            .authorityEpoch(1)
            .lastAppliedInputSequence(0)
            .putComponentState(new byte[0], 0, 0);
        return MessageHeaderEncoder.ENCODED_LENGTH + batch.encodedLength();
    }

    /**
     * A link with one session, bound to {@link #IMAGE_SESSION_ID}; remembers the disconnect handed to it.
     */
    static final class FakeLink implements ClientResponseListener
    {
        ClientSession session;
        ClientSession disconnected;
        int disconnectReason = -1;

        @Override
        public ClientSession sessionByImage(final int imageSessionId)
        {
            return IMAGE_SESSION_ID == imageSessionId ? session : null;
        }

        @Override
        public boolean onWelcome(final int imageSessionId, final WelcomeDecoder welcome)
        {
            return false;
        }

        @Override
        public boolean onHelloRejected(final long clientCorrelationId, final int reason, final int rejectedTemplateId)
        {
            return false;
        }

        @Override
        public void onDisconnect(final ClientSession session, final int reason)
        {
            disconnected = session;
            disconnectReason = reason;
        }
    }
}
