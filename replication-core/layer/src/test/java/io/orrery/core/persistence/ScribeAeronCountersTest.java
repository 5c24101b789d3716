/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With an Aeron client, Scribe's counters live in the media driver's counters file, where any process reading it
 * (AeronStat) sees them under type id 7302. Real embedded media driver in a unique directory, deleted after.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScribeAeronCountersTest
{
    @Test
    void shouldPublishCountersInMediaDriverWhenGivenAeron()
    {
        final TestPersistenceAdapter store = new TestPersistenceAdapter();
        try (MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(1, 1, 1000, TimeUnit.MILLISECONDS.toNanos(1)))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            Scribe scribe = Scribe.launch(new ScribeContext().name("aeron-test").adapter(store).aeron(aeron)
                .ringSize(1024).maxCoalescedEntities(64).maxPendingOperations(16)))
        {
            final NodeRecord node = new NodeRecord();
            node.entityId = 5;
            assertTrue(scribe.offerNodeUpsert(node));
            assertTrue(scribe.offerWalletChange(1, 1, 9, 3));
            final long barrier = scribe.flushNow();
            assertTrue(scribe.awaitDurable(barrier, TimeUnit.SECONDS.toNanos(10)));

            final CountersReader reader = aeron.countersReader();
            final Map<String, Long> values = new HashMap<>();
            reader.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (ScribeCounter.COUNTER_TYPE_ID == typeId)
                {
                    values.put(label, reader.getCounterValue(counterId));
                }
            });
            assertEquals(ScribeCounter.count(), values.size(), values.toString());
            assertEquals(3L, values.get("orrery scribe: events consumed scribe=aeron-test"));
            assertEquals(1L, values.get("orrery scribe: world batches written scribe=aeron-test"));
            assertEquals(1L, values.get("orrery scribe: operations applied (ok or duplicate) scribe=aeron-test"));
        }
    }
}
