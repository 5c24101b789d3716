/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */

/**
 * Persistence: the SPI ({@link io.orrery.core.persistence.PersistenceAdapter} and its records) and
 * {@link io.orrery.core.persistence.Scribe}, the ring that writes the world through it.
 *
 * <h2>What Scribe guarantees</h2>
 * Scribe takes world changes (node upserts and removals, edge changes) and Global store operations (stow, unstow,
 * wallet and reputation changes) from one producer thread into a Disruptor ring of pre-allocated events. One consumer
 * takes them in ring order: world changes are coalesced per node and per edge into one pending batch, operations are
 * run one at a time. "Durable" means the adapter returned: a synced write or committed transaction (the adapter
 * contract). The guarantees, assuming the adapter keeps its contract:
 * <ol>
 *     <li><b>Ordered, prefix durability.</b> Batches and operations reach the store strictly in ring order, one at a
 *     time; nothing is written after a failed write or operation until it has succeeded. One exception keeps the
 *     result of ring order without its cost: an operation does not wait for pending world changes it does not depend
 *     on. Before a stow or unstow the consumer writes the pending world changes only when one of them involves an
 *     entity the operation moves (the entity's own upsert or removal, an edge from or to it, a node whose parent
 *     zone it is, or, for an unstow, a change of its parent zone itself); otherwise, and always before a wallet or
 *     reputation change, they stay pending and are written behind at their own time, in a transaction of their own
 *     (issue 15: an operation no longer pays for ~50 unrelated upserts). Those changes commute with the operation,
 *     so the store ends in the state of ring order either way. {@code Scribe.durableSequence()} stays a prefix:
 *     everything offered at or before it is durable; an operation committed ahead of world changes pending before
 *     it does not move it past them until they are written. ({@code orrery.scribe.world.batch.with.operations=true}
 *     restores the earlier rule, every pending change written before every operation, for before/after
 *     measurements.) <b>Group commit</b> (adapters that {@code supportsGroupCommit()}, the PostgreSQL one;
 *     {@code orrery.scribe.group.commit}, default on) keeps this order inside one transaction: the operations that
 *     follow each other in the ring (up to {@code orrery.scribe.max.group.operations}, 64, ended by the end of the
 *     polled batch or by any other event), the pending world changes written before the first of them that depends
 *     on them, then one commit; outcomes are posted after it. A group that fails is rolled back and its
 *     operations run again one transaction each, in ring order: one failing operation is retried alone (as
 *     below) and costs the others only the extra round trips ({@code GROUP_FALLBACKS}). A group of one (an
 *     operation with nothing behind it in the ring, no world change to write before it) runs in autocommit instead:
 *     the store commits it with its statement, one round trip rather than the statement and a {@code COMMIT}
 *     ({@code orrery.scribe.group.of.one.autocommit}, default on; {@code GROUP_OF_ONE_AUTOCOMMITS}); its outcome is
 *     posted once committed, as a group's. <b>World writer</b>
 *     (adapters that {@code openWorldWriter()}, the PostgreSQL one; {@code orrery.scribe.world.writer}, default on):
 *     the write-behind batches are written by a second writer, {@code WorldBatchWriter}, on a session (connection)
 *     and a thread of their own (stepped with the consumer under {@code ThreadingMode.INVOKER}), one batch in flight
 *     at a time, so that an operation never waits behind an unrelated batch's write and commit. The order above is
 *     kept where it matters: an operation that depends on a change pending <i>or in flight</i>, a full batch, a
 *     barrier, a region load and close hand the pending batch to the writer and wait until it has committed before
 *     they go on; every other operation commutes with the batch in flight. {@code durableSequence()} is the lower of
 *     the consumer's prefix and the sequence before the first change of the batch in flight, so it stays a prefix
 *     with two writers. Without the session (in memory, RocksDB, the outbox composition) or with the switch off,
 *     the consumer writes the batches itself, as described above.</li>
 *     <li><b>Operations are acknowledged only when durable.</b> Each accepted operation gets exactly one completion,
 *     delivered on the producer thread by {@code pollCompletions}, and only after the adapter returned. With status
 *     {@code OK} or {@code DUPLICATE} its effect is in the store, and so is every operation offered before it and
 *     every world change offered before it that involves the entities it moves (1); other world changes offered
 *     before it may still be pending (write-behind, 3): a caller that needs those durable waits for
 *     {@code durableSequence()} (or a flush barrier), not for an operation's completion. A rule outcome ({@code NOT_FOUND}, {@code NOT_OWNER}, {@code CONFLICT},
 *     {@code INSUFFICIENT_FUNDS}, {@code OPERATION_CONFLICT}) means the store changed nothing. {@code STORE_ERROR}
 *     is delivered only when {@code close()} gave up on a store that stayed down: the operation was not applied.
 *     An operation whose attempt
 *     failed is retried with the same operation id, which is safe because operations are idempotent by their key
 *     (player, operation id): a retry of an attempt that did commit (outcome unknown to Scribe) returns
 *     {@code DUPLICATE} with the first outcome.</li>
 *     <li><b>World state is write-behind.</b> A world change waits in the pending batch at most the flush interval
 *     ({@code orrery.scribe.flush.interval.ms}, default 100 ms) from the moment the first change entered the empty
 *     batch; the consumer checks at the end of every ring batch and every duty cycle, and also writes when the batch
 *     is full, before an operation that depends on it (1), on {@code flushNow()}, before a region load and while
 *     closing. On {@code kill -9} with a healthy store
 *     the world changes lost are at most those offered in the last flush interval plus the duration of one write
 *     (the batch being written), plus what was still in the ring (the {@code BACKLOG} counter, normally near 0).
 *     If the store was failing, everything offered since it began failing was only in memory and is lost as well
 *     (nothing is dropped while the process lives). Operations are never lost once acknowledged (2). With
 *     {@code orrery.scribe.async.write.behind} (off by default; adapters that {@code supportsAsyncWriteBehind()}, the
 *     PostgreSQL one) the interval's batch is committed without waiting for the store's log
 *     ({@code synchronous_commit = off}): a layer crash loses nothing more, a store crash may also lose the batches
 *     its log had not flushed yet; {@code durableSequence()} passes such a batch only once the store's log is
 *     flushed past it, a barrier, a group commit (which then flushes the log) or close made it durable, so (1) and
 *     the barriers keep their meaning.</li>
 *     <li><b>No item in both stores or in neither.</b> The adapter moves an item between the graph and the Global
 *     store in one transaction. Scribe never writes a world change that would undo a stow: when a stow of entity E
 *     reaches the consumer, a pending (not yet written) upsert of E is dropped (counted in
 *     {@code UPSERTS_SUPERSEDED_BY_STOW}; the stow carries E's latest state), everything else pending is written
 *     before the stow (in its transaction with group commit) if any of it involves E (an edge from or to E, a node
 *     in E as a zone, E's removal), else it stays pending (it cannot bring E back: it does not involve E), then the
 *     stow runs; an upsert of E written earlier is removed from the graph by the stow itself. Precondition
 *     on the producer: it does not offer world changes of E after offering E's stow and before offering its unstow
 *     (the Replicant removes E from its cache when it stows it). A stow or unstow refused by the store's rules
 *     changes nothing.</li>
 *     <li><b>Coalescing keeps ring-order semantics.</b> Per node the last upsert wins; a removal cancels a pending
 *     upsert and is itself written (the node may be stored already); an upsert after a pending removal of the same
 *     node first writes the batch holding the removal. Per edge the last change wins. Edges and node removals are
 *     never pending together (a removal drops the node's edges, so their order matters): whichever comes second
 *     writes the batch first. Hence every batch gives the same result in any order of application.</li>
 *     <li><b>A slow or unavailable store: nothing dropped, memory bounded, producer back-pressured.</b> When the
 *     adapter throws, the batch or operation is kept (with the event that needed it), counted
 *     ({@code STORE_FAILURES}), reported to the error handler and retried ({@code RETRIES}) after an exponential
 *     backoff from {@code orrery.scribe.retry.backoff.min.ms} (1 ms) doubling to
 *     {@code orrery.scribe.retry.backoff.max.ms} (1 s), forever. Meanwhile the consumer takes nothing from the ring,
 *     the ring fills and offers return {@code false} ({@code RING_FULL}); the producer keeps its changes and offers
 *     them again later. Operations are also refused while {@code orrery.scribe.max.pending.operations} of them await
 *     their completion being polled ({@code OPERATIONS_BACK_PRESSURED}), which bounds the completion ring. When the
 *     store comes back everything is written in order.</li>
 *     <li><b>Memory is fixed at launch</b> and does not grow with the outage: the ring, {@code ringSize} events of
 *     about 1.2 KiB each (one {@link io.orrery.core.persistence.NodeRecord} with its 1 KiB state buffer: about
 *     80 MiB at the default 64 Ki events); the pending batch, about 1.2 KiB per entry of
 *     {@code orrery.scribe.max.coalesced.entities} (default 16 Ki: about 20 MiB) plus its index maps (about
 *     1.5 MiB), twice with the world writer (the batch in flight and the one pending); the completion ring, room for every pending operation's completion with the node an unstow
 *     inserted (about 1.2 KiB each) rounded up to a power of two (8 MiB at the default 4 Ki); one event set aside for a
 *     retry; with group commit, two records of about 1.2 KiB per group member (160 KiB at the default 64).</li>
 *     <li><b>Close drains.</b> {@code close()} makes everything offered durable, writing the pending batch at once,
 *     waiting at most {@code orrery.scribe.close.timeout.ms} (10 s). If the store is still failing then, the
 *     operations not applied complete with {@code STORE_ERROR}, the world changes not written are counted in
 *     {@code LOST_AT_CLOSE} and reported to the error handler.</li>
     <li><b>Region loads see everything offered before them.</b> A region load ({@code offerLoadRegion}, server OCS
 *     stream-in) is taken in ring order: the consumer first writes every pending world change, then runs
 *     {@code adapter.loadRegion} and posts the nodes and a completion to a bounded load ring the producer polls
 *     ({@code pollLoads}). When that ring is full the consumer waits (nothing is dropped; while closing, a load's
 *     remaining nodes are not posted: they are still in the store). A failed load is retried like a write; the
 *     producer skips nodes it already holds.</li>
 * </ol>
 * An <b>operation look-up</b> ({@code offerOperationLookup}) is taken in ring order like an operation and
 * completes once like one, with what the store recorded under a stow's or unstow's key ({@code PENDING} when
 * nothing); it changes nothing and does not write the pending world changes first.
 * <p>
 * The producer side allocates nothing in steady state (offers and {@code pollCompletions}); neither does the
 * consumer outside the adapter and failure handling. Both are proven by {@code ScribeAllocationTest}.
 */
package io.orrery.core.persistence;
