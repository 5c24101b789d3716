/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.gatling;

/**
 * Completion of one request handed to a {@link SessionGateway}: called exactly once per accepted request, on the
 * gateway thread. Implementations must not block (a Gatling action logs its timing and hands the virtual user back
 * to its own event loop).
 */
@FunctionalInterface
public interface RequestCallback
{
    /**
     * @param ok           true when the request completed as asked (welcome received, input echoed, disconnected).
     * @param startEpochMs wall clock when the request was made, on the caller's thread.
     * @param latencyNs    from the request being made to its completion being seen on the gateway thread.
     * @param message      why it failed, or null when ok.
     */
    void onComplete(boolean ok, long startEpochMs, long latencyNs, String message);
}
