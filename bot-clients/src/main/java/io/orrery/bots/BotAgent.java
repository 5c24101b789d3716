/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

import io.aeron.Aeron;
import io.orrery.core.client.ClientEntityView;
import io.orrery.core.client.ClientLink;
import io.orrery.core.client.ClientSession;
import io.orrery.link.UdpChannels;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The work of one bot thread: one {@link ClientLink} per response endpoint (its own response stream, so links of
 * different threads never see each other's egress) hosting this thread's share of the swarm, each bot its own
 * {@link ClientSession}. Over IPC a thread has one link; over UDP one link per group of at most
 * {@link BotSwarm.Settings#botsPerEndpoint()} bots, each with its own UDP endpoint (socket), so that no socket
 * receives more sessions' traffic than its receive buffer holds.
 * <p>
 * Duty cycle ({@link #doWork()}): read the clock once; connect the bots whose ramp-up time has come; poll the link
 * (responses, heartbeats, timeouts); send every input that is due; at each report interval hand the current
 * {@link MetricSet} to the {@link IntervalReporter} and take a recycled one. Deadlines, never sleeps: the thread that
 * runs this agent idles only through its idle strategy when a cycle did no work. Every bot (its watchdog) and every
 * session (heartbeats, layer loss) is visited once per sweep ({@link BotSwarm.Settings#sweepIntervalNs()}, 1 ms); in
 * between a duty cycle drives only the bots whose input is due, found in an array of due times, so an idle cycle
 * costs a scan of that array and a poll, not a visit of every bot and session.
 * <p>
 * Coordinated omission: inputs follow a fixed schedule per bot ({@code nextInputNs += interval}) and each input is
 * stamped with its <em>intended</em> send time, which is also the time {@link ClientSession} measures its latency
 * from. When the thread falls behind (a GC pause, a stalled core), the inputs that were due are sent late, back to
 * back (at most {@link #MAX_INPUT_BURST} per bot per cycle, the rest in the next cycles), and the delay counts in
 * their latency, as a real player's would. Nothing is skipped, so no value is synthesised either: this is the
 * "measure from the intended start time" correction rather than {@code recordValueWithExpectedInterval}, which would
 * need the recording to happen here rather than inside {@link ClientSession}. Inputs sent more than one interval
 * late are counted ({@link Bot#inputsLate()}).
 * <p>
 * Threading: single threaded, on the thread that calls {@link #doWork()} (an {@link org.agrona.concurrent.AgentRunner}
 * or a test). Zero allocation once every bot has connected. {@link #status(int)} may be read from any thread.
 */
public final class BotAgent implements Agent
{
    /**
     * Most inputs one bot sends in one duty cycle when catching up with its schedule.
     */
    static final int MAX_INPUT_BURST = 8;

    /**
     * Most new sessions opened per duty cycle during ramp-up.
     */
    static final int MAX_CONNECTS_PER_CYCLE = 16;

    /**
     * Status slots, published once per report interval for other threads (progress, tests).
     */
    public static final int STATUS_LAUNCHED = 0;
    public static final int STATUS_CONNECTED = 1;
    public static final int STATUS_ACTIVE = 2;
    public static final int STATUS_FAILED = 3;
    public static final int STATUS_INPUTS_SENT = 4;
    public static final int STATUS_UPDATES_RECEIVED = 5;
    public static final int STATUS_DUTY_CYCLES = 6;
    /**
     * Bots whose session is resuming (lost its layer, not welcomed again yet).
     */
    public static final int STATUS_RESUMING = 7;
    /**
     * Entities whose owner changed from one Replicant to another in the bots' views (several Replicants per shard).
     */
    public static final int STATUS_OWNER_CHANGES = 8;
    /**
     * The bots' views' Replicant protocol violations: owner epoch conflicts and frames of unknown Replicants.
     */
    public static final int STATUS_COMPOSITION_ERRORS = 9;
    private static final int STATUS_SLOTS = 10;

    /**
     * Cells per side of the density grid over the world square ({@link BotSwarm.Settings#worldHalfExtentMm()} around
     * the origin) that {@link #heat(int)} reads: bots' own positions as their views last showed them, counted at each
     * status publication (positions beyond the square in its edge cells).
     */
    public static final int HEAT_CELLS = 16;

    private final int threadIndex;
    private final NanoClock clock;
    private final CachedNanoClock linkClock = new CachedNanoClock();
    private final ClientLink[] links;
    private final ClientLink[] linkOfBot;
    private final Bot[] bots;
    private final InventoryHook inventoryHook;
    private final long inputIntervalNs;
    private final long inventoryIntervalNs;
    private final long inputAckStallNs;
    private final long reportIntervalNs;
    private final long startNs;
    private final long startEpochMs;
    private final OneToOneConcurrentArrayQueue<MetricSet> toReporter;
    private final OneToOneConcurrentArrayQueue<MetricSet> recycled;
    private final AtomicLongArray status = new AtomicLongArray(STATUS_SLOTS);
    private final AtomicIntegerArray heat = new AtomicIntegerArray(HEAT_CELLS * HEAT_CELLS);
    private final int[] heatCounts = new int[HEAT_CELLS * HEAT_CELLS];
    private final long heatHalfExtentMm;
    private final long sweepIntervalNs;
    /**
     * When each bot is next due between sweeps (its next input or inventory action), by index in {@link #bots}.
     */
    private final long[] dueNs;

    private MetricSet metrics;
    private long nowNs;
    private long nextReportNs;
    private int launched;
    private int connected;
    private int active;
    private int resuming;
    private int failed;
    private long dutyCycles;
    private long nextSweepNs;
    private boolean sweepDue;
    private long intervalsHandedOver;
    private boolean closing;

    /**
     * @param threadIndex   index of this agent in the swarm.
     * @param aeron         client shared by the swarm.
     * @param settings      swarm settings.
     * @param botIndices    global indices of the bots of this agent, in ramp-up order.
     * @param kinds         behaviour of every bot of the swarm, by global index.
     * @param tokens        token of every bot of the swarm, by global index.
     * @param clock         clock read once per duty cycle.
     * @param startNs       time of the swarm's start on {@code clock}; ramp-up is scheduled from it.
     * @param startEpochMs  wall clock at {@code startNs}, for interval log time stamps.
     * @param responseChannels response channel of each link of this agent; bot {@code i} of the agent uses link
     *                      {@code i * responseChannels.length / botIndices.length} (groups of equal size, in order).
     */
    BotAgent(
        final int threadIndex,
        final Aeron aeron,
        final BotSwarm.Settings settings,
        final int[] botIndices,
        final BehaviourKind[] kinds,
        final byte[][] tokens,
        final NanoClock clock,
        final long startNs,
        final long startEpochMs,
        final String[] responseChannels)
    {
        this.threadIndex = threadIndex;
        this.clock = clock;
        this.startNs = startNs;
        this.startEpochMs = startEpochMs;
        this.nowNs = startNs;
        linkClock.update(startNs);
        this.inputIntervalNs = 1_000_000_000L / settings.inputRateHz();
        this.inventoryIntervalNs = settings.inventoryIntervalNs();
        this.inputAckStallNs = settings.inputAckStallNs();
        this.reportIntervalNs = settings.reportIntervalNs();
        this.nextReportNs = startNs + reportIntervalNs;
        this.inventoryHook = new SessionInventoryHook(System.currentTimeMillis() << 20);
        this.heatHalfExtentMm = Math.max(1, settings.worldHalfExtentMm());
        this.sweepIntervalNs = settings.sweepIntervalNs();

        final Behaviour[] behaviours = new Behaviour[BehaviourKind.values().length];
        for (final BehaviourKind kind : BehaviourKind.values())
        {
            behaviours[kind.ordinal()] = Behaviours.of(kind, settings, startNs);
        }

        bots = new Bot[botIndices.length];
        dueNs = new long[botIndices.length];
        final double rampNsPerBot = 1e9 / settings.rampBotsPerSecond();
        for (int i = 0; i < botIndices.length; i++)
        {
            final int index = botIndices[i];
            bots[i] = new Bot(this, index, settings.playerIdBase() + index,
                behaviours[kinds[index].ordinal()], tokens[index], startNs + (long)(index * rampNsPerBot),
                settings.seed());
        }

        metrics = new MetricSet(threadIndex);
        metrics.startEpochMs = startEpochMs;
        toReporter = new OneToOneConcurrentArrayQueue<>(8);
        recycled = new OneToOneConcurrentArrayQueue<>(8);
        for (int i = 0; i < 3; i++)
        {
            recycled.offer(new MetricSet(threadIndex));
        }

        // the ingress publications' socket receives the layer's status messages and NAKs for every bot of the host
        // several Gateways: a comma-separated list, sessions spread over them and resuming through the next one
        final String[] ingressChannels = UdpChannels.split(settings.ingressChannel());
        for (int i = 0; i < ingressChannels.length; i++)
        {
            ingressChannels[i] = UdpChannels.tune(
                ingressChannels[i], UdpChannels.SO_RCVBUF_DEFAULT, UdpChannels.SO_SNDBUF_DEFAULT, 0, null);
        }
        links = new ClientLink[responseChannels.length];
        final int botsPerLink = (bots.length + links.length - 1) / links.length;
        for (int l = 0; l < links.length; l++)
        {
            links[l] = new ClientLink(aeron, new ClientLink.Settings()
                .ingressChannels(ingressChannels)
                .ingressStreamId(settings.ingressStreamId())
                .responseChannel(responseChannels[l])
                .responseStreamId(settings.responseStreamId() + threadIndex)
                .viewCapacity(settings.viewCapacity())
                .connectTimeoutNs(settings.connectTimeoutNs())
                .maxReassemblies(Math.max(64, botsPerLink))
                .resume(settings.resume())
                .layerLossHeartbeats(settings.layerLossHeartbeats())
                .sessionSweepIntervalNs(settings.sweepIntervalNs())
                .clock(linkClock));
        }
        linkOfBot = new ClientLink[bots.length];
        for (int i = 0; i < bots.length; i++)
        {
            linkOfBot[i] = links[(int)((long)i * links.length / bots.length)];
        }
    }

    @Override
    public String roleName()
    {
        return "orrery-bots-" + threadIndex;
    }

    @Override
    public int doWork()
    {
        final long nowNs = beginDutyCycle();
        int workCount = 0;
        if (launched < bots.length)
        {
            workCount += connectDue(nowNs);
        }
        for (final ClientLink link : links)
        {
            workCount += link.doWork();
        }
        workCount += driveBots(nowNs);
        workCount += rollIntervalIfDue(nowNs);
        return workCount;
    }

    /**
     * First step of a duty cycle: read the clock (once per cycle) and share it with the link.
     *
     * @return the time of this duty cycle.
     */
    long beginDutyCycle()
    {
        final long nowNs = clock.nanoTime();
        this.nowNs = nowNs;
        linkClock.update(nowNs);
        dutyCycles++;
        return nowNs;
    }

    int rollIntervalIfDue(final long nowNs)
    {
        return nowNs - nextReportNs >= 0 ? rollInterval(nowNs) : 0;
    }

    @Override
    public void onClose()
    {
        closing = true;
        for (final ClientLink link : links)
        {
            link.close();
        }
        publishStatus();
    }

    /**
     * @return the first link this agent drives (the only one over IPC).
     */
    public ClientLink link()
    {
        return links[0];
    }

    /**
     * @return links (response endpoints) this agent drives.
     */
    public int linkCount()
    {
        return links.length;
    }

    /**
     * @param index of a link, in {@code [0, linkCount())}.
     * @return that link.
     */
    public ClientLink link(final int index)
    {
        return links[index];
    }

    public int threadIndex()
    {
        return threadIndex;
    }

    public int botCount()
    {
        return bots.length;
    }

    public Bot bot(final int i)
    {
        return bots[i];
    }

    /**
     * @param slot one of the {@code STATUS_*} slots.
     * @return its value as of the last report interval (or close).
     */
    public long status(final int slot)
    {
        return status.get(slot);
    }

    /**
     * @param cell {@code row * HEAT_CELLS + column}, row 0 at the lowest y, column 0 at the lowest x.
     * @return this agent's bots whose own entity was in that cell of the density grid at the last status publication.
     */
    public int heat(final int cell)
    {
        return heat.get(cell);
    }

    /**
     * @return the inventory hook of this agent's bots.
     */
    public InventoryHook inventoryHook()
    {
        return inventoryHook;
    }

    /**
     * @return true once every bot of this agent has been launched and has either been welcomed or failed.
     */
    public boolean isSettled()
    {
        return launched == bots.length && connected + failed >= bots.length;
    }

    /**
     * Force the metric interval to end now (tests); same as reaching the report deadline.
     */
    public int rollIntervalNow()
    {
        return rollInterval(nowNs);
    }

    /**
     * @return metric intervals handed to the reporter so far (this agent's thread only).
     */
    public long intervalsHandedOver()
    {
        return intervalsHandedOver;
    }

    long nowNs()
    {
        return nowNs;
    }

    long inputIntervalNs()
    {
        return inputIntervalNs;
    }

    long inventoryIntervalNs()
    {
        return inventoryIntervalNs;
    }

    boolean isClosing()
    {
        return closing;
    }

    OneToOneConcurrentArrayQueue<MetricSet> toReporter()
    {
        return toReporter;
    }

    OneToOneConcurrentArrayQueue<MetricSet> recycled()
    {
        return recycled;
    }

    /**
     * Hand the last, partial interval to the reporter. Only once this agent's thread has stopped.
     */
    void flushMetrics()
    {
        metrics.endEpochMs = epochMs(nowNs);
        if (!toReporter.offer(metrics))
        {
            throw new IllegalStateException("reporter queue full");
        }
        metrics = new MetricSet(threadIndex);
        publishStatus();
    }

    void onWelcome(final Bot bot, final long handshakeNs, final boolean resumed)
    {
        sweepDue = true; // its first input is scheduled from now
        active++;
        if (resumed)
        {
            resuming--;
            return;
        }
        connected++;
        metrics.record(MetricSet.HANDSHAKE, handshakeNs);
    }

    void onResumeStarted(final Bot bot)
    {
        active--;
        resuming++;
    }

    void onOwnSpawn(final long spawnLatencyNs)
    {
        metrics.record(MetricSet.SPAWN_LATENCY, spawnLatencyNs);
    }

    void onDisconnect(final Bot bot)
    {
        if (bot.welcomed && bot.session.resumesStarted() > bot.session.resumptions())
        {
            resuming--; // gave up resuming
        }
        else if (bot.welcomed)
        {
            active--;
        }
        else
        {
            failed++;
        }
    }

    private int connectDue(final long nowNs)
    {
        int count = 0;
        while (launched < bots.length && count < MAX_CONNECTS_PER_CYCLE && nowNs - bots[launched].connectAtNs >= 0)
        {
            final Bot bot = bots[launched++];
            bot.session = linkOfBot[launched - 1].connect(bot.token, bot);
            bind(bot.session);
            count++;
        }
        return count;
    }

    /**
     * Drive the bots: every bot at each sweep ({@link BotSwarm.Settings#sweepIntervalNs()}, and after a welcome),
     * in between only those whose next input or inventory action is due (a scan of {@link #dueNs}, without touching
     * the others).
     *
     * @return inputs and inventory requests sent.
     */
    int driveBots(final long nowNs)
    {
        final boolean sweep = sweepDue || nowNs - nextSweepNs >= 0;
        if (sweep)
        {
            sweepDue = false;
            nextSweepNs = nowNs + sweepIntervalNs;
        }
        final long[] dueNs = this.dueNs;
        int workCount = 0;
        for (int i = 0, n = launched; i < n; i++)
        {
            if (sweep || nowNs - dueNs[i] >= 0)
            {
                workCount += driveBot(i, nowNs);
            }
        }
        return workCount;
    }

    /**
     * One bot's turn: the acknowledgement watchdog, its inputs and inventory actions if due; then when it is next due
     * between sweeps.
     */
    private int driveBot(final int i, final long nowNs)
    {
        final Bot bot = bots[i];
        int workCount = 0;
        if (bot.session.isConnected())
        {
            if (bot.session.resumptions() != bot.resumptionsSeen)
            {
                // resumed on a restarted layer: its game servers rejoin too, a few seconds at most; the
                // watchdog gives them one more stall threshold before an unacknowledged input counts
                bot.resumptionsSeen = bot.session.resumptions();
                bot.ackWaitSinceNs = nowNs + inputAckStallNs;
            }
            if (nowNs - bot.session.lastReceivedNs() > 2 * bot.session.heartbeatIntervalNs())
            {
                bot.ackWaitSinceNs = nowNs; // the layer itself is silent (it heartbeats): an outage, not a stall
            }
            else
            {
                // a poll that left responses queued (this thread fell behind, e.g. descheduled): the
                // acknowledgements they carry are not read yet, so the layer is not judged on this cycle
                checkAcknowledgements(bot, nowNs, linkOfBot[i].responsesDrained());
            }
            if (nowNs - bot.nextInputNs >= 0)
            {
                workCount += steer(bot, nowNs) ? sendDueInputs(bot, nowNs) : 0;
            }
            final boolean inventory = BehaviourKind.INVENTORY == bot.behaviour.kind();
            if (inventory && nowNs - bot.nextInventoryNs >= 0)
            {
                workCount += inventoryAction(bot, nowNs);
            }
            dueNs[i] = inventory && bot.nextInventoryNs - bot.nextInputNs < 0 ? bot.nextInventoryNs : bot.nextInputNs;
        }
        else
        {
            bot.ackWaitSinceNs = nowNs; // resuming (or not yet connected): the layer is away, not stalling
            dueNs[i] = nowNs + Long.MAX_VALUE / 2; // the sweeps see it connect (a welcome sweeps at once)
        }
        return workCount;
    }

    /**
     * Input acknowledgement watchdog: once the bot's own entity has spawned, its acknowledged input sequence must
     * advance within the stall threshold whenever inputs are outstanding; a stall counts once until it advances.
     * The clock starts at the last cycle with nothing outstanding or the last advance, so idle bots never trip it.
     *
     * @param judge false on a cycle whose poll left responses queued: the clock is kept (restarted when nothing is
     *              outstanding or the acknowledgement advanced) but no stall is declared, since the newest
     *              acknowledgements may be among the responses not read yet.
     */
    void checkAcknowledgements(final Bot bot, final long nowNs, final boolean judge)
    {
        final ClientSession session = bot.session;
        final long acknowledged = session.lastAcknowledgedInput();
        if (!bot.ownEntitySpawned || acknowledged != bot.ackSeen || session.inputSequence() <= acknowledged)
        {
            if (bot.ackStalled)
            {
                logStall(bot, nowNs, "ended");
            }
            bot.ackSeen = acknowledged;
            bot.ackWaitSinceNs = nowNs;
            bot.ackStalled = false;
        }
        else if (judge && !bot.ackStalled && nowNs - bot.ackWaitSinceNs > inputAckStallNs)
        {
            bot.ackStalled = true;
            bot.inputAcknowledgementStalls++;
            logStall(bot, nowNs, "began");
        }
    }

    /**
     * One line when a stall is declared and one when it ends (a correctness error: the error path may allocate), so an
     * operator can tell which entity went unsimulated, where and under which authority epoch, and for how long.
     */
    private static void logStall(final Bot bot, final long nowNs, final String what)
    {
        final ClientSession session = bot.session;
        final ClientEntityView view = session.view();
        final int slot = view.slotOf(session.playerEntityId());
        final boolean held = ClientEntityView.NULL_SLOT != slot;
        System.out.println("orrery: bot " + bot.index + " input-acknowledgement stall " + what + ": entity " +
            session.playerEntityId() + ", acknowledged " + session.lastAcknowledgedInput() + " of " +
            session.inputSequence() + " sent, waiting " + (nowNs - bot.ackWaitSinceNs) / 1_000_000 + " ms" +
            (held ? ", at (" + view.positionX(slot) + ", " + view.positionY(slot) + "), epoch " +
            view.authorityEpoch(slot) : ", not in view") + ", wall " + System.currentTimeMillis());
    }

    /**
     * Let the bot's behaviour steer from its own entity's position.
     *
     * @return true when the bot sends input, false when it stays silent until its next input time.
     */
    boolean steer(final Bot bot, final long nowNs)
    {
        final ClientSession session = bot.session;
        final ClientEntityView view = session.view();
        final int slot = view.slotOf(session.playerEntityId());
        final boolean hasPosition = ClientEntityView.NULL_SLOT != slot;
        final boolean send = bot.behaviour.steer(
            bot,
            hasPosition,
            hasPosition ? view.positionX(slot) : 0,
            hasPosition ? view.positionY(slot) : 0,
            nowNs);
        if (!send)
        {
            bot.nextInputNs = nowNs + inputIntervalNs;
        }
        return send;
    }

    /**
     * Send every input that is due on the bot's schedule, stamped with its intended time (at most
     * {@link #MAX_INPUT_BURST}); stop at the first that cannot be sent, to retry next cycle.
     *
     * @return inputs sent.
     */
    int sendDueInputs(final Bot bot, final long nowNs)
    {
        final ClientSession session = bot.session;
        int sent = 0;
        while (sent < MAX_INPUT_BURST && nowNs - bot.nextInputNs >= 0)
        {
            final long intendedNs = bot.nextInputNs;
            if (session.sendInput(bot.moveX, bot.moveY, 0f, bot.yaw, 0f, 0, intendedNs) <= 0)
            {
                break;
            }
            if (nowNs - intendedNs > inputIntervalNs)
            {
                bot.inputsLate++;
            }
            bot.nextInputNs = intendedNs + inputIntervalNs;
            sent++;
        }
        return sent;
    }

    int inventoryAction(final Bot bot, final long nowNs)
    {
        final int result = inventoryHook.act(bot, nowNs);
        bot.nextInventoryNs += InventoryHook.WAITING == result ? inventoryIntervalNs >> 3 : inventoryIntervalNs;
        if (nowNs - bot.nextInventoryNs >= 0)
        {
            bot.nextInventoryNs = nowNs + inventoryIntervalNs;
        }
        return InventoryHook.SENT == result ? 1 : 0;
    }

    private int rollInterval(final long nowNs)
    {
        nextReportNs += reportIntervalNs;
        if (nowNs - nextReportNs >= 0)
        {
            nextReportNs = nowNs + reportIntervalNs;
        }
        publishStatus();

        final MetricSet next = recycled.poll();
        if (null == next)
        {
            return 1;
        }
        final long epochMs = epochMs(nowNs);
        metrics.endEpochMs = epochMs;
        if (!toReporter.offer(metrics))
        {
            recycled.offer(next);
            return 1;
        }
        next.startEpochMs = epochMs;
        metrics = next;
        intervalsHandedOver++;
        for (int i = 0, n = launched; i < n; i++)
        {
            bind(bots[i].session);
        }
        return 1;
    }

    private void bind(final ClientSession session)
    {
        session.inputLatencyRecorder(metrics.recorders[MetricSet.INPUT_LATENCY])
            .ownUpdateGapRecorder(metrics.recorders[MetricSet.OWN_UPDATE_GAP])
            .handoffGapRecorder(metrics.recorders[MetricSet.HANDOFF_GAP]);
    }

    private long epochMs(final long nowNs)
    {
        return startEpochMs + (nowNs - startNs) / 1_000_000L;
    }

    private void publishStatus()
    {
        long inputsSent = 0;
        long updatesReceived = 0;
        long ownerChanges = 0;
        long compositionErrors = 0;
        for (int i = 0, n = launched; i < n; i++)
        {
            final ClientSession session = bots[i].session;
            inputsSent += session.inputsSent();
            updatesReceived += session.updatesReceived();
            ownerChanges += session.ownerChanges();
            compositionErrors += session.ownerEpochConflicts() + session.unknownReplicantMessages();
        }
        status.lazySet(STATUS_LAUNCHED, launched);
        status.lazySet(STATUS_CONNECTED, connected);
        status.lazySet(STATUS_ACTIVE, active);
        status.lazySet(STATUS_FAILED, failed);
        status.lazySet(STATUS_INPUTS_SENT, inputsSent);
        status.lazySet(STATUS_UPDATES_RECEIVED, updatesReceived);
        status.lazySet(STATUS_DUTY_CYCLES, dutyCycles);
        status.lazySet(STATUS_RESUMING, resuming);
        status.lazySet(STATUS_OWNER_CHANGES, ownerChanges);
        status.lazySet(STATUS_COMPOSITION_ERRORS, compositionErrors);
        publishHeat();
    }

    private void publishHeat()
    {
        java.util.Arrays.fill(heatCounts, 0);
        final long widthMm = 2 * heatHalfExtentMm;
        for (int i = 0, n = launched; i < n; i++)
        {
            final ClientSession session = bots[i].session;
            final ClientEntityView view = session.view();
            final int slot = view.slotOf(session.playerEntityId());
            if (ClientEntityView.NULL_SLOT != slot)
            {
                final int column = heatCell(view.positionX(slot), widthMm);
                final int row = heatCell(view.positionY(slot), widthMm);
                heatCounts[row * HEAT_CELLS + column]++;
            }
        }
        for (int cell = 0; cell < heatCounts.length; cell++)
        {
            heat.lazySet(cell, heatCounts[cell]);
        }
    }

    private int heatCell(final long positionMm, final long widthMm)
    {
        final long cell = (positionMm + heatHalfExtentMm) * HEAT_CELLS / widthMm;
        return (int)Math.max(0, Math.min(HEAT_CELLS - 1, cell));
    }
}
