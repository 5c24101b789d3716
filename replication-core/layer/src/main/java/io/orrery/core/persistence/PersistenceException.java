/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * The store failed (unreachable, I/O error, timeout). Nothing of the call that threw was applied; the caller may
 * retry it (operations are idempotent by operation id, batches are upserts).
 */
public class PersistenceException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public PersistenceException(final String message, final Throwable cause)
    {
        super(message, cause);
    }

    public PersistenceException(final String message)
    {
        super(message);
    }
}
