/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.gatling;

/**
 * One request from a load generator's thread to the {@link SessionGateway}: what to do, for which player, when it
 * was asked for and whom to tell.
 * <p>
 * Threading: the fields set at construction are final and published by the gateway's queue; the mutable fields are
 * touched only on the gateway thread.
 */
final class GatewayRequest
{
    enum Kind
    {
        CONNECT, INPUT, DISCONNECT
    }

    final Kind kind;
    final VirtualPlayer player;
    final RequestCallback callback;
    final long startNs;
    final long startEpochMs;

    long deadlineNs;
    /**
     * Position in the gateway's in-flight list, or -1.
     */
    int inFlightIndex = -1;
    /**
     * Input sequence once the input was offered; 0 while it waits to be offered (back-pressure).
     */
    long inputSequence;

    GatewayRequest(
        final Kind kind,
        final VirtualPlayer player,
        final RequestCallback callback,
        final long startNs,
        final long startEpochMs)
    {
        this.kind = kind;
        this.player = player;
        this.callback = callback;
        this.startNs = startNs;
        this.startEpochMs = startEpochMs;
    }
}
