/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */

/**
 * The server link: what a headless game server embeds to join a shard ({@link io.orrery.core.server.ServerLink},
 * {@link io.orrery.core.server.ServerListener}, {@link io.orrery.core.server.EntitySnapshot} and
 * {@link io.orrery.core.server.ForwardedInput}, the reused structs entity state and input arrive in). Entity state
 * goes out in any {@code io.orrery.link.EntityState}, with change masks of {@code io.orrery.wire.EntityFields} bits.
 * <p>
 * A server authenticates with an HMAC server token ({@code SessionTokens.forServers}, a key domain of its own so a
 * player token never authenticates a server), is granted territories with epochs, receives the entities it must
 * simulate ({@code EntityStreamIn}), read-only views of entities near its territories ({@code ClientViewsCompact},
 * or {@code ClientViewBatch} from a layer set to the legacy encoding), forwarded player input, and hands entities
 * over when they leave its territories ({@code HandoffPrepare} then
 * {@code EntityStreamOut} with the final state). It publishes authoritative state in {@code EntityStateBatch}es
 * whose every entry carries the authority epoch, and reports load (the heartbeat).
 */
package io.orrery.core.server;
