/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.wire;

import io.orrery.wire.codec.ClientViewBatchDecoder;
import io.orrery.wire.codec.ClientViewsCompactDecoder;
import io.orrery.wire.codec.DisconnectDecoder;
import io.orrery.wire.codec.EntityCreateRequestDecoder;
import io.orrery.wire.codec.EntityDespawnDecoder;
import io.orrery.wire.codec.EntityDestroyRequestDecoder;
import io.orrery.wire.codec.EntitySpawnDecoder;
import io.orrery.wire.codec.EntityStateBatchDecoder;
import io.orrery.wire.codec.EntityStreamInDecoder;
import io.orrery.wire.codec.EntityStreamOutDecoder;
import io.orrery.wire.codec.EntityUpdateBatchDecoder;
import io.orrery.wire.codec.EntityUpdatesCompactDecoder;
import io.orrery.wire.codec.ForwardedInputDecoder;
import io.orrery.wire.codec.HandoffAcceptDecoder;
import io.orrery.wire.codec.HandoffCommitDecoder;
import io.orrery.wire.codec.HandoffPrepareDecoder;
import io.orrery.wire.codec.HeartbeatDecoder;
import io.orrery.wire.codec.HelloDecoder;
import io.orrery.wire.codec.LoadReportDecoder;
import io.orrery.wire.codec.PlayerInputDecoder;
import io.orrery.wire.codec.RejectDecoder;
import io.orrery.wire.codec.ReputationChangeResultDecoder;
import io.orrery.wire.codec.ServerGoodbyeDecoder;
import io.orrery.wire.codec.ServerHeartbeatDecoder;
import io.orrery.wire.codec.ServerTickEndDecoder;
import io.orrery.wire.codec.ServerHelloDecoder;
import io.orrery.wire.codec.ServerRejectDecoder;
import io.orrery.wire.codec.ServerWelcomeDecoder;
import io.orrery.wire.codec.StowRequestDecoder;
import io.orrery.wire.codec.StowResultDecoder;
import io.orrery.wire.codec.TerritoryGrantDecoder;
import io.orrery.wire.codec.TerritoryRevokeDecoder;
import io.orrery.wire.codec.ReplicantResetDecoder;
import io.orrery.wire.codec.TimeDilationDecoder;
import io.orrery.wire.codec.UnstowRequestDecoder;
import io.orrery.wire.codec.VarDataEncodingDecoder;
import io.orrery.wire.codec.WalletChangeResultDecoder;
import io.orrery.wire.codec.WelcomeDecoder;

import java.util.Arrays;

/**
 * Descriptor table of the variable part of every message in the schema: what follows the root block, in schema
 * order, with the limits a receiver enforces. {@link MessageValidator} walks it; it is the single place the maximum
 * group counts and var-data lengths live.
 * <p>
 * Layouts come from the generated codecs' constants ({@code BLOCK_LENGTH}, {@code TEMPLATE_ID}, group
 * {@code sbeBlockLength()}), so a schema change that moves a field changes the table with it; a schema change that
 * adds a group or var-data field must be mirrored here (a test compares the table with the schema XML).
 * <p>
 * The table is a set of primitive arrays built once at class initialisation:
 * <pre>
 *   per template id (0..MAX_TEMPLATE_ID)   per element (flat, in schema order)      per entry var-data field
 *   +-------------------+                  +-----------------------------------+    +----------------+
 *   | rootBlockLength   |--firstElement--->| kind: GROUP or VAR_DATA           |    | maxLength      |
 *   | firstElement      |  elementCount    | GROUP: entry blockLength,         |--->| maxLength      |
 *   | elementCount      |                  |        maxCount, firstEntryVarData|    | ...            |
 *   +-------------------+                  |        entryVarDataCount          |    +----------------+
 *                                          | VAR_DATA: maxLength               |
 *                                          +-----------------------------------+
 * </pre>
 * A root block length of {@link #UNKNOWN_TEMPLATE} marks an id that is not a message. Groups may carry var-data
 * fields in each entry; nested groups are not supported (the schema has none).
 * <p>
 * <b>Threading:</b> immutable after class initialisation; safe from any thread. Accessors never allocate.
 */
