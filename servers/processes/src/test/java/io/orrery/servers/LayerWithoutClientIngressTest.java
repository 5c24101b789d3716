/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code --ingress-channel none}: a layer that takes no client of its own refuses to start where no client could
 * reach it or where the shard directory would send bots to an ingress it does not have (checked before anything
 * starts: these cases launch nothing).
 */
class LayerWithoutClientIngressTest
{
    @Test
    void shouldRefuseToStartWithoutClientIngressAndWithoutAGatewayLink()
    {
        final ReplicationLayerServer server = new ReplicationLayerServer();
        server.dev = true;
        server.ingressChannel = "none";
        assertEquals(ReplicationLayerServer.EXIT_CONFIGURATION, server.call());
    }

    @Test
    void shouldRefuseToRegisterInAShardDirectoryWithoutClientIngress()
    {
        final ReplicationLayerServer server = new ReplicationLayerServer();
        server.dev = true;
        server.ingressChannel = "none";
        server.gatewayLinkChannel = "aeron:ipc";
        server.shardDirectory = Path.of("shards.txt");
        assertEquals(ReplicationLayerServer.EXIT_CONFIGURATION, server.call());
    }
}
