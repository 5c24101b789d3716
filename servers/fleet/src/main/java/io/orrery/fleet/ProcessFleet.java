/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import io.orrery.core.auth.TokenSecrets;
import io.orrery.servers.GameServer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.NanoClock;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Fleet} of child JVMs, each running {@link GameServer} (as the shard launcher's {@code --mode processes}):
 * the current java and class path (or those of the {@link Settings}), {@code --add-opens
 * java.base/jdk.internal.misc=ALL-UNNAMED}, the settings' JVM options, attached to the shard's media driver directory,
 * with {@code --stop-on-stdin-close}. The token secret goes in the child's environment ({@code ORRERY_TOKEN_SECRET}),
 * never on its command line.
 * <p>
 * Each child's output (standard error merged) is forwarded line by line to the settings' stream, prefixed
 * {@code [gs-<id>] }, by one pump thread per child: the only threads of this fleet. The pump notices the child's
 * {@code game server <id>: welcomed} line; the duty cycle then reports the member RUNNING (a game server runs its
 * first tick on the duty cycle of its welcome and prints the line within 100 ms of it).
 * <p>
 * A graceful stop closes the child's standard input (the game server stops its simulation, closes its link and exits
 * 0); after {@link FleetPolicy#stopGraceNs()} the fleet destroys it forcibly (SIGKILL, exit code 137). The exit code
 * of a child that ends is reported on its member; {@link GameServerExits} lists them.
 * <p>
 * Threading: as {@link Fleet}; the pumps share only a volatile flag per child with the fleet's thread.
 */
public final class ProcessFleet extends AbstractFleet
{
    /**
     * Where and how the children run.
     */
    public static final class Settings
    {
        public static final String JVM_OPTIONS_DEFAULT = "-XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1";

        private String javaExecutable = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        private String classPath = System.getProperty("java.class.path");
        private String jvmOptions = JVM_OPTIONS_DEFAULT;
        private final List<String> extraArguments = new ArrayList<>();
        private PrintStream output = System.out;

        public String javaExecutable()
        {
            return javaExecutable;
        }

        public Settings javaExecutable(final String javaExecutable)
        {
            this.javaExecutable = javaExecutable;
            return this;
        }

        public String classPath()
        {
            return classPath;
        }

        public Settings classPath(final String classPath)
        {
            this.classPath = classPath;
            return this;
        }

        /**
         * @return JVM options of each child, separated by white space (default {@value #JVM_OPTIONS_DEFAULT}).
         */
        public String jvmOptions()
        {
            return jvmOptions;
        }

        public Settings jvmOptions(final String jvmOptions)
        {
            this.jvmOptions = jvmOptions;
            return this;
        }

        /**
         * @return further arguments of every child's game server command line (e.g. {@code --report-interval=2s}).
         */
        public List<String> extraArguments()
        {
            return extraArguments;
        }

        public Settings extraArguments(final String... arguments)
        {
            extraArguments.addAll(List.of(arguments));
            return this;
        }

        /**
         * @return where the children's output goes, prefixed with their server id.
         */
        public PrintStream output()
        {
            return output;
        }

        public Settings output(final PrintStream output)
        {
            this.output = output;
            return this;
        }
    }

    private final Settings settings;
    private final Int2ObjectHashMap<Child> children = new Int2ObjectHashMap<>();

    /**
     * @param policy            the limits.
     * @param defaultConnection settings of servers started by id alone.
     * @param listener          the callbacks, or null.
     * @param clock             the clock of decisions.
     * @param settings          how the children run.
     */
    public ProcessFleet(
        final FleetPolicy policy,
        final ShardConnection defaultConnection,
        final FleetListener listener,
        final NanoClock clock,
        final Settings settings)
    {
        super(policy, defaultConnection, listener, clock);
        this.settings = settings;
    }

    /**
     * @param member     the member.
     * @return the command line that starts the member's game server.
     */
    List<String> command(final FleetMember member)
    {
        final ShardConnection connection = member.connection();
        final List<String> command = new ArrayList<>();
        command.add(settings.javaExecutable);
        command.add("--add-opens");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        for (final String option : settings.jvmOptions.trim().split("\\s+"))
        {
            if (!option.isEmpty())
            {
                command.add(option);
            }
        }
        command.add("-cp");
        command.add(settings.classPath);
        command.add(GameServer.class.getName());
        command.add("--server-id=" + member.serverId());
        if (null != connection.aeronDirectoryName())
        {
            command.add("--aeron-dir=" + connection.aeronDirectoryName());
        }
        command.add("--ingress-channel=" + connection.ingressChannel());
        command.add("--ingress-stream=" + connection.ingressStreamId());
        if (connection.developmentMode())
        {
            command.add("--dev");
        }
        command.add("--tick-hz=" + connection.tickHz());
        command.add("--npcs=" + connection.npcsPerTerritory());
        command.add(String.format(Locale.ROOT, "--follow-fraction=%s", connection.followFraction()));
        command.add(String.format(Locale.ROOT, "--max-speed=%s", connection.maxSpeedMps()));
        command.add(String.format(Locale.ROOT, "--world-half-extent-m=%s", connection.worldHalfExtentM()));
        command.add("--seed=" + connection.seed());
        command.add("--connect-timeout=" + TimeUnit.NANOSECONDS.toMillis(connection.connectTimeoutNs()) + "ms");
        command.add("--layer-grace=" + TimeUnit.NANOSECONDS.toMillis(connection.layerGraceNs()) + "ms");
        command.add("--stop-on-stdin-close");
        command.addAll(settings.extraArguments);
        return command;
    }

    @Override
    protected void launch(final FleetMember member) throws IOException
    {
        final ProcessBuilder builder = new ProcessBuilder(command(member)).redirectErrorStream(true);
        final byte[] secret = member.connection().tokenSecret();
        if (null != secret)
        {
            builder.environment().put(TokenSecrets.SECRET_ENV, new String(secret, StandardCharsets.UTF_8));
        }
        final Child child = new Child(member.serverId(), builder.start());
        children.put(member.serverId(), child);
        child.startPump(settings.output);
    }

    @Override
    protected void terminate(final FleetMember member, final StopMode mode)
    {
        final Child child = children.get(member.serverId());
        if (null == child)
        {
            return;
        }
        if (StopMode.GRACEFUL == mode)
        {
            try
            {
                child.process.getOutputStream().close();
            }
            catch (final IOException ex)
            {
                child.process.destroy();
            }
        }
        else
        {
            child.process.destroyForcibly();
        }
    }

    @Override
    protected int poll(final FleetMember member, final long nowNs)
    {
        final Child child = children.get(member.serverId());
        if (null == child)
        {
            return 0;
        }
        int work = 0;
        if (child.welcomed && MemberState.STARTING == member.state())
        {
            reportRunning(member, nowNs);
            work++;
        }
        if (!child.process.isAlive())
        {
            children.remove(member.serverId());
            child.awaitPump(200);
            final int exitCode = child.process.exitValue();
            reportExited(member, exitCode, GameServerExits.describe(exitCode), nowNs);
            work++;
        }
        return work;
    }

    @Override
    protected void closeResources()
    {
        for (final Child child : children.values())
        {
            child.process.destroyForcibly();
        }
        children.clear();
    }

    /**
     * @return the process of a member not yet seen gone, or null (for tests and operators: its pid).
     */
    public Process process(final int serverId)
    {
        final Child child = children.get(serverId);
        return null == child ? null : child.process;
    }

    /**
     * A game server child process and the pump of its output.
     */
    private static final class Child
    {
        private final int serverId;
        private final Process process;
        private volatile boolean welcomed;
        private Thread pump;

        Child(final int serverId, final Process process)
        {
            this.serverId = serverId;
            this.process = process;
        }

        void startPump(final PrintStream out)
        {
            final String prefix = "[gs-" + serverId + "] ";
            final String welcomedLine = "game server " + serverId + ": welcomed";
            pump = new Thread(() ->
            {
                try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
                {
                    String line;
                    while (null != (line = reader.readLine()))
                    {
                        if (!welcomed && line.startsWith(welcomedLine))
                        {
                            welcomed = true;
                        }
                        out.println(prefix + line);
                    }
                }
                catch (final IOException ignore)
                {
                    // the child is gone
                }
            }, "orrery-fleet-gs-" + serverId + "-output");
            pump.setDaemon(true);
            pump.start();
        }

        /**
         * Let the pump forward the last lines of a child that ended (bounded: this runs on the fleet's thread).
         */
        void awaitPump(final long timeoutMs)
        {
            try
            {
                pump.join(timeoutMs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
