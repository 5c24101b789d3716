/*
 * Copyright 2026 The Orrery authors.
 */
package io.orrery.perf.aeron;

import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

/**
 * Everything a ping-pong needs, launched and connected: an embedded media driver in its own directory (deleted on
 * start and on close), an Aeron client, the ping and pong streams, and pong running (on its own thread in
 * {@link ThreadingMode#SHARED} mode, inside the ping's waits in {@link ThreadingMode#INVOKER} mode). Shared by
 * {@link AeronPingPong} and the JMH benchmark of the same path.
 * <p>
 * Threading: launch, use {@link #ping()} and close on one thread.
 */
final class PingPongRig implements AutoCloseable
{
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final String channel;
    private MediaDriver driver;
    private Aeron aeron;
    private AgentRunner pongRunner;
    private AeronPingPong.Ping ping;

    private PingPongRig(final String channel)
    {
        this.channel = channel;
    }

    /**
     * Launch and connect; on failure close whatever was opened.
     *
     * @param config of the run.
     * @return a connected rig, pong running.
     */
    static PingPongRig launch(final AeronPingPong.Config config)
    {
        config.validate();
        final PingPongRig rig = new PingPongRig(config.resolvedChannel());
        try
        {
            rig.start(config);
            return rig;
        }
        catch (final RuntimeException ex)
        {
            rig.close();
            throw ex;
        }
    }

    /**
     * The ping side, to be used on the thread that launched the rig.
     *
     * @return the ping side.
     */
    AeronPingPong.Ping ping()
    {
        return ping;
    }

    /**
     * The channel as used.
     *
     * @return the channel as used.
     */
    String channel()
    {
        return channel;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void close()
    {
        CloseHelper.closeAll(pongRunner, aeron, driver);
    }

    private void start(final AeronPingPong.Config config)
    {
        final boolean invoker = ThreadingMode.INVOKER == config.threadingMode();
        final String aeronDirectoryName = null != config.aeronDirectoryName() ?
            config.aeronDirectoryName() : CommonContext.generateRandomDirName();

        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(aeronDirectoryName)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(config.threadingMode())
            .sharedIdleStrategy(config.driverIdle().newIdleStrategy()));

        final AgentInvoker driverInvoker = driver.sharedAgentInvoker();
        aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .useConductorAgentInvoker(invoker)
            .driverAgentInvoker(driverInvoker));

        final Subscription pongSubscription = aeron.addSubscription(channel, config.pongStreamId());
        final Subscription pingSubscription = aeron.addSubscription(channel, config.pingStreamId());
        final ExclusivePublication pingPublication = aeron.addExclusivePublication(channel, config.pingStreamId());
        final ExclusivePublication pongPublication = aeron.addExclusivePublication(channel, config.pongStreamId());

        final IdleStrategy pingIdle;
        final PongAgent inlinePong;
        if (invoker)
        {
            final InvokingIdleStrategy invokingIdle = new InvokingIdleStrategy(
                driverInvoker, aeron.conductorAgentInvoker(), config.appIdle().newIdleStrategy());
            pingIdle = invokingIdle;
            inlinePong = new PongAgent(pingSubscription, pongPublication, invokingIdle);
        }
        else
        {
            pingIdle = config.appIdle().newIdleStrategy();
            inlinePong = null;
        }

        awaitConnected(pingIdle, pingPublication, pongPublication, pingSubscription, pongSubscription);

        if (null == inlinePong)
        {
            final PongAgent pong = new PongAgent(
                pingSubscription, pongPublication, config.appIdle().newIdleStrategy());
            pongRunner = new AgentRunner(config.appIdle().newIdleStrategy(), PingPongRig::onPongError, null, pong);
            AgentRunner.startOnThread(pongRunner);
        }

        ping = new AeronPingPong.Ping(config, pingPublication, pongSubscription, pingIdle, inlinePong);
    }

    private static void awaitConnected(
        final IdleStrategy idleStrategy,
        final Publication pingPublication,
        final Publication pongPublication,
        final Subscription pingSubscription,
        final Subscription pongSubscription)
    {
        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (!pingPublication.isConnected() || !pongPublication.isConnected() ||
            !pingSubscription.isConnected() || !pongSubscription.isConnected())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("ping and pong did not connect within 10 s");
            }
            idleStrategy.idle();
        }
    }

    private static void onPongError(final Throwable throwable)
    {
        throwable.printStackTrace(System.err);
    }
}