public final class MessageLayouts
{
    /**
     * Highest template id the table can describe: ids up to 299 are allotted by the schema conventions.
     */
    public static final int MAX_TEMPLATE_ID = 299;

    /**
     * Root block length reported for an id that is not a message.
     */
    public static final int UNKNOWN_TEMPLATE = -1;

    /**
     * Element kind: a repeating group with a {@code groupSizeEncoding} header.
     */
    public static final int GROUP = 1;

    /**
     * Element kind: a var-data field with a 2-byte length prefix.
     */
    public static final int VAR_DATA = 2;

    /**
     * Largest length a {@code varDataEncoding} or {@code varAsciiEncoding} field can declare (the schema's maxValue).
     */
    public static final int MAX_VAR_DATA_LENGTH = VarDataEncodingDecoder.lengthMaxValue();

    /**
     * Maximum entries accepted in {@code EntityUpdateBatch.updates}.
     */
    public static final int MAX_UPDATES_COUNT = 4096;

    /**
     * Maximum entries accepted in {@code EntityStateBatch.states}.
     */
    public static final int MAX_STATES_COUNT = 4096;

    /**
     * Maximum entries accepted in {@code EntityStreamIn.entities} and {@code EntityStreamOut.entities}.
     */
    public static final int MAX_STREAM_ENTITIES_COUNT = 4096;

    /**
     * Maximum entries accepted in {@code ClientViewBatch.views}.
     */
    public static final int MAX_VIEWS_COUNT = 4096;

    /**
     * Maximum entries accepted in {@code ClientViewBatch.removed}.
     */
    public static final int MAX_REMOVED_COUNT = 4096;

    /**
     * Maximum length of an entity's {@code componentState}, in any message.
     */
    public static final int MAX_COMPONENT_STATE_LENGTH = MAX_VAR_DATA_LENGTH;

    /**
     * Maximum length of the packed {@code entries} of an {@code EntityUpdatesCompact}, and of each packed block of a
     * {@code ClientViewsCompact}.
     */
    public static final int MAX_COMPACT_ENTRIES_LENGTH = MAX_VAR_DATA_LENGTH;

    /**
     * Maximum length of an {@code authToken}.
     */
    public static final int MAX_AUTH_TOKEN_LENGTH = MAX_VAR_DATA_LENGTH;

    /**
     * Maximum length of a {@code responseChannel} (an Aeron channel URI).
     */
    public static final int MAX_RESPONSE_CHANNEL_LENGTH = MAX_VAR_DATA_LENGTH;

    /**
     * Maximum length of a {@code reasonText}.
     */
    public static final int MAX_REASON_TEXT_LENGTH = MAX_VAR_DATA_LENGTH;

    private static final int[] ROOT_BLOCK_LENGTH = new int[MAX_TEMPLATE_ID + 1];
    private static final int[] VERSION_1_ROOT_BLOCK_LENGTH = new int[MAX_TEMPLATE_ID + 1];
    private static final int[] FIRST_ELEMENT = new int[MAX_TEMPLATE_ID + 1];
    private static final int[] ELEMENT_COUNT = new int[MAX_TEMPLATE_ID + 1];
    private static final int[] ELEMENT_KIND;
    private static final int[] ELEMENT_BLOCK_LENGTH;
    private static final int[] ELEMENT_MAX_COUNT;
    private static final int[] ELEMENT_MAX_LENGTH;
    private static final int[] ELEMENT_FIRST_ENTRY_VAR_DATA;
    private static final int[] ELEMENT_ENTRY_VAR_DATA_COUNT;
    private static final int[] ENTRY_VAR_DATA_MAX_LENGTH;
    private static final int TEMPLATE_COUNT;

