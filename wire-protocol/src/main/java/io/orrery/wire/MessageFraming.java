/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.codec.ClientViewBatchEncoder;
import io.orrery.wire.codec.EntitySpawnEncoder;
import io.orrery.wire.codec.EntityStateBatchEncoder;
import io.orrery.wire.codec.EntityStreamInEncoder;
import io.orrery.wire.codec.EntityStreamOutEncoder;
import io.orrery.wire.codec.EntityUpdateBatchEncoder;
import io.orrery.wire.codec.ForwardedInputEncoder;
import io.orrery.wire.codec.GroupSizeEncodingEncoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.PlayerInputEncoder;
import io.orrery.wire.codec.VarDataEncodingEncoder;

/**
 * Encoded sizes of messages, computed from the generated codecs' constants, so senders can budget bytes before they
 * encode (a tick's bandwidth, an Aeron {@code tryClaim} length, when to start a new batch).
 * <p>
 * A batch message is laid out as:
 * <pre>
 *   +--------+------------+--------------+------------------------------+-----+
 *   | header | root block | group header | entry block | len | state... | ... |
 *   +--------+------------+--------------+------------------------------+-----+
 *   \____________ xxxBatchHeaderLength ___/\_______ xxxEntryLength _______/
 * </pre>
 * so {@code batchLength = batchHeaderLength + sum(entryLength(stateLength of each entry))}.
 * <p>
 * <b>Threading:</b> constants and pure functions; safe from any thread. Nothing allocates.
 */
public final class MessageFraming
{
    /**
     * Length of the SBE message header that precedes every message.
     */
    public static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;

    /**
     * Length of a repeating group's dimension header.
     */
    public static final int GROUP_HEADER_LENGTH = GroupSizeEncodingEncoder.ENCODED_LENGTH;

    /**
     * Length of a var-data field's length prefix.
     */
    public static final int VAR_DATA_HEADER_LENGTH = VarDataEncodingEncoder.lengthEncodingLength();

    /**
     * Encoded length of a PlayerInput message, header included.
     */
    public static final int PLAYER_INPUT_LENGTH = HEADER_LENGTH + PlayerInputEncoder.BLOCK_LENGTH;

    /**
     * Encoded length of a ForwardedInput message, header included.
     */
    public static final int FORWARDED_INPUT_LENGTH = HEADER_LENGTH + ForwardedInputEncoder.BLOCK_LENGTH;

    /**
     * Length of an EntityUpdateBatch with no entries: header, root block and the updates group header.
     */
    public static final int UPDATE_BATCH_HEADER_LENGTH =
        HEADER_LENGTH + EntityUpdateBatchEncoder.BLOCK_LENGTH + GROUP_HEADER_LENGTH;

    /**
     * Length of an EntityStateBatch with no entries: header, root block and the states group header.
     */
    public static final int STATE_BATCH_HEADER_LENGTH =
        HEADER_LENGTH + EntityStateBatchEncoder.BLOCK_LENGTH + GROUP_HEADER_LENGTH;

    /**
     * Length of an EntityStreamIn with no entries: header, root block and the group header.
     */
    public static final int STREAM_BATCH_HEADER_LENGTH =
        HEADER_LENGTH + EntityStreamInEncoder.BLOCK_LENGTH + GROUP_HEADER_LENGTH;

    /**
     * Length of an EntityStreamOut with no entries: header, root block (one byte longer: the reason) and the group
     * header. Its entries are the same as EntityStreamIn's.
     */
    public static final int STREAM_OUT_HEADER_LENGTH =
        HEADER_LENGTH + EntityStreamOutEncoder.BLOCK_LENGTH + GROUP_HEADER_LENGTH;

    /**
     * Length of a ClientViewBatch with no views and no removals: header, root block and both group headers.
     */
    public static final int VIEW_BATCH_HEADER_LENGTH =
        HEADER_LENGTH + ClientViewBatchEncoder.BLOCK_LENGTH + GROUP_HEADER_LENGTH + GROUP_HEADER_LENGTH;

    /**
     * Length of one ClientViewBatch {@code removed} entry.
     */
    public static final int VIEW_REMOVED_ENTRY_LENGTH = ClientViewBatchEncoder.RemovedEncoder.sbeBlockLength();

    private MessageFraming()
    {
    }

    /**
     * Encoded length of an EntitySpawn, header included.
     *
     * @param stateLength length of the component state.
     * @return encoded length in bytes.
     */
    public static int spawnLength(final int stateLength)
    {
        return HEADER_LENGTH + EntitySpawnEncoder.BLOCK_LENGTH + VAR_DATA_HEADER_LENGTH + stateLength;
    }

    /**
     * Encoded length of one EntityUpdateBatch {@code updates} entry.
     *
     * @param stateLength length of the entry's component state, 0 if unchanged.
     * @return encoded length in bytes.
     */
    public static int updateEntryLength(final int stateLength)
    {
        return EntityUpdateBatchEncoder.UpdatesEncoder.sbeBlockLength() + VAR_DATA_HEADER_LENGTH + stateLength;
    }

    /**
     * Encoded length of an EntityUpdateBatch, header included.
     *
     * @param entryCount       number of entries.
     * @param totalStateLength sum of the component state lengths of all entries.
     * @return encoded length in bytes.
     */
    public static int updateBatchLength(final int entryCount, final int totalStateLength)
    {
        return UPDATE_BATCH_HEADER_LENGTH + entryCount * updateEntryLength(0) + totalStateLength;
    }

    /**
     * Encoded length of one EntityStateBatch {@code states} entry.
     *
     * @param stateLength length of the entry's component state, 0 if unchanged.
     * @return encoded length in bytes.
     */
    public static int stateEntryLength(final int stateLength)
    {
        return EntityStateBatchEncoder.StatesEncoder.sbeBlockLength() + VAR_DATA_HEADER_LENGTH + stateLength;
    }

    /**
     * Encoded length of an EntityStateBatch, header included.
     *
     * @param entryCount       number of entries.
     * @param totalStateLength sum of the component state lengths of all entries.
     * @return encoded length in bytes.
     */
    public static int stateBatchLength(final int entryCount, final int totalStateLength)
    {
        return STATE_BATCH_HEADER_LENGTH + entryCount * stateEntryLength(0) + totalStateLength;
    }

    /**
     * Encoded length of one EntityStreamIn or EntityStreamOut {@code entities} entry.
     *
     * @param stateLength length of the entry's component state.
     * @return encoded length in bytes.
     */
    public static int streamEntryLength(final int stateLength)
    {
        return EntityStreamInEncoder.EntitiesEncoder.sbeBlockLength() + VAR_DATA_HEADER_LENGTH + stateLength;
    }

    /**
     * Encoded length of one ClientViewBatch {@code views} entry.
     *
     * @param stateLength length of the entry's component state, 0 if unchanged.
     * @return encoded length in bytes.
     */
    public static int viewEntryLength(final int stateLength)
    {
        return ClientViewBatchEncoder.ViewsEncoder.sbeBlockLength() + VAR_DATA_HEADER_LENGTH + stateLength;
    }
}
