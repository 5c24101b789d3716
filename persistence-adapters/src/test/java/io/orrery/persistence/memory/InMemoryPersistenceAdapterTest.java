/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.persistence.memory;

import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.persistence.PersistenceAdapterContractTest;

/**
 * The contract against the in-memory adapter (no reopen: the durability tests are skipped).
 */
class InMemoryPersistenceAdapterTest extends PersistenceAdapterContractTest
{
    @Override
    protected PersistenceAdapter open()
    {
        return new InMemoryPersistenceAdapter();
    }

    @Override
    protected boolean supportsReopen()
    {
        return false;
    }
}
