/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.rocksdb;

import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.OperationType;
import io.orrery.core.persistence.PersistenceAdapter.StowedItemHandler;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.persistence.NodeCodec;
import io.orrery.persistence.NodeRecords;
import io.orrery.persistence.OperationOutcomes;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import static io.orrery.persistence.rocksdb.RocksDbKeys.*;

/**
 * The Global store side of the RocksDB adapter, for a store that keeps its own: stow (the node and its edges leave
 * the graph, the item enters {@code stowed}), unstow (the reverse), wallet and reputation changes, and the reads of
 * stowed items, balances and standings. Each operation is one synced batch with its operation record, keyed by
 * (player, operation id): a call whose key is recorded is answered from the record (a replay) or refused as a
 * conflict (another operation under the same key), and changes nothing.
 * <p>
 * Threading: the adapter's single caller thread.
 */
final class RocksDbGlobalStore
{
    private final RocksDbRecords records;
    private final RocksDbDatabase database;
    private final UnsafeBuffer readKey;
    private final UnsafeBuffer readValue;
    private final UnsafeBuffer writeKey;
    private final UnsafeBuffer writeValue;
    private final NodeRecord scratch = new NodeRecord();
    private final NodeRecord item = new NodeRecord();
    private final LongArrayList ids = new LongArrayList();

    RocksDbGlobalStore(final RocksDbRecords records)
    {
        this.records = records;
        this.database = records.database();
        readKey = records.readKeyView();
        readValue = records.readValueView();
        writeKey = records.writeKeyView();
        writeValue = records.writeValueView();
    }

    void stow(final StowOperation op)
    {
        records.beginWrite();
        NodeRecords.validate(op.node);
        try
        {
            if (replayed(op, OperationType.STOW))
            {
                return;
            }

            final int status;
            final boolean stored = records.readNode(op.entityId, scratch);
            if (records.isStowed(op.entityId))
            {
                status = OperationStatus.CONFLICT;
            }
            else if (!stored && !NodeRecords.carriesState(op))
            {
                status = OperationStatus.NOT_FOUND;
            }
            else
            {
                if (stored)
                {
                    records.deleteNode(scratch.parentZoneId, scratch.x, op.entityId);
                }
                try (RocksIterator outIterator = records.newPrefixIterator(database.edgesOut());
                    RocksIterator inIterator = records.newPrefixIterator(database.edgesIn()))
                {
                    records.deleteStoredEdges(op.entityId, outIterator, inIterator);
                }
                putStowedItem(op.entityId, op.ownerPlayerId, op.containerId,
                    NodeRecords.carriesState(op) ? op.node : scratch);
                status = OperationStatus.OK;
            }

            putOperation(op.ownerPlayerId, op.operationId, status, 0, OperationType.STOW, OperationOutcomes.subject(op),
                0);
            records.commit();
            OperationOutcomes.complete(op, status);
        }
        catch (final RocksDBException ex)
        {
            throw records.writeFailed("stow " + op.operationId, ex);
        }
        finally
        {
            records.endWrite();
        }
    }

