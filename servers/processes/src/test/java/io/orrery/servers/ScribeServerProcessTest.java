/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.orrery.core.persistence.CompletionHandler;
import io.orrery.core.persistence.NodeRecord;
import io.orrery.core.persistence.OperationStatus;
import io.orrery.core.persistence.RemoteScribe;
import io.orrery.core.persistence.RemoteScribeContext;
import io.orrery.core.persistence.ScribeClient;
import io.orrery.persistence.rocksdb.RocksDbPersistenceAdapter;
import org.agrona.CloseHelper;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link ScribeServer} as a real process on a real RocksDB store, fed by a {@link RemoteScribe} in this JVM (the
 * layer's side) through an external media driver: SIGKILLed mid-stream, the store then holds every write the layer was
 * told was durable and every operation the layer was answered; restarted, it gets what the layer kept and sends
 * again, and in the end every world change is in the store and every wallet change was applied exactly once.
 */
class ScribeServerProcessTest
{
    private static final String SECRET = "scribe-link-secret-for-process-tests";
    private static final String CHANNEL = "aeron:ipc?term-length=4m";
    private static final long PLAYER = 0x7000_0000_0000_0002L;
    private static final int ENTITIES = 400;

    @TempDir
    Path dir;

    private final NodeRecord node = new NodeRecord();
    private final Completions completions = new Completions();
    private RemoteScribe remote;

    @Test
    @Timeout(180)
    void shouldLoseNothingAndApplyNothingTwiceWhenTheScribeProcessIsKilledMidStream() throws Exception
    {
        final Path store = dir.resolve("store");
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir.toFile(), "aeron").getAbsolutePath())
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            // Aeron's default, was 2 s: a starved child's Aeron client closes itself (exit 71, "service
            // interval exceeded") when its conductor has not run for this long; a killed child's
            // publications and subscriptions linger as long, which the waits below allow
            .clientLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(10))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final ByteArrayOutputStream layerLog = new ByteArrayOutputStream();
        Aeron aeron = null;
        Process scribe = null;
        try
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            remote = RemoteScribe.launch(new RemoteScribeContext()
                .aeron(aeron)
                .name("process-test")
                .channel(CHANNEL)
                .responseChannel(CHANNEL)
                .capacity(16 * 1024)
                .maxPendingOperations(1024)
                .helloIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))
                .linkSecret(SECRET.getBytes(StandardCharsets.UTF_8))
                .log(new PrintStream(layerLog, true, StandardCharsets.UTF_8)));
            scribe = startScribe(dir, store, driver.aeronDirectoryName(), 1);
            awaitCondition(remote::isLinked, "linked", layerLog);

            // stream world changes and wallet changes until some are answered, then SIGKILL the Scribe process
            long nextOperation = 1;
            long step = 0;
            while (completions.count < 200)
            {
                nextOperation = offerStep(step++, nextOperation);
                pump();
            }
            for (int i = 0; i < 3; i++)
            {
                nextOperation = offerStep(step++, nextOperation);
            }
            remote.doWork();
            final long durableBeforeKill = remote.durableSequence();
            final long answeredBeforeKill = completions.count;
            final long answeredDeltaBeforeKill = completions.appliedDelta;
            scribe.destroyForcibly(); // SIGKILL
            assertTrue(scribe.waitFor(30, TimeUnit.SECONDS));

            awaitCondition(() -> !remote.isLinked(), "link loss seen", layerLog);
            assertTrue(layerLog.toString(StandardCharsets.UTF_8).contains("Scribe link process-test lost"));
            assertTrue(remote.retained() > 0, "offers not durable are kept: " + remote);

            // what the layer was told is in the store
            try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(store))
            {
                assertTrue(adapter.walletBalance(PLAYER) >= answeredDeltaBeforeKill,
                    "every answered wallet change is in the store");
                assertTrue(durableBeforeKill < 0 || adapter.containsNode(1), "durable world changes are there");
            }

            // the layer keeps taking offers while the Scribe is away; then a new Scribe process on the same store
            for (int i = 0; i < 3; i++)
            {
                nextOperation = offerStep(step++, nextOperation);
            }
            scribe = startScribe(dir, store, driver.aeronDirectoryName(), 2);
            final long operations = nextOperation - 1;
            final long barrier = flush();
            awaitCondition(() -> completions.count == operations && remote.durableSequence() >= barrier,
                "everything durable and answered", layerLog);
            System.out.println("Scribe process killed with " + answeredBeforeKill + " of " + operations +
                " operations answered; " + remote.resent() + " messages sent again after the relink");
            assertTrue(remote.resent() > 0, "sent again after the relink");
            assertEquals(0, completions.duplicates, "every operation answered exactly once");
            assertTrue(answeredBeforeKill < operations);

            CloseHelper.quietClose(remote);
            remote = null;
            scribe.destroy(); // SIGTERM: drains and exits
            assertTrue(scribe.waitFor(30, TimeUnit.SECONDS));
            final String stderr = Files.readString(dir.resolve("scribe-2.err"));
            assertTrue(0 == scribe.exitValue() || 143 == scribe.exitValue(), "exit " + scribe.exitValue());
            assertTrue(stderr.contains("orrery: scribe scribe stopped"), stderr);

            try (RocksDbPersistenceAdapter adapter = RocksDbPersistenceAdapter.open(store))
            {
                assertEquals(operations * (operations + 1) / 2, adapter.walletBalance(PLAYER),
                    "every wallet change applied exactly once");
                assertEquals(completions.appliedDelta, adapter.walletBalance(PLAYER));
                final NodeRecord stored = new NodeRecord();
                for (int entity = 1; entity <= ENTITIES; entity++)
                {
                    assertTrue(adapter.readNode(entity, stored), "node " + entity);
                }
                assertTrue(adapter.readNode(1, stored));
                assertEquals(lastX(step - 1, 1), stored.x, "the last state of entity 1");
            }
        }
        finally
        {
            CloseHelper.quietClose(remote);
            if (null != scribe)
            {
                scribe.destroyForcibly();
            }
            CloseHelper.quietCloseAll(aeron, driver);
        }
    }

    private static long lastX(final long step, final long entity)
    {
        return step * 1000 + entity;
    }

    private long offerStep(final long step, final long nextOperation)
    {
        for (int entity = 1; entity <= ENTITIES; entity++)
        {
            node.reset();
            node.entityId = entity;
            node.archetypeId = 3;
            node.x = lastX(step, entity);
            node.componentStateLength = 32;
            while (!remote.offerNodeUpsert(node))
            {
                pump();
            }
        }
        long operation = nextOperation;
        for (int i = 0; i < 20; i++)
        {
            while (!remote.offerWalletChange(operation, operation, PLAYER, operation))
            {
                pump();
            }
            operation++;
        }
        return operation;
    }

    private long flush()
    {
        long barrier;
        while (ScribeClient.BACK_PRESSURED == (barrier = remote.flushNow()))
        {
            pump();
        }
        return barrier;
    }

    private void pump()
    {
        if (0 == remote.doWork() + remote.pollCompletions(completions, 1000))
        {
            Thread.yield();
        }
    }

    private void awaitCondition(final BooleanSupplier condition, final String what, final ByteArrayOutputStream log)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                fail("timed out waiting for " + what + "; " + remote + "; layer log: " +
                    log.toString(StandardCharsets.UTF_8));
            }
            pump();
        }
    }

    private static Process startScribe(final Path dir, final Path store, final String aeronDir, final int run)
        throws Exception
    {
        final Path stderr = dir.resolve("scribe-" + run + ".err");
        final ProcessBuilder builder = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-Xmx256m",
            "-cp", System.getProperty("java.class.path"),
            ScribeServer.class.getName(),
            "--store", "rocksdb:" + store,
            "--channel", CHANNEL,
            "--aeron-dir", aeronDir)
            .redirectError(stderr.toFile());
        builder.environment().put(ScribeServer.LINK_SECRET_ENV, SECRET);
        final Process process = builder.start();
        final CountDownLatch up = new CountDownLatch(1);
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = lines.readLine()))
                {
                    if (line.contains(" up on "))
                    {
                        up.countDown();
                    }
                }
            }
            catch (final Exception ignore)
            {
                // the process went
            }
        }, "scribe-out-" + run);
        reader.setDaemon(true);
        reader.start();
        if (!up.await(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            fail("Scribe process " + run + " not up: " + Files.readString(stderr));
        }
        return process;
    }

    private static final class Completions implements CompletionHandler
    {
        final LongHashSet seen = new LongHashSet();
        long count;
        long duplicates;
        long appliedDelta;

        @Override
        public void onCompletion(
            final int operationType,
            final long operationId,
            final long correlationId,
            final int status,
            final int firstStatus,
            final long value)
        {
            if (!seen.add(correlationId))
            {
                duplicates++;
                return;
            }
            count++;
            if (OperationStatus.OK == status || OperationStatus.DUPLICATE == status)
            {
                appliedDelta += operationId; // each change's delta is its operation id
            }
        }
    }
}
