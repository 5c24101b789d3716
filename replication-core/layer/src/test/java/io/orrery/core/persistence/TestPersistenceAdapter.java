/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * In-memory {@link PersistenceAdapter} for Scribe's tests, keeping the SPI contract (atomic batches, stow/unstow
 * moves in one step, idempotent operations by id, no overdraft), with fault injection: fail the next N calls, fail
 * every call while "down", block calls until released; and a log of the calls in the order they happened.
 * <p>
 * Threading: store methods run on Scribe's consumer thread; inspection and fault controls from the test thread.
 * State is guarded by the object's monitor, never held while a call is blocked.
 */
public final class TestPersistenceAdapter implements PersistenceAdapter
{
    record Edge(long from, long to, EdgeKind kind)
    {
    }

    record Item(long owner, long container, NodeRecord node)
    {
    }

    private final Map<Long, NodeRecord> nodes = new HashMap<>();
    private final Set<Edge> edges = new HashSet<>();
    private final Map<Long, Item> stowed = new HashMap<>();
    private final Map<Long, Long> wallets = new HashMap<>();
    private final Map<Long, Long> reputations = new HashMap<>();
    private final Map<List<Long>, long[]> outcomes = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final List<Integer> batchSizes = new ArrayList<>();

    private int failNext;
    private volatile boolean hasWorldWriter;
    private volatile CountDownLatch worldWriterGate;
    private volatile CountDownLatch worldWriterEntered = new CountDownLatch(1);
    private boolean down;
    private volatile CountDownLatch gate;
    private volatile CountDownLatch entered = new CountDownLatch(1);
    private long attempts;

    @Override
    public String name()
    {
        return "test-memory";
    }

    // ---- fault injection -----------------------------------------------------------------------------------------

    synchronized void failNext(final int calls)
    {
        failNext = calls;
    }

    public synchronized void down(final boolean down)
    {
        this.down = down;
    }

    /**
     * Make every call block (before touching state) until {@link #release()}.
     */
    void block()
    {
        entered = new CountDownLatch(1);
        gate = new CountDownLatch(1);
    }

    void release()
    {
        final CountDownLatch gate = this.gate;
        this.gate = null;
        if (null != gate)
        {
            gate.countDown();
        }
    }