    void unstow(final StowOperation op)
    {
        records.beginWrite();
        NodeRecords.validate(op.node);
        try
        {
            if (replayed(op, OperationType.UNSTOW))
            {
                return;
            }

            final int status;
            final long targetId = NodeRecords.unstowTargetId(op);
            final int length = records.get(database.stowed(), id(readKey, op.entityId));
            final long ownerPlayerId = RocksDB.NOT_FOUND == length ? 0 : readValue.getLong(0, VALUE_ORDER);
            if (RocksDB.NOT_FOUND != length)
            {
                NodeCodec.decode(op.entityId, readValue, STOWED_HEADER_LENGTH, length - STOWED_HEADER_LENGTH, item);
            }

            if (RocksDB.NOT_FOUND == length)
            {
                status = OperationStatus.NOT_FOUND;
            }
            else if (ownerPlayerId != op.ownerPlayerId)
            {
                status = OperationStatus.NOT_OWNER;
            }
            else if (records.containsNode(targetId) || (targetId != op.entityId && records.isStowed(targetId)))
            {
                status = OperationStatus.CONFLICT;
            }
            else
            {
                records.deleteId(database.stowed(), op.entityId);
                records.delete(database.stowedByOwner(), pair(writeKey, op.ownerPlayerId, op.entityId));
                NodeRecords.unstowNode(op, item, scratch);
                records.putNode(scratch);
                op.node.copyFrom(scratch); // the contract: an applied unstow returns the inserted node
                status = OperationStatus.OK;
            }

            putOperation(op.ownerPlayerId, op.operationId, status, 0, OperationType.UNSTOW,
                OperationOutcomes.subject(op), 0);
            records.commit();
            OperationOutcomes.complete(op, status);
        }
        catch (final RocksDBException ex)
        {
            throw records.writeFailed("unstow " + op.operationId, ex);
        }
        finally
        {
            records.endWrite();
        }
    }

    /**
     * A wallet ({@link OperationType#WALLET}: may not go negative) or reputation ({@link OperationType#REPUTATION},
     * of {@code op.factionId}) change.
     */
    void changeBalance(final WalletOperation op, final int type)
    {
        records.beginWrite();
        try
        {
            if (replayed(op, type))
            {
                return;
            }

            final boolean isWallet = OperationType.WALLET == type;
            final long current = isWallet ?
                records.readLong(database.wallets(), id(readKey, op.playerId)) :
                records.readLong(database.reputation(), RocksDbKeys.reputation(readKey, op.playerId, op.factionId));
            final int status = OperationOutcomes.balanceChange(current, op.delta, !isWallet);
            final long value = OperationOutcomes.valueAfter(status, current, op.delta);
            if (OperationStatus.OK == status)
            {
                if (isWallet)
                {
                    records.putLong(database.wallets(), id(writeKey, op.playerId), value);
                }
                else
                {
                    records.putLong(
                        database.reputation(), RocksDbKeys.reputation(writeKey, op.playerId, op.factionId), value);
                }
            }

            putOperation(op.playerId, op.operationId, status, value, type, OperationOutcomes.subject(op, type),
                op.delta);
            records.commit();
            OperationOutcomes.complete(op, status, value);
        }
        catch (final RocksDBException ex)
        {
            throw records.writeFailed((OperationType.WALLET == type ? "wallet" : "reputation") + " change " +
                op.operationId, ex);
        }
        finally
        {
            records.endWrite();
        }
    }

    long walletBalance(final long playerId)
    {
        database.ensureOpen();
        return records.readLong(database.wallets(), id(readKey, playerId));
    }

    long reputation(final long playerId, final int factionId)
    {
        database.ensureOpen();
        return records.readLong(database.reputation(), RocksDbKeys.reputation(readKey, playerId, factionId));
    }

    int loadStowedItems(final long ownerPlayerId, final StowedItemHandler handler)
    {
        database.ensureOpen();
        ids.clear();
        try (RocksIterator iterator = records.newPrefixIterator(database.stowedByOwner()))
        {
            for (records.seek(iterator, ownerPlayerId); records.atPrefix(iterator, ownerPlayerId); iterator.next())
            {
                ids.addLong(records.keyId(ID_LENGTH));
            }
        }

        int count = 0;
        for (int i = 0, n = ids.size(); i < n; i++)
        {
            final long itemId = ids.getLong(i);
            final int length = records.get(database.stowed(), id(readKey, itemId));
            if (RocksDB.NOT_FOUND != length)
            {
                NodeCodec.decode(itemId, readValue, STOWED_HEADER_LENGTH, length - STOWED_HEADER_LENGTH, scratch);
                handler.onItem(
                    itemId,
                    readValue.getLong(0, VALUE_ORDER),
                    readValue.getLong(ID_LENGTH, VALUE_ORDER),
                    scratch);
                count++;
            }
        }

        return count;
    }

