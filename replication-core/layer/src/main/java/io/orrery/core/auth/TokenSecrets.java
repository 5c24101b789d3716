/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.auth;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where a process gets the shard's token secret (the HMAC key of every player and server token), and the rule that
 * keeps the public development secret out of anything that faces a network: it is used only when development mode
 * is asked for explicitly, and then loudly.
 * <p>
 * Order: an explicit secret (a Context setter or a command-line option), the system property
 * {@value #SECRET_PROP}, the environment variable {@value #SECRET_ENV} (preferred: command lines are visible to
 * every user of the host), and only then, with development mode on ({@value #DEV_PROP}{@code =true} or a process's
 * {@code --dev}), {@link #DEVELOPMENT_SECRET}. Anything else refuses to start.
 */
public final class TokenSecrets
{
    public static final String SECRET_PROP = "orrery.token.secret";
    public static final String SECRET_ENV = "ORRERY_TOKEN_SECRET";
    public static final String DEV_PROP = "orrery.dev";
    /**
     * The public development secret: in the source code, so anyone can mint tokens with it.
     */
    public static final String DEVELOPMENT_SECRET = "orrery-development-secret-change-me";
    /**
     * Shortest secret accepted.
     */
    public static final int MIN_LENGTH = 16;

    private TokenSecrets()
    {
    }

    /**
     * @return true if the system property {@value #DEV_PROP} is {@code true}.
     */
    public static boolean developmentModeFromProperty()
    {
        return Boolean.getBoolean(DEV_PROP);
    }

    /**
     * @return the secret from the system property or the environment, or null if neither is set.
     */
    public static byte[] fromEnvironment()
    {
        String value = System.getProperty(SECRET_PROP);
        if (null == value || value.isEmpty())
        {
            value = System.getenv(SECRET_ENV);
        }
        return null == value || value.isEmpty() ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @return the development secret's bytes.
     */
    public static byte[] developmentSecret()
    {
        return DEVELOPMENT_SECRET.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @return true if the secret is the public development secret.
     */
    public static boolean isDevelopmentSecret(final byte[] secret)
    {
        return null != secret && Arrays.equals(secret, developmentSecret());
    }

    /**
     * Resolve the secret a process or a Context uses.
     *
     * @param explicit        a secret given explicitly, or null.
     * @param developmentMode whether the development secret may be used.
     * @param who             names the process or component in the messages.
     * @return the secret.
     * @throws IllegalStateException with a message that says what to do, if there is no secret or it is the
     *                               development secret outside development mode, or it is too short.
     */
    public static byte[] resolve(final byte[] explicit, final boolean developmentMode, final String who)
    {
        byte[] secret = null != explicit ? explicit : fromEnvironment();
        if (null == secret)
        {
            if (!developmentMode)
            {
                throw new IllegalStateException(who + ": no token secret. Set " + SECRET_ENV + " (or -D" +
                    SECRET_PROP + ", or --token-secret) to a secret of at least " + MIN_LENGTH + " bytes shared " +
                    "with the login service and game servers, or run in development mode (--dev or -D" + DEV_PROP +
                    "=true) to use the public development secret");
            }
            secret = developmentSecret();
        }
        if (isDevelopmentSecret(secret) && !developmentMode)
        {
            throw new IllegalStateException(who + ": the token secret is the public development secret, which " +
                "anyone can mint tokens with; set your own secret, or run in development mode (--dev or -D" +
                DEV_PROP + "=true)");
        }
        if (secret.length < MIN_LENGTH)
        {
            throw new IllegalStateException(who + ": the token secret must be at least " + MIN_LENGTH + " bytes");
        }
        return secret;
    }

    /**
     * For a process's main: resolve the secret from a command-line option (or the environment), print the
     * development warning when it is the development secret, or print why there is none.
     *
     * @param option          the {@code --token-secret} option's value, or null.
     * @param developmentMode the {@code --dev} option.
     * @param who             names the process in the lines.
     * @param out             where the lines go.
     * @return the secret, or null when the process must not start (the reason printed).
     */
    public static byte[] resolveForProcess(
        final String option, final boolean developmentMode, final String who, final java.io.PrintStream out)
    {
        try
        {
            final byte[] secret = resolve(
                null == option ? null : option.getBytes(StandardCharsets.UTF_8), developmentMode, who);
            if (isDevelopmentSecret(secret))
            {
                out.println(developmentWarning(who));
            }
            return secret;
        }
        catch (final IllegalStateException ex)
        {
            out.println("orrery: " + ex.getMessage());
            return null;
        }
    }

    /**
     * The line a process prints at start-up when it runs on the development secret.
     */
    public static String developmentWarning(final String who)
    {
        return "orrery: WARNING: " + who + " runs in DEVELOPMENT MODE with the public token secret: anyone can " +
            "mint tokens for it. Never expose it to a network you do not trust.";
    }
}