    static
    {
        Arrays.fill(ROOT_BLOCK_LENGTH, UNKNOWN_TEMPLATE);
        final Builder builder = new Builder();
        addClientMessages(builder);
        addServerMessages(builder);
        System.arraycopy(ROOT_BLOCK_LENGTH, 0, VERSION_1_ROOT_BLOCK_LENGTH, 0, ROOT_BLOCK_LENGTH.length);
        // version 2 (several Replicants per shard) appended fields to these blocks
        VERSION_1_ROOT_BLOCK_LENGTH[EntitySpawnDecoder.TEMPLATE_ID] = EntitySpawnDecoder.replicantIdEncodingOffset();
        VERSION_1_ROOT_BLOCK_LENGTH[EntityDespawnDecoder.TEMPLATE_ID] =
            EntityDespawnDecoder.replicantIdEncodingOffset();
        VERSION_1_ROOT_BLOCK_LENGTH[EntityUpdatesCompactDecoder.TEMPLATE_ID] =
            EntityUpdatesCompactDecoder.replicantIdEncodingOffset();

        ELEMENT_KIND = Arrays.copyOf(builder.kind, builder.elementCount);
        ELEMENT_BLOCK_LENGTH = Arrays.copyOf(builder.blockLength, builder.elementCount);
        ELEMENT_MAX_COUNT = Arrays.copyOf(builder.maxCount, builder.elementCount);
        ELEMENT_MAX_LENGTH = Arrays.copyOf(builder.maxLength, builder.elementCount);
        ELEMENT_FIRST_ENTRY_VAR_DATA = Arrays.copyOf(builder.firstEntryVarData, builder.elementCount);
        ELEMENT_ENTRY_VAR_DATA_COUNT = Arrays.copyOf(builder.entryVarDataCount, builder.elementCount);
        ENTRY_VAR_DATA_MAX_LENGTH = Arrays.copyOf(builder.entryVarDataMaxLength, builder.entryVarDataTotal);
        TEMPLATE_COUNT = builder.templateCount;
    }

    private MessageLayouts()
    {
    }

    private static void addClientMessages(final Builder b)
    {
        b.message(HelloDecoder.TEMPLATE_ID, HelloDecoder.BLOCK_LENGTH)
            .varData(MAX_AUTH_TOKEN_LENGTH)
            .varData(MAX_RESPONSE_CHANNEL_LENGTH);
        b.message(WelcomeDecoder.TEMPLATE_ID, WelcomeDecoder.BLOCK_LENGTH);
        b.message(RejectDecoder.TEMPLATE_ID, RejectDecoder.BLOCK_LENGTH)
            .varData(MAX_REASON_TEXT_LENGTH);
        b.message(HeartbeatDecoder.TEMPLATE_ID, HeartbeatDecoder.BLOCK_LENGTH);
        b.message(DisconnectDecoder.TEMPLATE_ID, DisconnectDecoder.BLOCK_LENGTH);
        b.message(PlayerInputDecoder.TEMPLATE_ID, PlayerInputDecoder.BLOCK_LENGTH);
        b.message(EntitySpawnDecoder.TEMPLATE_ID, EntitySpawnDecoder.BLOCK_LENGTH)
            .varData(MAX_COMPONENT_STATE_LENGTH);
        b.message(EntityUpdateBatchDecoder.TEMPLATE_ID, EntityUpdateBatchDecoder.BLOCK_LENGTH)
            .group(EntityUpdateBatchDecoder.UpdatesDecoder.sbeBlockLength(), MAX_UPDATES_COUNT)
            .entryVarData(MAX_COMPONENT_STATE_LENGTH);
        b.message(EntityDespawnDecoder.TEMPLATE_ID, EntityDespawnDecoder.BLOCK_LENGTH);
        b.message(TimeDilationDecoder.TEMPLATE_ID, TimeDilationDecoder.BLOCK_LENGTH);
        b.message(ReplicantResetDecoder.TEMPLATE_ID, ReplicantResetDecoder.BLOCK_LENGTH);
        b.message(EntityUpdatesCompactDecoder.TEMPLATE_ID, EntityUpdatesCompactDecoder.BLOCK_LENGTH)
            .varData(MAX_COMPACT_ENTRIES_LENGTH);
        b.message(StowRequestDecoder.TEMPLATE_ID, StowRequestDecoder.BLOCK_LENGTH);
        b.message(UnstowRequestDecoder.TEMPLATE_ID, UnstowRequestDecoder.BLOCK_LENGTH);
        b.message(StowResultDecoder.TEMPLATE_ID, StowResultDecoder.BLOCK_LENGTH);
        b.message(WalletChangeResultDecoder.TEMPLATE_ID, WalletChangeResultDecoder.BLOCK_LENGTH);
        b.message(ReputationChangeResultDecoder.TEMPLATE_ID, ReputationChangeResultDecoder.BLOCK_LENGTH);
    }