    /**
     * Wait until a call has entered the adapter and is blocked.
     */
    boolean awaitBlockedCall(final long timeoutMs) throws InterruptedException
    {
        return entered.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    private void enter()
    {
        pass(gate, entered);

        synchronized (this)
        {
            attempts++;
            if (down)
            {
                throw new PersistenceException("store down (injected)");
            }
            if (failNext > 0)
            {
                failNext--;
                throw new PersistenceException("store failure (injected)");
            }
        }
    }

    /**
     * From now on {@link #openWorldWriter()} opens a session of its own for Scribe's world writer.
     */
    void withWorldWriter()
    {
        hasWorldWriter = true;
    }

    /**
     * Make the world writer's next writes block (before touching state) until {@link #releaseWorldWriter()}.
     */
    void blockWorldWriter()
    {
        worldWriterEntered = new CountDownLatch(1);
        worldWriterGate = new CountDownLatch(1);
    }

    void releaseWorldWriter()
    {
        final CountDownLatch gate = worldWriterGate;
        worldWriterGate = null;
        if (null != gate)
        {
            gate.countDown();
        }
    }

    /**
     * Wait until the world writer's write has entered its session and is blocked.
     */
    boolean awaitBlockedWorldWrite(final long timeoutMs) throws InterruptedException
    {
        return worldWriterEntered.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public EntityGraphStore openWorldWriter()
    {
        return hasWorldWriter ? new WorldWriterSession() : null;
    }

    /**
     * The world writer's session: writes into the same state (logged as "world-write ..."), with its own gate.
     */
    private final class WorldWriterSession implements EntityGraphStore
    {
        @Override
        public String name()
        {
            return "test-memory world writer";
        }

        @Override
        public void write(final WorldBatch batch)
        {
            pass(worldWriterGate, worldWriterEntered);
            TestPersistenceAdapter.this.write(batch);
            synchronized (TestPersistenceAdapter.this)
            {
                final int last = calls.size() - 1;
                calls.set(last, "world-" + calls.get(last));
            }
        }

        @Override
        public int loadZoneSubtree(final long rootZoneId, final NodeHandler handler)
        {
            throw new UnsupportedOperationException("the world writer only writes");
        }

        @Override
        public int loadRegion(
            final long zoneId,
            final long minX,
            final long minY,
            final long minZ,
            final long maxX,
            final long maxY,
            final long maxZ,
            final NodeHandler handler)
        {
            throw new UnsupportedOperationException("the world writer only writes");
        }

        @Override
        public int loadAll(final NodeHandler handler)
        {
            throw new UnsupportedOperationException("the world writer only writes");
        }

        @Override
        public int loadEdges(final long entityId, final EdgeHandler handler)
        {
            throw new UnsupportedOperationException("the world writer only writes");
        }

        @Override
        public long nodeCount()
        {
            return TestPersistenceAdapter.this.nodeCount();
        }

        @Override
        public void close()
        {
        }
    }

    /**
     * Block on a closed gate (if any) until it is released, saying so on {@code entered}.
     */
    private static void pass(final CountDownLatch gate, final CountDownLatch entered)
    {
        if (null != gate)
        {
            entered.countDown();
            try
            {
                if (!gate.await(30, TimeUnit.SECONDS))
                {
                    throw new PersistenceException("test gate never released");
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new PersistenceException("interrupted", ex);
            }
        }
    }

    // ---- inspection ----------------------------------------------------------------------------------------------

    synchronized long attempts()
    {
        return attempts;
    }

    /**
     * @return the operations run so far ("stow ID", "unstow ID", ...), in order.
     */
    public synchronized List<String> calls()
    {
        return new ArrayList<>(calls);
    }

    synchronized List<Integer> batchSizes()
    {
        return new ArrayList<>(batchSizes);
    }

    public synchronized NodeRecord node(final long entityId)
    {
        final NodeRecord node = nodes.get(entityId);
        return null == node ? null : new NodeRecord().copyFrom(node);
    }

    synchronized boolean hasEdge(final long from, final long to, final EdgeKind kind)
    {
        return edges.contains(new Edge(from, to, kind));
    }

    synchronized int edgeCount()
    {
        return edges.size();
    }

    synchronized Item item(final long itemId)
    {
        return stowed.get(itemId);
    }

    // ---- the SPI -------------------------------------------------------------------------------------------------

    @Override
    public void write(final WorldBatch batch)
    {
        enter();
        synchronized (this)
        {
            final StringBuilder log = new StringBuilder("write");
            for (int i = 0; i < batch.nodeUpsertCount(); i++)
            {
                final NodeRecord node = batch.nodeUpsert(i);
                nodes.computeIfAbsent(node.entityId, (id) -> new NodeRecord()).copyFrom(node);
                log.append(" +").append(node.entityId);
            }
            for (int i = 0; i < batch.nodeRemovalCount(); i++)
            {
                final long id = batch.nodeRemoval(i);
                nodes.remove(id);
                edges.removeIf((e) -> e.from == id || e.to == id);
                log.append(" -").append(id);
            }
            for (int i = 0; i < batch.edgeCount(); i++)
            {
                final Edge edge = new Edge(batch.edgeFrom(i), batch.edgeTo(i), batch.edgeKind(i));
                if (batch.isEdgeRemoved(i))
                {
                    edges.remove(edge);
                    log.append(" -e");
                }
                else
                {
                    edges.add(edge);
                    log.append(" +e");
                }
                log.append(edge.from).append('>').append(edge.to);
            }
            calls.add(log.toString());
            batchSizes.add(batch.size());
        }
    }

    @Override
    public int loadZoneSubtree(final long rootZoneId, final NodeHandler handler)
    {
        throw new UnsupportedOperationException("not used by Scribe");
    }

    @Override
    public int loadRegion(
        final long zoneId,
        final long minX,
        final long minY,
        final long minZ,
        final long maxX,
        final long maxY,
        final long maxZ,
        final NodeHandler handler)
    {
        enter();
        final List<NodeRecord> loaded = new ArrayList<>();
        synchronized (this)
        {
            for (final NodeRecord node : nodes.values())
            {
                if (node.parentZoneId == zoneId && node.x >= minX && node.x <= maxX && node.y >= minY &&
                    node.y <= maxY && node.z >= minZ && node.z <= maxZ)
                {
                    addWithSubtree(node, loaded);
                }
            }
        }
        for (final NodeRecord node : loaded)
        {
            handler.onNode(node);
        }
        return loaded.size();
    }

    private void addWithSubtree(final NodeRecord node, final List<NodeRecord> loaded)
    {
        loaded.add(new NodeRecord().copyFrom(node));
        if (node.isZone)
        {
            for (final NodeRecord child : nodes.values())
            {
                if (child.parentZoneId == node.entityId)
                {
                    addWithSubtree(child, loaded);
                }
            }
        }
    }

    @Override
    public synchronized int loadAll(final NodeHandler handler)
    {
        final NodeRecord record = new NodeRecord();
        for (final NodeRecord node : nodes.values())
        {
            handler.onNode(record.copyFrom(node));
        }
        return nodes.size();
    }

    @Override
    public int loadEdges(final long entityId, final EdgeHandler handler)
    {
        throw new UnsupportedOperationException("not used by Scribe");
    }

    @Override
    public void stow(final StowOperation op)
    {
        enter();
        synchronized (this)
        {
            calls.add("stow " + op.entityId);
            if (replay(op, OperationType.STOW))
            {
                return;
            }
            final NodeRecord inGraph = nodes.get(op.entityId);
            if (stowed.containsKey(op.entityId))
            {
                op.status = OperationStatus.CONFLICT;
            }
            else if (null == inGraph && op.node.entityId != op.entityId)
            {
                op.status = OperationStatus.NOT_FOUND;
            }
            else
            {
                nodes.remove(op.entityId);
                edges.removeIf((e) -> e.from == op.entityId || e.to == op.entityId);
                final NodeRecord item = new NodeRecord().copyFrom(op.node.entityId == op.entityId ? op.node : inGraph);
                stowed.put(op.entityId, new Item(op.ownerPlayerId, op.containerId, item));
                op.status = OperationStatus.OK;
            }
            record(op, OperationType.STOW);
        }
    }

    @Override
    public void unstow(final StowOperation op)
    {
        enter();
        synchronized (this)
        {
            calls.add("unstow " + op.entityId);
            if (replay(op, OperationType.UNSTOW))
            {
                return;
            }
            final Item item = stowed.get(op.entityId);
            if (null == item)
            {
                op.status = OperationStatus.NOT_FOUND;
            }
            else if (item.owner != op.ownerPlayerId)
            {
                op.status = OperationStatus.NOT_OWNER;
            }
            else if (nodes.containsKey(op.entityId))
            {
                op.status = OperationStatus.CONFLICT;
            }
            else
            {
                stowed.remove(op.entityId);
                final NodeRecord node = new NodeRecord().copyFrom(op.node);
                node.entityId = op.entityId;
                if (0 == node.archetypeId)
                {
                    node.archetypeId = item.node.archetypeId;
                    System.arraycopy(item.node.componentState, 0, node.componentState, 0,
                        item.node.componentStateLength);
                    node.componentStateLength = item.node.componentStateLength;
                }
                nodes.put(op.entityId, node);
                op.node.copyFrom(node);
                op.status = OperationStatus.OK;
            }
            record(op, OperationType.UNSTOW);
        }
    }

    @Override
    public void changeWallet(final WalletOperation op)
    {
        enter();
        synchronized (this)
        {
            calls.add("wallet " + op.playerId);
            if (replay(op, OperationType.WALLET))
            {
                return;
            }
            final long balance = wallets.getOrDefault(op.playerId, 0L) + op.delta;
            if (balance < 0)
            {
                op.status = OperationStatus.INSUFFICIENT_FUNDS;
                op.value = balance - op.delta;
            }
            else
            {
                wallets.put(op.playerId, balance);
                op.status = OperationStatus.OK;
                op.value = balance;
            }
            record(op, OperationType.WALLET);
        }
    }

    @Override
    public void changeReputation(final WalletOperation op)
    {
        enter();
        synchronized (this)
        {
            calls.add("reputation " + op.playerId);
            if (replay(op, OperationType.REPUTATION))
            {
                return;
            }
            final long key = op.playerId * 31 + op.factionId;
            final long standing = reputations.getOrDefault(key, 0L) + op.delta;
            reputations.put(key, standing);
            op.status = OperationStatus.OK;
            op.value = standing;
            record(op, OperationType.REPUTATION);
        }
    }

    @Override
    public synchronized long walletBalance(final long playerId)
    {
        return wallets.getOrDefault(playerId, 0L);
    }

    @Override
    public synchronized long reputation(final long playerId, final int factionId)
    {
        return reputations.getOrDefault(playerId * 31 + factionId, 0L);
    }

    @Override
    public synchronized int loadStowedItems(final long ownerPlayerId, final StowedItemHandler handler)
    {
        int count = 0;
        for (final Map.Entry<Long, Item> entry : stowed.entrySet())
        {
            if (entry.getValue().owner == ownerPlayerId)
            {
                handler.onItem(entry.getKey(), ownerPlayerId, entry.getValue().container, entry.getValue().node);
                count++;
            }
        }
        return count;
    }

    @Override
    public synchronized boolean isStowed(final long itemId)
    {
        return stowed.containsKey(itemId);
    }

    @Override
    public int recordedOutcome(final StowOperation op, final int type)
    {
        enter();
        synchronized (this)
        {
            calls.add("lookup " + op.entityId);
            if (!replay(op, type))
            {
                return OperationStatus.PENDING;
            }
            if (OperationStatus.DUPLICATE == op.status && OperationStatus.OK != op.firstStatus)
            {
                op.status = op.firstStatus; // a replay of a refusal returns the refusal
            }
            return op.status;
        }
    }

    @Override
    public synchronized long nodeCount()
    {
        return nodes.size();
    }

    @Override
    public void close()
    {
    }

    /**
     * Keyed by (player, operation id); a replay must match the recorded kind, subject and delta, else it is an
     * {@link OperationStatus#OPERATION_CONFLICT} that changes and records nothing.
     */
    private boolean replay(final StowOperation op, final int type)
    {
        final long[] outcome = outcomes.get(List.of(op.ownerPlayerId, op.operationId));
        if (null == outcome)
        {
            return false;
        }
        if (outcome[2] != type || outcome[3] != op.entityId || outcome[4] != 0)
        {
            op.status = OperationStatus.OPERATION_CONFLICT;
            op.firstStatus = OperationStatus.OPERATION_CONFLICT;
            op.value = 0;
            return true;
        }
        op.status = OperationStatus.DUPLICATE;
        op.firstStatus = (int)outcome[0];
        op.value = outcome[1];
        return true;
    }

    private boolean replay(final WalletOperation op, final int type)
    {
        final long[] outcome = outcomes.get(List.of(op.playerId, op.operationId));
        if (null == outcome)
        {
            return false;
        }
        if (outcome[2] != type || outcome[3] != (OperationType.REPUTATION == type ? op.factionId : 0) ||
            outcome[4] != op.delta)
        {
            op.status = OperationStatus.OPERATION_CONFLICT;
            op.firstStatus = OperationStatus.OPERATION_CONFLICT;
            op.value = 0;
            return true;
        }
        op.status = OperationStatus.DUPLICATE;
        op.firstStatus = (int)outcome[0];
        op.value = outcome[1];
        return true;
    }

    private void record(final StowOperation op, final int type)
    {
        outcomes.put(
            List.of(op.ownerPlayerId, op.operationId), new long[]{ op.status, op.value, type, op.entityId, 0 });
    }

    private void record(final WalletOperation op, final int type)
    {
        outcomes.put(List.of(op.playerId, op.operationId),
            new long[]{ op.status, op.value, type, OperationType.REPUTATION == type ? op.factionId : 0, op.delta });
    }
}
