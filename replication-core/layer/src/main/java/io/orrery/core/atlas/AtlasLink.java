/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Counter;
import io.orrery.core.common.LayerResources;
import io.orrery.core.replicant.EntityStore;

/**
 * How the {@link MeshAuthority} reaches an Atlas that does not run in the layer: commands go to {@link #commands()},
 * decisions are polled with {@link #poll} and go to the mesh. Without a link (the default) the mesh uses its rings
 * and runs Atlas's agent
 * itself. The implementation over Aeron is {@link AeronAtlasLink} (Atlas in an {@code AtlasServer} process).
 * <p>
 * Threading: the Replicant's thread, from {@link #open} on.
 */
public interface AtlasLink extends AutoCloseable
{
    /**
     * Opens the link when the mesh starts, before the mesh is built.
     *
     * @param resources the layer's Aeron client, clocks and token secret.
     * @param counters  the layer's system counters, indexed by {@code OrreryCounter#id()}.
     */
    void open(LayerResources resources, Counter[] counters);

    /**
     * @return where the mesh's commands go (after {@link #open}).
     */
    AtlasCommandHandler commands();

    /**
     * The mesh built with {@link #commands()}: decisions go to it, and its state is resent to a fresh Atlas.
     */
    void attach(ServerMesh mesh, EntityStore store);

    /**
     * Sends what waited, reads up to {@code limit} decisions and gives them to the attached mesh.
     *
     * @return work done.
     */
    int poll(long nowNs, int limit);

    @Override
    void close();
}