    private static void addServerMessages(final Builder b)
    {
        b.message(ServerHelloDecoder.TEMPLATE_ID, ServerHelloDecoder.BLOCK_LENGTH)
            .varData(MAX_AUTH_TOKEN_LENGTH)
            .varData(MAX_RESPONSE_CHANNEL_LENGTH);
        b.message(ServerWelcomeDecoder.TEMPLATE_ID, ServerWelcomeDecoder.BLOCK_LENGTH);
        b.message(ServerRejectDecoder.TEMPLATE_ID, ServerRejectDecoder.BLOCK_LENGTH)
            .varData(MAX_REASON_TEXT_LENGTH);
        b.message(LoadReportDecoder.TEMPLATE_ID, LoadReportDecoder.BLOCK_LENGTH);
        b.message(TerritoryGrantDecoder.TEMPLATE_ID, TerritoryGrantDecoder.BLOCK_LENGTH);
        b.message(TerritoryRevokeDecoder.TEMPLATE_ID, TerritoryRevokeDecoder.BLOCK_LENGTH);
        b.message(HandoffPrepareDecoder.TEMPLATE_ID, HandoffPrepareDecoder.BLOCK_LENGTH);
        b.message(HandoffAcceptDecoder.TEMPLATE_ID, HandoffAcceptDecoder.BLOCK_LENGTH);
        b.message(HandoffCommitDecoder.TEMPLATE_ID, HandoffCommitDecoder.BLOCK_LENGTH);
        b.message(EntityStreamInDecoder.TEMPLATE_ID, EntityStreamInDecoder.BLOCK_LENGTH)
            .group(EntityStreamInDecoder.EntitiesDecoder.sbeBlockLength(), MAX_STREAM_ENTITIES_COUNT)
            .entryVarData(MAX_COMPONENT_STATE_LENGTH);
        b.message(EntityStreamOutDecoder.TEMPLATE_ID, EntityStreamOutDecoder.BLOCK_LENGTH)
            .group(EntityStreamOutDecoder.EntitiesDecoder.sbeBlockLength(), MAX_STREAM_ENTITIES_COUNT)
            .entryVarData(MAX_COMPONENT_STATE_LENGTH);
        b.message(ForwardedInputDecoder.TEMPLATE_ID, ForwardedInputDecoder.BLOCK_LENGTH);
        b.message(EntityStateBatchDecoder.TEMPLATE_ID, EntityStateBatchDecoder.BLOCK_LENGTH)
            .group(EntityStateBatchDecoder.StatesDecoder.sbeBlockLength(), MAX_STATES_COUNT)
            .entryVarData(MAX_COMPONENT_STATE_LENGTH);
        b.message(EntityCreateRequestDecoder.TEMPLATE_ID, EntityCreateRequestDecoder.BLOCK_LENGTH)
            .varData(MAX_COMPONENT_STATE_LENGTH);
        b.message(EntityDestroyRequestDecoder.TEMPLATE_ID, EntityDestroyRequestDecoder.BLOCK_LENGTH);
        b.message(ClientViewBatchDecoder.TEMPLATE_ID, ClientViewBatchDecoder.BLOCK_LENGTH)
            .group(ClientViewBatchDecoder.ViewsDecoder.sbeBlockLength(), MAX_VIEWS_COUNT)
            .entryVarData(MAX_COMPONENT_STATE_LENGTH)
            .group(ClientViewBatchDecoder.RemovedDecoder.sbeBlockLength(), MAX_REMOVED_COUNT);
        b.message(ClientViewsCompactDecoder.TEMPLATE_ID, ClientViewsCompactDecoder.BLOCK_LENGTH)
            .varData(MAX_COMPACT_ENTRIES_LENGTH)
            .varData(MAX_COMPACT_ENTRIES_LENGTH)
            .varData(MAX_COMPACT_ENTRIES_LENGTH);
        b.message(ServerHeartbeatDecoder.TEMPLATE_ID, ServerHeartbeatDecoder.BLOCK_LENGTH);
        b.message(ServerTickEndDecoder.TEMPLATE_ID, ServerTickEndDecoder.BLOCK_LENGTH);
        b.message(ServerGoodbyeDecoder.TEMPLATE_ID, ServerGoodbyeDecoder.BLOCK_LENGTH);
    }

