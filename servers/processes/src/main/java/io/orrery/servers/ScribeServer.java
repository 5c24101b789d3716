/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.RemoteScribe;
import io.orrery.core.persistence.RemoteScribeContext;
import io.orrery.core.persistence.RemoteScribeHost;
import io.orrery.core.persistence.Scribe;
import io.orrery.core.persistence.ScribeContext;
import io.orrery.core.status.AgentDeath;
import io.orrery.core.status.ProcessErrors;
import io.orrery.link.DriverLoss;
import io.orrery.persistence.PersistenceAdapters;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * Scribe as its own process: hosts a {@link Scribe} over the store named by {@code --store} (the same URIs as
 * {@code ReplicationLayerServer --store}) and serves one Replication Layer started with {@code --scribe-link} over
 * Aeron ({@link RemoteScribeHost}; the layer's end is {@link RemoteScribe}). The link secret comes from
 * {@value #LINK_SECRET_ENV} (at least 16 bytes, the same on the layer).
 * <p>
 * With {@code --status-address} it serves a Prometheus {@code /metrics} ({@link ScribeMetrics}), {@code /ready} (200
 * while a layer is linked and the store is open; a store outage later shows in
 * {@code orrery_scribe_store_failures_total} and the output, not here) and {@code /health}.
 * <p>
 * Exit codes: 0 on SIGINT/SIGTERM (after draining Scribe into the store); {@link ProcessErrors#EXIT_CONFIGURATION}
 * without a link secret, or with a status address that is malformed or cannot be bound; {@link DriverLoss#EXIT_CODE}
 * when its media driver goes away; {@link AgentDeath#EXIT_CODE}
 * when its agent thread dies; 2 on a usage error.
 */
@CommandLine.Command(
    name = "orrery-scribe",
    mixinStandardHelpOptions = true,
    description = "Runs Scribe (the shard's persistence: world write-behind, stow/unstow/wallet operations, region "
        + "loads) in its own process, for a Replication Layer started with --scribe-link.")
public final class ScribeServer implements Callable<Integer>
{
    /**
     * Environment variable of the Scribe link's secret.
     */
    public static final String LINK_SECRET_ENV = "ORRERY_SCRIBE_LINK_SECRET";

    @CommandLine.Option(names = "--store", required = true, description = "The store: memory:, rocksdb:<dir>, "
        + "postgres:jdbc:postgresql://... (as ReplicationLayerServer --store).")
    String store;

    @CommandLine.Option(names = "--channel", description = "Where layers send (the layer's --scribe-link) "
        + "(default: ${DEFAULT-VALUE}).")
    String channel = "aeron:udp?endpoint=localhost:40600";

    @CommandLine.Option(names = "--stream", description = "Its stream id (default: ${DEFAULT-VALUE}).")
    int streamId = RemoteScribeContext.STREAM_ID_DEFAULT;

    @CommandLine.Option(names = "--aeron-dir", description = "External media driver directory (default: an embedded "
        + "media driver).")
    String aeronDir;

    @CommandLine.Option(names = "--name", description = "Names this Scribe in log lines and counters "
        + "(default: ${DEFAULT-VALUE}).")
    String name = "scribe";

    @CommandLine.Option(names = "--status-address", description = "Serve /metrics (Prometheus text: the link's and "
        + "Scribe's counters, label scribe=<name>), /ready (200 while a layer is linked and the store open) and "
        + "/health on this host:port, e.g. 127.0.0.1:9469; port 0 picks a free one; 'off' serves nothing "
        + "(default: ${DEFAULT-VALUE}).")
    String statusAddress = ProcessStatus.OFF;

    /**
     * @return the Scribe link's secret from {@value #LINK_SECRET_ENV}, or null.
     */
    public static byte[] linkSecretFromEnvironment()
    {
        final String value = System.getenv(LINK_SECRET_ENV);
        return null == value || value.isEmpty() ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Integer call()
    {
        final byte[] linkSecret = linkSecretFromEnvironment();
        if (null == linkSecret || linkSecret.length < 16)
        {
            System.err.println("orrery: scribe: set " + LINK_SECRET_ENV + " (at least 16 bytes, the same as the " +
                "layer's)");
            return ProcessErrors.EXIT_CONFIGURATION;
        }

        final ProcessStatus status = ProcessStatus.start(statusAddress, "scribe " + name, ScribeMetrics.ROLE,
            ScribeMetrics.READY_HELP, ScribeMetrics.label(name), System.err);
        if (null == status)
        {
            return ProcessErrors.EXIT_CONFIGURATION;
        }

        final Aeron.Context aeronCtx = new Aeron.Context();
        final ErrorHandler print = (ex) -> ex.printStackTrace(System.err);
        MediaDriver driver = null;
        try
        {
            driver = ProcessAeron.attachOrLaunch(aeronDir, aeronCtx, print);
            try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier())
            {
                run(aeronCtx, linkSecret, print, barrier, status);
            }
        }
        finally
        {
            CloseHelper.quietClose(status);
            CloseHelper.quietClose(driver);
        }
        return 0;
    }

    /**
     * Runs until signalled and closes everything before the barrier is released (the JVM exits once it is): the
     * agent, then Scribe (draining what it holds into the store), the store, the Aeron client.
     */
    private void run(
        final Aeron.Context aeronCtx, final byte[] linkSecret, final ErrorHandler print,
        final ShutdownSignalBarrier barrier, final ProcessStatus status)
    {
        PersistenceAdapter adapter = null;
        Scribe scribe = null;
        AgentRunner runner = null;
        Aeron aeron = null;
        try
        {
            aeron = Aeron.connect(aeronCtx);
            adapter = PersistenceAdapters.open(store);
            scribe = Scribe.launch(new ScribeContext()
                .adapter(adapter)
                .name(name)
                .aeron(aeron)
                .errorHandler(print));
            final RemoteScribeHost host = new RemoteScribeHost(aeron, scribe, channel, streamId, linkSecret,
                System.err);
            runner = new AgentRunner(new BackoffIdleStrategy(), print, null, host);
            AgentDeath.start(runner, AgentDeath.EXIT_PROCESS);
            status.metrics(ScribeMetrics.create(name, scribe, host, adapter.name()));
            System.out.println("orrery: scribe " + name + " up on " + adapter.name() + ", aeron dir " +
                aeron.context().aeronDirectoryName() + ", link " + channel + " stream " + streamId);
            barrier.await();
        }
        finally
        {
            status.metrics(null); // before Scribe's counters close: a scrape from here on says not ready
            CloseHelper.quietClose(runner);
            CloseHelper.quietClose(scribe);
            CloseHelper.quietClose(adapter);
            CloseHelper.quietClose(aeron);
            System.err.println("orrery: scribe " + name + " stopped");
        }
    }

    public static void main(final String[] args)
    {
        final int exitCode = new CommandLine(new ScribeServer()).setExecutionExceptionHandler(
            (ex, cmd, parseResult) -> ProcessErrors.report("scribe", ex, System.err))
            .execute(args);
        if (0 != exitCode)
        {
            System.exit(exitCode);
        }
    }
}
