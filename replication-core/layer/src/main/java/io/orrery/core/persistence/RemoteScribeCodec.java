/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import io.orrery.core.common.LinkKey;
import io.orrery.wire.scribelink.CompletionEncoder;
import io.orrery.wire.scribelink.MessageHeaderDecoder;
import io.orrery.wire.scribelink.MessageHeaderEncoder;
import io.orrery.wire.scribelink.NodeFieldsDecoder;
import io.orrery.wire.scribelink.NodeFieldsEncoder;
import io.orrery.wire.scribelink.OperationEncoder;
import org.agrona.DirectBuffer;

/**
 * Shared pieces of the Scribe link ({@code scribe-link-schema.xml}): node fields to and from a {@link NodeRecord},
 * the largest message, the key and roles of the handshake, and the length check run before any decoder. Stateless.
 */
final class RemoteScribeCodec
{
    /**
     * Key domain of the Scribe link (a key of its own, derived from the link secret).
     */
    static final String KEY_DOMAIN = "orrery-scribe-link-v1";
    static final byte ROLE_LAYER = 1;
    static final byte ROLE_SCRIBE = 5;
    /**
     * A layer's hello: {@code HMAC(K, 8 | layer's publication session id | response stream id | hello nonce |
     * response stream id | response channel)} ({@link LinkKey#helloExtra}), so the Scribe spends nothing (no
     * publication, no handshake) on a hello from a peer without the key, and a hello taken off the wire cannot be
     * replayed naming another channel (since link schema version 3; whatever a hello names, the Scribe answers only on
     * its own host).
     */
    static final byte ROLE_HELLO = 8;
    /**
     * The Scribe's challenge: {@code HMAC(K, 9 | Scribe's publication session id | layer's session id | the layer's
     * hello nonce)}, so a layer answers no challenge but a key holder's: a proof it sent for a stranger's challenge
     * would reach the Scribe, fail there and end the genuine handshake.
     */
    static final byte ROLE_CHALLENGE = 9;
    /**
     * At most this many hello MACs (Scribe side) or challenge MACs (layer side) are checked per duty cycle; a message
     * beyond them waits in its image ({@code ABORT}; Aeron starts each poll at the next image), so a flood of
     * strangers costs a few HMACs a duty cycle and delays a genuine handshake message by a few duty cycles, never
     * drops it.
     */
    static final int MAC_CHECKS_PER_POLL = 8;

    static final byte KIND_STOW = 1;
    static final byte KIND_UNSTOW = 2;
    static final byte KIND_LOOKUP = 3;
    static final byte KIND_WALLET = 4;
    static final byte KIND_REPUTATION = 5;

    /**
     * The largest message either side sends: an operation or completion with a full component state.
     */
    static final int MAX_MESSAGE_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH +
        Math.max(OperationEncoder.BLOCK_LENGTH, CompletionEncoder.BLOCK_LENGTH) +
        OperationEncoder.componentStateHeaderLength() + NodeRecord.MAX_COMPONENT_STATE_LENGTH;

    private RemoteScribeCodec()
    {
    }

    static LinkKey newKey(final byte[] linkSecret)
    {
        return new LinkKey(linkSecret, KEY_DOMAIN);
    }

    /**
     * @return whether the fragment holds a header of this schema and at least the block it announces.
     */
    static boolean isValid(
        final MessageHeaderDecoder header, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return false;
        }
        header.wrap(buffer, offset);
        return header.schemaId() == MessageHeaderDecoder.SCHEMA_ID &&
            length >= MessageHeaderDecoder.ENCODED_LENGTH + header.blockLength();
    }

    /**
     * @return whether a var-data field of {@code headerLength} announcing a length fits the fragment and a node.
     */
    static boolean isStateLengthValid(final int stateLength, final int limit, final int fragmentEnd)
    {
        return stateLength >= 0 && stateLength <= NodeRecord.MAX_COMPONENT_STATE_LENGTH &&
            limit + stateLength <= fragmentEnd;
    }

    static void encode(final NodeFieldsEncoder fields, final NodeRecord node)
    {
        fields
            .entityId(node.entityId)
            .archetypeId(node.archetypeId)
            .parentZoneId(node.parentZoneId)
            .ownerPlayerId(node.ownerPlayerId)
            .isZone((short)(node.isZone ? 1 : 0))
            .x(node.x)
            .y(node.y)
            .z(node.z)
            .qx(node.qx)
            .qy(node.qy)
            .qz(node.qz)
            .qw(node.qw)
            .radius(node.radius)
            .lastAppliedInputSequence(node.lastAppliedInputSequence);
    }

    static NodeRecord decode(final NodeFieldsDecoder fields, final NodeRecord node)
    {
        node.entityId = fields.entityId();
        node.archetypeId = fields.archetypeId();
        node.parentZoneId = fields.parentZoneId();
        node.ownerPlayerId = fields.ownerPlayerId();
        node.isZone = 0 != fields.isZone();
        node.x = fields.x();
        node.y = fields.y();
        node.z = fields.z();
        node.qx = fields.qx();
        node.qy = fields.qy();
        node.qz = fields.qz();
        node.qw = fields.qw();
        node.radius = fields.radius();
        node.lastAppliedInputSequence = fields.lastAppliedInputSequence();
        return node;
    }
}