    /**
     * Number of message templates in the table.
     *
     * @return number of message templates in the table.
     */
    public static int templateCount()
    {
        return TEMPLATE_COUNT;
    }

    /**
     * Expected root block length of a template at the current schema version.
     *
     * @param templateId from the message header, any value.
     * @return the root block length, or {@link #UNKNOWN_TEMPLATE} if the id is not a message of this schema.
     */
    public static int rootBlockLength(final int templateId)
    {
        if (templateId < 0 || templateId > MAX_TEMPLATE_ID)
        {
            return UNKNOWN_TEMPLATE;
        }

        return ROOT_BLOCK_LENGTH[templateId];
    }

    /**
     * Root block length of a template as a sender of {@code version} writes it: version 1 senders wrote shorter
     * blocks for the messages version 2 extended ({@code EntitySpawn}, {@code EntityDespawn},
     * {@code EntityUpdatesCompact}).
     *
     * @param templateId a template id.
     * @param version    the sender's schema version, at least 1.
     * @return the root block length, or {@link #UNKNOWN_TEMPLATE} if the id is not a message of this schema.
     */
    public static int rootBlockLength(final int templateId, final int version)
    {
        if (templateId < 0 || templateId > MAX_TEMPLATE_ID)
        {
            return UNKNOWN_TEMPLATE;
        }

        return version < 2 ? VERSION_1_ROOT_BLOCK_LENGTH[templateId] : ROOT_BLOCK_LENGTH[templateId];
    }

    /**
     * Index of the first element of a known template; elements of a template are contiguous.
     *
     * @param templateId a known template id.
     * @return index of the template's first element.
     */
    public static int firstElement(final int templateId)
    {
        return FIRST_ELEMENT[templateId];
    }

    /**
     * Number of groups and var-data fields after the root block of a known template.
     *
     * @param templateId a known template id.
     * @return number of elements, 0 for a fixed-length message.
     */
    public static int elementCount(final int templateId)
    {
        return ELEMENT_COUNT[templateId];
    }

    /**
     * Kind of an element.
     *
     * @param element index of the element.
     * @return {@link #GROUP} or {@link #VAR_DATA}.
     */
    public static int kind(final int element)
    {
        return ELEMENT_KIND[element];
    }

    /**
     * Expected entry block length of a group element at the current schema version.
     *
     * @param element index of a group element.
     * @return the entry block length.
     */
    public static int groupBlockLength(final int element)
    {
        return ELEMENT_BLOCK_LENGTH[element];
    }

