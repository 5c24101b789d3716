/*
 * Copyright 2026 The Orrery authors.
 */
package io.orrery.perf.jmh;

import java.util.concurrent.TimeUnit;

import io.orrery.wire.codec.ActionBitsEncoder;
import io.orrery.wire.codec.MessageHeaderDecoder;
import io.orrery.wire.codec.MessageHeaderEncoder;
import io.orrery.wire.codec.PlayerInputDecoder;
import io.orrery.wire.codec.PlayerInputEncoder;
import io.orrery.wire.codec.Vec3FDecoder;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Smoke benchmark that needs nothing from Orrery but its generated codecs: SBE encode, decode, and both, of the
 * hottest client message, {@code PlayerInput} (8-byte header + 52-byte block), over a reused direct buffer.
 * Precedence checks are off here (the default outside tests), as in production.
 * <p>
 * Threading: one state per benchmark thread.
 * <p>
 * Not final: JMH generates subclasses of benchmark classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = { "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED" })
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PlayerInputCodecBenchmark
{
    private final UnsafeBuffer buffer =
        new UnsafeBuffer(BufferUtil.allocateDirectAligned(128, BitUtil.CACHE_LINE_LENGTH));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final PlayerInputEncoder encoder = new PlayerInputEncoder();
    private final PlayerInputDecoder decoder = new PlayerInputDecoder();
    private long inputSequence;

    /**
     * Encode one message so that {@link #decode()} has something to read.
     */
    @Setup
    public void setUp()
    {
        encode();
    }

    /**
     * Encode a PlayerInput with its header.
     *
     * @return encoded length including the header.
     */
    @Benchmark
    public int encode()
    {
        final long sequence = ++inputSequence;
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(42L)
            .entityId(1_000_001L)
            .inputSequence(sequence)
            .clientTimestampNs(sequence * 16_666_667L);
        encoder.move().x(0.25f).y(0.0f).z(-1.0f);
        encoder.aimYaw(1.5f).aimPitch(-0.1f);
        final ActionBitsEncoder actions = encoder.actions();
        actions.clear().primary(true).sprint((sequence & 1) == 0);

        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * Decode the header and every field of a PlayerInput, the way an inbound adapter would.
     *
     * @return a value depending on every field (consumed by JMH).
     */
    @Benchmark
    public long decode()
    {
        headerDecoder.wrap(buffer, 0);
        if (PlayerInputDecoder.TEMPLATE_ID != headerDecoder.templateId())
        {
            throw new IllegalStateException("unexpected template " + headerDecoder.templateId());
        }
        decoder.wrap(buffer, MessageHeaderDecoder.ENCODED_LENGTH, headerDecoder.blockLength(), headerDecoder.version());

        final Vec3FDecoder move = decoder.move();
        long result = decoder.sessionId() ^ decoder.entityId() ^ decoder.inputSequence() ^ decoder.clientTimestampNs();
        result += Float.floatToRawIntBits(move.x()) + Float.floatToRawIntBits(move.y()) +
            Float.floatToRawIntBits(move.z());
        result += Float.floatToRawIntBits(decoder.aimYaw()) + Float.floatToRawIntBits(decoder.aimPitch());
        result += decoder.actions().primary() ? 1 : 0;
        result += decoder.actions().sprint() ? 2 : 0;

        return result;
    }

    /**
     * Encode then decode: one message through both codecs.
     *
     * @return a value depending on every decoded field (consumed by JMH).
     */
    @Benchmark
    public long encodeAndDecode()
    {
        encode();
        return decode();
    }
}
