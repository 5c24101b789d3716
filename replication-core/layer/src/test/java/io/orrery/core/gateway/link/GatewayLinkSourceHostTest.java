/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.gateway.link;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the Gateway link tells UDP source hosts apart when it bounds the handshakes one host may hold.
 */
class GatewayLinkSourceHostTest
{
    @Test
    void shouldTreatPortsOfOneAddressAsOneHost()
    {
        assertTrue(GatewayLinkAgent.sameHost("127.0.0.1:40001", "127.0.0.1:51234"));
        assertTrue(GatewayLinkAgent.sameHost("[::1]:40001", "[::1]:7"));
    }

    @Test
    void shouldTellDifferentAddressesApartEvenWhenOneIsAPrefixOfTheOther()
    {
        assertFalse(GatewayLinkAgent.sameHost("10.0.0.1:40001", "10.0.0.11:40001"));
        assertFalse(GatewayLinkAgent.sameHost("10.0.0.11:40001", "10.0.0.1:40001"));
        assertFalse(GatewayLinkAgent.sameHost("10.0.0.1:40001", "10.0.0.2:40001"));
        assertFalse(GatewayLinkAgent.sameHost("10.0.0.1:40001", null));
    }
}
