/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.fleet;

import io.orrery.core.status.AgentDeath;
import io.orrery.link.DriverLoss;
import io.orrery.servers.GameServer;
import io.orrery.servers.ReplicationLayerServer;

/**
 * The exit codes of a game server ({@link GameServer}'s process; an in-process member reports the code its process
 * would have exited with) and what they mean:
 * <table>
 * <caption>exit codes</caption>
 * <tr><td>0</td><td>clean stop (stdin closed, end of {@code --duration})</td></tr>
 * <tr><td>2</td><td>command-line usage error (picocli)</td></tr>
 * <tr><td>65</td><td>the agent thread reported errors</td></tr>
 * <tr><td>69</td><td>never connected, refused by a layer it rejoined, or no layer for longer than its layer grace</td></tr>
 * <tr><td>70</td><td>its agent thread died (AgentDeath)</td></tr>
 * <tr><td>71</td><td>its media driver went away (DriverLoss)</td></tr>
 * <tr><td>77</td><td>the shard refused it (bad token, unknown server id)</td></tr>
 * <tr><td>78</td><td>a configuration it cannot start with (no token secret, a status address it cannot bind)</td></tr>
 * <tr><td>134</td><td>the JVM crashed (SIGABRT)</td></tr>
 * <tr><td>137</td><td>killed (SIGKILL): a forcible stop</td></tr>
 * <tr><td>143</td><td>SIGTERM: the game server stops on it, but a JVM ended by the signal exits 143 (measured:
 * a SIGTERM'd game server process exits 143, not the 0 its class Javadoc promises); the fleet stops children by
 * closing their standard input instead</td></tr>
 * </table>
 */
public final class GameServerExits
{
    public static final int CLEAN = 0;
    public static final int USAGE = 2;
    public static final int ERRORS = GameServer.EXIT_ERRORS;
    public static final int DISCONNECTED = GameServer.EXIT_DISCONNECTED;
    public static final int AGENT_DIED = AgentDeath.EXIT_CODE;
    public static final int DRIVER_LOST = DriverLoss.EXIT_CODE;
    public static final int REJECTED = GameServer.EXIT_REJECTED;
    public static final int CONFIGURATION = ReplicationLayerServer.EXIT_CONFIGURATION;
    public static final int JVM_CRASH = 134;
    public static final int KILLED = 137;
    public static final int TERMINATED = 143;

    private GameServerExits()
    {
    }

    /**
     * @param exitCode a game server's exit code.
     * @return what it means, in words.
     */
    public static String describe(final int exitCode)
    {
        switch (exitCode)
        {
            case CLEAN:
                return "clean stop";
            case USAGE:
                return "command-line usage error";
            case ERRORS:
                return "the agent thread reported errors";
            case DISCONNECTED:
                return "never connected, refused on rejoin, or lost its layer for longer than its grace";
            case AGENT_DIED:
                return "its agent thread died";
            case DRIVER_LOST:
                return "its media driver went away";
            case REJECTED:
                return "refused by the shard (bad token or unknown server id)";
            case CONFIGURATION:
                return "a configuration it cannot start with";
            case JVM_CRASH:
                return "the JVM crashed";
            case KILLED:
                return "killed (SIGKILL)";
            case TERMINATED:
                return "terminated by SIGTERM";
            default:
                return "exit code " + exitCode;
        }
    }
}
