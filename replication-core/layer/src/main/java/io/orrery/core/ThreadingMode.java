/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core;

/**
 * How the Replication Layer's role agents (Gateway, Replicant) map onto threads.
 */
public enum ThreadingMode
{
    /**
     * Each role agent on its own thread. Only sensible with at least one core per agent plus the media driver.
     */
    DEDICATED,

    /**
     * All role agents share one thread (a composite agent). The sane default on small machines.
     */
    SHARED,

    /**
     * No thread is started: the caller drives every agent by calling {@link ReplicationLayer#doWork()}.
     * Used by deterministic tests and by embedders that own their own duty cycle.
     */
    INVOKER
}
