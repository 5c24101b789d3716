/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */

/**
 * Atlas, static mode: the shard configuration ({@link io.orrery.core.atlas.ShardConfig}), territories, the
 * Replication Layer's side of game server connections ({@link io.orrery.core.atlas.ServerIngressAdapter},
 * {@link io.orrery.core.atlas.ServerEgressProxy}, {@link io.orrery.core.atlas.ServerConnection}), authority with
 * epochs, handoff and failover ({@link io.orrery.core.atlas.Atlas}), plugged into the Replicant as an
 * {@code Authority} ({@link io.orrery.core.atlas.MeshAuthority}). Atlas is split along its responsibilities: server
 * sessions, territories, balancing and failover stay in {@code Atlas}; the entity table, territory scan and handoff
 * protocol are {@code AtlasEntityAuthority}'s. On the layer's side, the {@code ServerMesh} keeps its replica of the
 * authority map and reports cache changes to Atlas in {@code AuthorityReplica}; servers' writes checked against the
 * map and applied ({@code ServerWrites}), player input kept, forwarded and replayed exactly once
 * ({@code InputForwarding}, {@code InputRing}), server liveness both ways ({@code ServerLiveness}) and read-only
 * views across borders ({@code ServerViews}) are classes of their own.
 * <p>
 * Decisions (see {@link io.orrery.core.atlas.Atlas} for the handoff and failover protocol):
 * <ul>
 *   <li>Everything runs on the Replicant's duty cycle, the single writer of the entity cache; servers and Atlas talk
 *   only in SBE messages, so Atlas can later move to an agent or a replicated (Aeron Cluster) process.</li>
 *   <li>Servers publish to their own ingress stream (default {@code aeron:ipc?term-length=1m}, stream 1002); each
 *   names a response channel and stream in its hello (the server link defaults to stream 3000 + server id).</li>
 *   <li>Server tokens are HMAC tokens in a key domain of their own; the id field is the server id, which must be in
 *   the configuration. Welcomed servers get entity id block {@code 2^41 + serverId * 2^28}, 2^28 ids.</li>
 *   <li>Writes carry the authority epoch: a write from a non-authority or with another epoch is rejected and counted
 *   ({@code STALE_EPOCH_WRITES}, {@code UNAUTHORISED_WRITES}); the sender is told with a {@code ServerReject}
 *   naming the entity, once per entity in a row (not per write), so a flood of stale writes costs no flood back.</li>
 *   <li>A returning server (same id) is welcomed but stays empty: static mode does not move territories back.</li>
 *   <li>A server whose control messages cannot be offered (back-pressure) is declared dead, as if it had stopped
 *   heartbeating: losing a handoff message silently would break exactly-once. Forwarded input is different: it
 *   stays in the entity's input ring and is retried in order every duty cycle until the window opens.</li>
 * </ul>
 */
package io.orrery.core.atlas;