    boolean isStowed(final long itemId)
    {
        database.ensureOpen();
        return records.isStowed(itemId);
    }

    int recordedOutcome(final StowOperation op, final int type)
    {
        database.ensureOpen(); // a read: allowed while the disk is full
        return replayed(op, type) ? op.status : OperationStatus.PENDING;
    }

    /**
     * @return whether the operation's key is recorded; then the operation carries the recorded outcome (a replay)
     * or {@link OperationStatus#OPERATION_CONFLICT}.
     */
    private boolean replayed(final StowOperation op, final int type)
    {
        if (!isRecorded(op.ownerPlayerId, op.operationId))
        {
            return false;
        }
        if (isRecordedReplay(type, OperationOutcomes.subject(op), 0))
        {
            OperationOutcomes.replay(op, recordedStatus(), recordedValue());
        }
        else
        {
            OperationOutcomes.conflict(op);
        }
        return true;
    }

    private boolean replayed(final WalletOperation op, final int type)
    {
        if (!isRecorded(op.playerId, op.operationId))
        {
            return false;
        }
        if (isRecordedReplay(type, OperationOutcomes.subject(op, type), op.delta))
        {
            OperationOutcomes.replay(op, recordedStatus(), recordedValue());
        }
        else
        {
            OperationOutcomes.conflict(op);
        }
        return true;
    }

    /**
     * @return whether an operation is recorded under the key; its record is then in the read buffer.
     */
    private boolean isRecorded(final long playerId, final long operationId)
    {
        return RocksDB.NOT_FOUND != records.get(database.operations(), pair(readKey, playerId, operationId));
    }

    /**
     * @return whether the operation record just read is of this kind, subject and delta.
     */
    private boolean isRecordedReplay(final int type, final long subject, final long delta)
    {
        return OperationOutcomes.isReplay(
            readValue.getInt(OPERATION_TYPE_OFFSET, VALUE_ORDER),
            readValue.getLong(OPERATION_SUBJECT_OFFSET, VALUE_ORDER),
            readValue.getLong(OPERATION_DELTA_OFFSET, VALUE_ORDER),
            type, subject, delta);
    }

    private int recordedStatus()
    {
        return readValue.getInt(OPERATION_STATUS_OFFSET, VALUE_ORDER);
    }

    private long recordedValue()
    {
        return readValue.getLong(OPERATION_VALUE_OFFSET, VALUE_ORDER);
    }

    private void putStowedItem(final long itemId, final long ownerPlayerId, final long containerId,
        final NodeRecord item) throws RocksDBException
    {
        writeValue.putLong(0, ownerPlayerId, VALUE_ORDER);
        writeValue.putLong(ID_LENGTH, containerId, VALUE_ORDER);
        final int length = STOWED_HEADER_LENGTH + NodeCodec.encode(item, writeValue, STOWED_HEADER_LENGTH);
        records.put(database.stowed(), id(writeKey, itemId), length);
        records.put(database.stowedByOwner(), pair(writeKey, ownerPlayerId, itemId), 0);
    }

    private void putOperation(
        final long playerId,
        final long operationId,
        final int status,
        final long value,
        final int type,
        final long subject,
        final long delta) throws RocksDBException
    {
        writeValue.putInt(OPERATION_STATUS_OFFSET, status, VALUE_ORDER);
        writeValue.putLong(OPERATION_VALUE_OFFSET, value, VALUE_ORDER);
        writeValue.putInt(OPERATION_TYPE_OFFSET, type, VALUE_ORDER);
        writeValue.putLong(OPERATION_SUBJECT_OFFSET, subject, VALUE_ORDER);
        writeValue.putLong(OPERATION_DELTA_OFFSET, delta, VALUE_ORDER);
        records.put(database.operations(), pair(writeKey, playerId, operationId), OPERATION_VALUE_LENGTH);
    }
}