    /**
     * Maximum number of entries accepted in a group element.
     *
     * @param element index of a group element.
     * @return maximum number of entries.
     */
    public static int groupMaxCount(final int element)
    {
        return ELEMENT_MAX_COUNT[element];
    }

    /**
     * Index of the first var-data field of each entry of a group element.
     *
     * @param element index of a group element.
     * @return index for {@link #entryVarDataMaxLength(int)}.
     */
    public static int groupFirstEntryVarData(final int element)
    {
        return ELEMENT_FIRST_ENTRY_VAR_DATA[element];
    }

    /**
     * Number of var-data fields in each entry of a group element.
     *
     * @param element index of a group element.
     * @return number of var-data fields per entry.
     */
    public static int groupEntryVarDataCount(final int element)
    {
        return ELEMENT_ENTRY_VAR_DATA_COUNT[element];
    }

    /**
     * Maximum length of a top-level var-data element.
     *
     * @param element index of a var-data element.
     * @return maximum length in bytes.
     */
    public static int varDataMaxLength(final int element)
    {
        return ELEMENT_MAX_LENGTH[element];
    }

    /**
     * Maximum length of a var-data field inside a group entry.
     *
     * @param entryVarData index from {@link #groupFirstEntryVarData(int)} plus the field's position in the entry.
     * @return maximum length in bytes.
     */
    public static int entryVarDataMaxLength(final int entryVarData)
    {
        return ENTRY_VAR_DATA_MAX_LENGTH[entryVarData];
    }

    /**
     * Collects the table at class initialisation; never used afterwards.
     */
    private static final class Builder
    {
        private static final int CAPACITY = 64;

        final int[] kind = new int[CAPACITY];
        final int[] blockLength = new int[CAPACITY];
        final int[] maxCount = new int[CAPACITY];
        final int[] maxLength = new int[CAPACITY];
        final int[] firstEntryVarData = new int[CAPACITY];
        final int[] entryVarDataCount = new int[CAPACITY];
        final int[] entryVarDataMaxLength = new int[CAPACITY];
        int elementCount;
        int entryVarDataTotal;
        int templateCount;
        int templateId = -1;
        int lastGroup = -1;
        boolean varDataSeen;

        Builder message(final int templateId, final int rootBlockLength)
        {
            if (ROOT_BLOCK_LENGTH[templateId] != UNKNOWN_TEMPLATE)
            {
                throw new IllegalStateException("duplicate template id " + templateId);
            }

            this.templateId = templateId;
            lastGroup = -1;
            varDataSeen = false;
            ROOT_BLOCK_LENGTH[templateId] = rootBlockLength;
            FIRST_ELEMENT[templateId] = elementCount;
            templateCount++;

            return this;
        }

        Builder group(final int entryBlockLength, final int maxEntries)
        {
            if (varDataSeen)
            {
                throw new IllegalStateException("groups must precede var data, template " + templateId);
            }

            final int element = addElement(GROUP);
            blockLength[element] = entryBlockLength;
            maxCount[element] = maxEntries;
            firstEntryVarData[element] = entryVarDataTotal;
            lastGroup = element;

            return this;
        }

        Builder entryVarData(final int maxBytes)
        {
            if (lastGroup != elementCount - 1)
            {
                throw new IllegalStateException("entry var data must follow its group, template " + templateId);
            }

            entryVarDataMaxLength[entryVarDataTotal++] = maxBytes;
            entryVarDataCount[lastGroup]++;

            return this;
        }

        Builder varData(final int maxBytes)
        {
            final int element = addElement(VAR_DATA);
            maxLength[element] = maxBytes;
            lastGroup = -1;
            varDataSeen = true;

            return this;
        }

        private int addElement(final int elementKind)
        {
            final int element = elementCount++;
            kind[element] = elementKind;
            ELEMENT_COUNT[templateId]++;

            return element;
        }
    }
}
