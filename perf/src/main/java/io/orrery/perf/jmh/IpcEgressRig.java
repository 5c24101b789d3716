/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.jmh;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentInvoker;

/**
 * Real Aeron IPC egress for the interest benchmarks: an embedded media driver in INVOKER mode (own directory,
 * deleted on start and close), an Aeron client whose conductor is also invoked, one
 * {@link ExclusivePublication} per observer on {@code aeron:ipc?term-length=64k} and one subscription on the same
 * stream that sees every publication as an image.
 * <p>
 * Nothing runs on its own thread: {@link #drain()} runs the driver and client duty cycles and polls the
 * subscription empty, so the benchmark can call it between measured ticks (a JMH invocation-level setup) and the
 * publications never stay back-pressured. Each publication maps 3 x 64 KiB terms plus metadata (~196 KiB), so
 * 1,000 observers take ~200 MB of {@code /dev/shm}.
 * <p>
 * Threading: launch, use and close on one thread.
 */
public final class IpcEgressRig implements AutoCloseable
{
    /**
     * Channel of every observer publication.
     */
    public static final String CHANNEL = "aeron:ipc?term-length=64k";

    /**
     * Stream of every observer publication.
     */
    public static final int STREAM_ID = 1101;

    private final MediaDriver driver;
    private final Aeron aeron;
    private final AgentInvoker driverInvoker;
    private final AgentInvoker clientInvoker;
    private final Subscription subscription;
    private final ExclusivePublication[] publications;
    private final FragmentHandler handler = this::onFragment;
    private long bytesReceived;
    private long fragmentsReceived;

    private IpcEgressRig(final int publicationCount)
    {
        MediaDriver driver = null;
        Aeron aeron = null;
        try
        {
            driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(CommonContext.generateRandomDirName())
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .threadingMode(ThreadingMode.INVOKER));
            driverInvoker = driver.sharedAgentInvoker();
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .useConductorAgentInvoker(true)
                .driverAgentInvoker(driverInvoker));
            clientInvoker = aeron.conductorAgentInvoker();

            subscription = aeron.addSubscription(CHANNEL, STREAM_ID);
            publications = new ExclusivePublication[publicationCount];
            for (int i = 0; i < publicationCount; i++)
            {
                publications[i] = aeron.addExclusivePublication(CHANNEL, STREAM_ID);
            }
            awaitConnected();
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.closeAll(aeron, driver);
            throw ex;
        }
        this.driver = driver;
        this.aeron = aeron;
    }

    /**
     * Launch the driver, the client, the subscription and {@code publicationCount} connected publications.
     *
     * @param publicationCount one per observer.
     * @return the rig, to be closed.
     */
    public static IpcEgressRig launch(final int publicationCount)
    {
        return new IpcEgressRig(publicationCount);
    }

    /**
     * @param index 0 to publicationCount - 1.
     * @return the publication.
     */
    public ExclusivePublication publication(final int index)
    {
        return publications[index];
    }

    /**
     * Run the driver and client duty cycles, poll everything published so far, then run the driver again so that
     * it raises the publication limits behind the consumed positions.
     *
     * @return fragments received.
     */
    public int drain()
    {
        driverInvoker.invoke();
        clientInvoker.invoke();
        int fragments = 0;
        int polled;
        while ((polled = subscription.poll(handler, 4096)) > 0)
        {
            fragments += polled;
        }
        driverInvoker.invoke();
        driverInvoker.invoke();
        return fragments;
    }

    /**
     * @return bytes received by the subscription since launch.
     */
    public long bytesReceived()
    {
        return bytesReceived;
    }

    /**
     * @return fragments received by the subscription since launch.
     */
    public long fragmentsReceived()
    {
        return fragmentsReceived;
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(aeron, driver);
    }

    private void awaitConnected()
    {
        final long deadlineNs = System.nanoTime() + 30_000_000_000L;
        for (final ExclusivePublication publication : publications)
        {
            while (!publication.isConnected() || publication.availableWindow() <= 0)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IllegalStateException("publication not connected: session " +
                        publication.sessionId());
                }
                driverInvoker.invoke();
                clientInvoker.invoke();
            }
        }
        while (subscription.imageCount() < publications.length)
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("images " + subscription.imageCount() + " < " + publications.length);
            }
            driverInvoker.invoke();
            clientInvoker.invoke();
        }
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        bytesReceived += length;
        fragmentsReceived++;
    }
}
