/*
 * Copyright 2026 The Orrery authors.
 */
package io.orrery.perf.jmh;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.orrery.core.auth.Ed25519PlayerTokens;
import io.orrery.core.auth.SessionTokens;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a Gateway spends verifying a hello's player token: HMAC-SHA256 ({@link SessionTokens}) against Ed25519
 * ({@link Ed25519PlayerTokens}, the JDK's own implementation). Sets what the Gateway's budget of Ed25519
 * verifications per second ({@code GatewayContext.tokenVerificationsPerSecond}) costs in CPU. Run with
 * {@code -bm sample} for a median: {@code -Djmh.args="-f 1 -wi 3 -i 5 -bm sample PlayerTokenVerify"}.
 * <p>
 * Threading: one state per benchmark thread.
 * <p>
 * Not final: JMH generates subclasses of benchmark classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = { "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED" })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PlayerTokenVerifyBenchmark
{
    private static final long EXPIRY_MS = Long.MAX_VALUE / 2;

    private final SessionTokens hmac = new SessionTokens(
        "benchmark-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    private final byte[][] pair = Ed25519PlayerTokens.generateKeyPair();
    private final Ed25519PlayerTokens ed25519 = Ed25519PlayerTokens.forPublicKey(pair[1]);
    private final UnsafeBuffer hmacToken = new UnsafeBuffer(hmac.issue(42, EXPIRY_MS));
    private final UnsafeBuffer ed25519Token = new UnsafeBuffer(
        Ed25519PlayerTokens.forPrivateKey(pair[0]).issue(42, EXPIRY_MS));

    /**
     * @return the verification's result (VALID).
     */
    @Benchmark
    public int verifyHmac()
    {
        return hmac.verify(hmacToken, 0, SessionTokens.TOKEN_LENGTH, 0);
    }

    /**
     * @return the verification's result (VALID).
     */
    @Benchmark
    public int verifyEd25519()
    {
        return ed25519.verify(ed25519Token, 0, Ed25519PlayerTokens.TOKEN_LENGTH, 0);
    }
}
