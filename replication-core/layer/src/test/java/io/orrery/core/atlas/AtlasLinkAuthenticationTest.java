/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.exceptions.RegistrationException;
import io.aeron.logbuffer.FragmentHandler;
import io.orrery.core.client.ClientSession;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.atlas.LinkChallengeDecoder;
import io.orrery.wire.atlas.LinkProofEncoder;
import io.orrery.wire.atlas.MessageHeaderDecoder;
import io.orrery.wire.atlas.MessageHeaderEncoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The authenticated Atlas link on a real embedded media driver over IPC: the layer meshed through an
 * {@link AeronAtlasLink}, Atlas an {@link AtlasRemoteAgent} stepped on the test's thread with the shard's controlled
 * clock, and impostors that are raw Aeron publications on the decision stream writing valid SBE decision frames.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AtlasLinkAuthenticationTest
{
    static final String CHANNEL = "aeron:ipc?term-length=1m";
    static final String PEER_CHANNEL = "aeron:ipc?term-length=1m|linger=0";
    static final int COMMAND_STREAM = 1201;
    static final int DECISION_STREAM = 1202;
    static final long PLAYER = 1;
    static final byte[] WRONG_SECRET = "not-the-shard-secret-0123456789ab".getBytes(StandardCharsets.UTF_8);

    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private MeshTestShard shard;
    private AeronAtlasLink link;
    private AtlasRemoteAgent atlas;
    private final List<RawPeer> peers = new ArrayList<>();

    @AfterEach
    void after()
    {
        for (final RawPeer peer : peers)
        {
            peer.close();
        }
        if (null != atlas)
        {
            atlas.onClose();
        }
        if (null != shard)
        {
            shard.close();
        }
    }

    private void startShard()
    {
        link = new AeronAtlasLink(CHANNEL, COMMAND_STREAM, CHANNEL, DECISION_STREAM).log(lines::add);
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS, (ctx) -> ctx.atlas().atlasLink(link));
    }

    private AtlasRemoteAgent startAtlas()
    {
        final AtlasRemoteAgent agent = new AtlasRemoteAgent(
            ShardConfig.parse(MeshHandoffTest.TWO_SERVERS, "test.shard"), 1024, TimeUnit.SECONDS.toNanos(5),
            OrreryCounter.allocate(shard.aeron, "atlas-test"), MeshTestShard.SECRET, lines::add,
            shard.aeron.addSubscription(AtlasRemoteAgent.commandSubscriptionChannel(CHANNEL), COMMAND_STREAM),
            shard.aeron.addExclusivePublication(CHANNEL, DECISION_STREAM), shard.clock);
        shard.agents.add(agent);
        return agent;
    }

    private RawPeer addPeer(final int sessionId)
    {
        return addPeer(sessionId, DECISION_STREAM, COMMAND_STREAM);
    }

    private RawPeer addPeer(final int sessionId, final int publishStream, final int listenStream)
    {
        final RawPeer peer = new RawPeer(sessionId, publishStream, listenStream);
        peers.add(peer);
        return peer;
    }

    private long counter(final OrreryCounter counter)
    {
        return shard.counter(counter);
    }

    @Test
    void shouldNeverAcceptAnImpostorAtlasAndAcceptTheGenuineOneThatComesLater()
    {
        final int[] applied = new int[64 * 1024];
        startShard();
        final TestGameServer one = shard.startServer(1, applied);
        final TestGameServer two = shard.startServer(2, applied);
        final ClientSession bot = shard.connect(PLAYER, new MeshHandoffTest.OwnEntityWatcher());

        // two impostors reach the decision stream first: one never proves anything, one answers with a wrong key
        final RawPeer silentImpostor = addPeer(0);
        final RawPeer wrongKeyImpostor = addPeer(0);
        final AtlasLinkKey wrongKey = new AtlasLinkKey(WRONG_SECRET);
        awaitChallenged(wrongKeyImpostor, "the layer's challenge to the impostor");
        wrongKeyImpostor.answerChallenges(wrongKey, AtlasLinkKey.ROLE_ATLAS);
        for (int i = 0; i < 20; i++)
        {
            silentImpostor.grantEverything(one, two);
            wrongKeyImpostor.grantEverything(one, two);
            silentImpostor.requestResync(7);
            shard.tick();
        }
        assertEquals(0, link.decisionSubscriber().sessionId(), "no Atlas accepted");
        assertEquals(0, link.decisionSubscriber().authenticator().imagesAccepted());
        assertEquals(0, link.resyncs(), "an impostor's resync request is not answered");
        assertEquals(0, shard.mesh().territoryServerId(0), "the impostors' grants were not applied");
        assertEquals(0, shard.mesh().territoryServerId(1));
        assertEquals(0, shard.mesh().authorityOf(PLAYER), "the impostors' assignment was not applied");
        assertEquals(0, one.territoriesGranted + two.territoriesGranted);
        assertTrue(99 != shard.store().authorityEpoch(shard.store().slotOf(PLAYER)), "no impostor epoch");
        assertEquals(1, counter(OrreryCounter.ATLAS_LINK_PROOFS_FAILED), "the wrong proof counted");
        final long dropped = counter(OrreryCounter.ATLAS_LINK_UNAUTHENTICATED);
        assertTrue(dropped >= 20 * 5, "the impostors' decisions counted and dropped: " + dropped);
        assertEquals(1, lines.stream().filter((line) -> line.contains("failed: wrong MAC")).count(),
            "logged once for the image: " + lines);

        // the genuine Atlas connects while the impostors are still there: it is accepted and the shard works
        atlas = startAtlas();
        shard.await(() -> link.isAtlasConnected() && link.resyncs() >= 1 && atlas.isResynced(), "genuine Atlas");
        assertEquals(atlas.decisionPublisher().sessionId(), link.decisionSubscriber().sessionId());
        assertEquals(shard.layer.context().atlas().atlasLink(), link);
        for (int i = 0; i < 60 && !(1 == one.territoriesGranted && 1 == two.territoriesGranted &&
            one.owns(PLAYER) && bot.view().contains(PLAYER)); i++)
        {
            silentImpostor.grantEverything(two, one); // keeps lying: never applied
            wrongKeyImpostor.grantEverything(two, one);
            shard.tick();
        }
        assertEquals(1, one.territoriesGranted);
        assertEquals(1, two.territoriesGranted);
        assertEquals(1, shard.mesh().territoryServerId(0));
        assertEquals(2, shard.mesh().territoryServerId(1));
        assertTrue(one.owns(PLAYER) && !two.owns(PLAYER), "the genuine Atlas's assignment");
        assertEquals(1, shard.mesh().authorityOf(PLAYER));
        assertTrue(99 != shard.store().authorityEpoch(shard.store().slotOf(PLAYER)), "no impostor epoch");
        assertTrue(bot.view().contains(PLAYER));
        assertTrue(one.link.isConnected() && two.link.isConnected(), "no server retired by an impostor");
        assertEquals(1, counter(OrreryCounter.ATLAS_LINK_PROOFS_FAILED));
        assertTrue(counter(OrreryCounter.ATLAS_LINK_UNAUTHENTICATED) > dropped, "the impostors are still dropped");
        assertEquals(1, link.decisionSubscriber().authenticator().imagesAccepted());
        assertEquals(0, link.decisionSubscriber().malformed() + link.decisionSubscriber().unknown());
        assertEquals(0, atlas.commandSubscriber().authenticator().proofsFailed(), "the layer proved itself");
        assertEquals(1, atlas.generation(), "Atlas accepted the one layer");
    }

    /**
     * Publishers that never prove themselves take every place the layer's end of the link tracks (64 silent images on
     * the decision stream): the genuine Atlas that comes once they have gone 5 s unproven takes the oldest one's place,
     * is challenged and accepted, and the shard works. Before, it was never challenged while they lived.
     */
    @Test
    void shouldAcceptTheGenuineAtlasWhenSilentPublishersTakeEveryPlaceTheLayerTracks()
    {
        startShard();
        final List<ExclusivePublication> strangers = new ArrayList<>();
        try
        {
            for (int i = 0; i < AtlasLinkAuthenticator.MAX_IMAGES; i++)
            {
                strangers.add(shard.aeron.addExclusivePublication("aeron:ipc?term-length=64k|linger=0",
                    DECISION_STREAM));
            }
            final AtlasLinkAuthenticator authenticator = link.decisionSubscriber().authenticator();
            final long unprovenUntilNs = shard.clock.nanoTime() + AtlasLinkAuthenticator.EVICT_AFTER_NS +
                TimeUnit.SECONDS.toNanos(1);
            shard.await(() -> strangers.stream().allMatch(ExclusivePublication::isConnected), "strangers connected");
            while (shard.clock.nanoTime() - unprovenUntilNs < 0)
            {
                shard.tick();
            }
            assertEquals(0, authenticator.imagesEvicted(), "no place given up while no new image wants one");

            atlas = startAtlas();
            shard.await(() -> link.isAtlasConnected() && link.resyncs() >= 1 && atlas.isResynced(), "genuine Atlas");
            assertEquals(atlas.decisionPublisher().sessionId(), link.decisionSubscriber().sessionId());
            assertEquals(1, authenticator.imagesEvicted(), "one stranger gave its place up");
            assertEquals(1, authenticator.imagesAccepted());
            assertEquals(0, authenticator.proofsFailed());
            assertEquals(1, lines.stream().filter((line) -> line.contains("gives its place up")).count(),
                "logged: " + lines);
            for (int i = 0; i < 30; i++)
            {
                shard.tick();
            }
            assertTrue(link.isAtlasConnected(), "the genuine Atlas stays accepted");
            assertEquals(1, authenticator.imagesEvicted(), "the strangers given up stay given up");
        }
        finally
        {
            strangers.forEach(CloseHelper::quietClose);
        }
    }

    @Test
    void shouldRefuseAProofReplayedFromAnEarlierImage()
    {
        startShard();
        final AtlasLinkKey key = new AtlasLinkKey(MeshTestShard.SECRET);

        // a genuine peer (it holds the key) proves itself and is accepted; its proof is recorded
        final RawPeer genuine = addPeer(0);
        awaitChallenged(genuine, "the layer's challenge");
        genuine.answerChallenges(key, AtlasLinkKey.ROLE_ATLAS);
        shard.await(() -> genuine.sessionId() == link.decisionSubscriber().sessionId(), "the genuine peer accepted");
        final byte[] recordedProof = genuine.lastProof;
        assertNotNull(recordedProof);
        final int genuineSession = genuine.sessionId();

        // it goes away; an attacker publishes with the same Aeron session id and replays the recorded proof
        genuine.close();
        peers.remove(genuine);
        shard.await(() -> 1 == link.decisionSubscriber().sessionsLost(), "the genuine image gone");
        final RawPeer replayer = addPeerWhenFree(genuineSession);
        awaitChallenged(replayer, "the layer's challenge to the new image");
        replayer.sendRaw(recordedProof);
        shard.await(() -> 1 == counter(OrreryCounter.ATLAS_LINK_PROOFS_FAILED), "the replayed proof refused");
        assertTrue(lines.stream().anyMatch((line) -> line.contains("a replayed proof")), lines.toString());

        // the image is never accepted, not even with a fresh valid-looking answer later, and its decisions drop
        final long dropped = counter(OrreryCounter.ATLAS_LINK_UNAUTHENTICATED);
        replayer.answerChallenges(key, AtlasLinkKey.ROLE_ATLAS);
        for (int i = 0; i < 10; i++)
        {
            replayer.requestResync(3);
            shard.tick();
        }
        assertEquals(0, link.decisionSubscriber().sessionId(), "the replayer was not accepted");
        assertEquals(1, link.decisionSubscriber().authenticator().imagesAccepted());
        assertEquals(0, link.resyncs());
        assertTrue(counter(OrreryCounter.ATLAS_LINK_UNAUTHENTICATED) > dropped);
        assertEquals(1, lines.stream().filter((line) -> line.contains("failed:")).count(), "logged once: " + lines);
    }

    @Test
    void shouldNotFeedAtlasTheCommandsOfALayerThatDoesNotProveItself()
    {
        startShard();
        // an impostor layer publishes commands before Atlas starts, and answers Atlas's challenge with a wrong key
        final RawPeer impostor = addPeer(0, COMMAND_STREAM, DECISION_STREAM);
        final io.aeron.Counter[] atlasCounters = OrreryCounter.allocate(shard.aeron, "atlas-test");
        atlas = new AtlasRemoteAgent(
            ShardConfig.parse(MeshHandoffTest.TWO_SERVERS, "test.shard"), 1024, TimeUnit.SECONDS.toNanos(5),
            atlasCounters, MeshTestShard.SECRET, lines::add,
            shard.aeron.addSubscription(AtlasRemoteAgent.commandSubscriptionChannel(CHANNEL), COMMAND_STREAM),
            shard.aeron.addExclusivePublication(CHANNEL, DECISION_STREAM), shard.clock);
        shard.agents.add(atlas);
        awaitChallenged(impostor, "Atlas's challenge to the impostor layer");
        impostor.answerChallenges(new AtlasLinkKey(WRONG_SECRET), AtlasLinkKey.ROLE_LAYER);
        shard.await(() -> link.isAtlasConnected() && atlas.isResynced(), "the genuine layer accepted and resynced");
        for (int i = 0; i < 10; i++)
        {
            final long nowNs = shard.clock.nanoTime();
            impostor.commands.onServerJoined(nowNs, 0, 4242, 0);
            impostor.commands.onEntityAdded(777, 1, 0, false, -5000, 0, 0, 1);
            impostor.commands.onTick(nowNs, 1000 + i, nowNs, true);
            impostor.commands.resyncComplete(atlas.generation());
            shard.tick();
        }
        assertEquals(1, atlas.generation(), "Atlas accepted the genuine layer only");
        assertEquals(link.commandPublisher().sessionId(), atlas.commandSubscriber().sessionId());
        assertEquals(-1, atlas.atlas().epochOf(777), "the impostor's entity is unknown to Atlas");
        assertEquals(1, atlas.commandSubscriber().authenticator().proofsFailed());
        assertEquals(1, atlasCounters[OrreryCounter.ATLAS_LINK_PROOFS_FAILED.id()].get());
        assertTrue(atlasCounters[OrreryCounter.ATLAS_LINK_UNAUTHENTICATED.id()].get() >= 40,
            "the impostor's commands counted on Atlas's side");
        assertTrue(lines.stream().anyMatch((line) -> line.contains("Atlas link (atlas): proof of Aeron session " +
            impostor.sessionId())), lines.toString());
        assertEquals(0, counter(OrreryCounter.ATLAS_LINK_PROOFS_FAILED), "Atlas proved itself to the layer");
        CloseHelper.quietCloseAll(atlasCounters);
    }

    @Test
    void shouldReportASilentAtlasAndRecoverWhenItIsHeardAgain()
    {
        startShard();
        atlas = startAtlas();
        shard.await(() -> link.isAtlasConnected() && link.resyncs() >= 1 && atlas.isResynced(), "Atlas resynced");
        final long episodes = counter(OrreryCounter.ATLAS_SILENCE_EPISODES);
        for (int i = 0; i < 60; i++) // 2 s of shard time: heartbeats keep the layer hearing Atlas
        {
            shard.tick();
            assertTrue(counter(OrreryCounter.ATLAS_SILENT_MS) < 1000, "silent for " +
                counter(OrreryCounter.ATLAS_SILENT_MS) + " ms at tick " + i);
        }
        assertTrue(atlas.heartbeats() > 0, "Atlas sent heartbeats");
        assertEquals(episodes, counter(OrreryCounter.ATLAS_SILENCE_EPISODES));
        assertFalse(link.isAtlasSilent());

        // Atlas's agent is no longer stepped (its process froze)
        shard.agents.remove(atlas);
        for (int i = 0; i < 40; i++) // 1.36 s
        {
            shard.tick();
        }
        assertTrue(link.isAtlasSilent());
        assertEquals(episodes + 1, counter(OrreryCounter.ATLAS_SILENCE_EPISODES));
        assertTrue(counter(OrreryCounter.ATLAS_SILENT_MS) >= 1000, "gauge " + counter(OrreryCounter.ATLAS_SILENT_MS));
        assertEquals(1, lines.stream().filter((line) -> line.contains("Atlas SILENT")).count(), lines.toString());
        for (int i = 0; i < 10; i++)
        {
            shard.tick();
        }
        assertEquals(episodes + 1, counter(OrreryCounter.ATLAS_SILENCE_EPISODES), "one episode, however long");

        // it runs again: heard again, the gauge drops, one line
        shard.agents.add(atlas);
        shard.ticksUntil(() -> !link.isAtlasSilent(), 10, "Atlas heard again");
        shard.tick();
        assertTrue(counter(OrreryCounter.ATLAS_SILENT_MS) < 1000);
        assertEquals(1, lines.stream().filter((line) -> line.contains("Atlas heard again")).count(), lines.toString());
        assertEquals(episodes + 1, counter(OrreryCounter.ATLAS_SILENCE_EPISODES));
        assertEquals(0, counter(OrreryCounter.ATLAS_LINK_PROOFS_FAILED));
    }

    @Test
    void shouldLetAProvenAtlasTakeOverFromASilentOneWithoutWaitingForItsImageToGo()
    {
        startShard();
        atlas = startAtlas();
        shard.await(() -> link.isAtlasConnected() && link.resyncs() >= 1 && atlas.isResynced(), "Atlas resynced");

        // the first Atlas freezes (its process hung or was killed: its image stays until the driver times it out)
        shard.agents.remove(atlas);
        final AtlasRemoteAgent second = startAtlas();
        shard.await(() -> lines.stream().anyMatch((line) -> line.contains("proved itself; waiting")),
            "the second Atlas proved itself while the first is still accepted");
        for (int i = 0; i < 90 && !(link.resyncs() >= 2 && second.isResynced()); i++)
        {
            shard.tick();
        }
        assertTrue(link.resyncs() >= 2 && second.isResynced(),
            "the second Atlas accepted and resynced once the first was silent for the takeover time: " + lines);
        assertEquals(1, lines.stream().filter((line) -> line.contains("takes over")).count(), lines.toString());

        // the first one comes back from its pause: it is not accepted again, the second stays
        final AtlasRemoteAgent first = atlas;
        shard.agents.add(first);
        atlas = second;
        final long resyncs = link.resyncs();
        for (int i = 0; i < 30; i++)
        {
            shard.tick();
        }
        assertEquals(resyncs, link.resyncs(), "no switch back");
        assertFalse(link.isAtlasSilent());
        assertTrue(counter(OrreryCounter.ATLAS_LINK_UNAUTHENTICATED) > 0, "the old Atlas's fragments are dropped");
        assertEquals(0, counter(OrreryCounter.ATLAS_LINK_PROOFS_FAILED));
        first.onClose();
    }

    private void awaitChallenged(final RawPeer peer, final String what)
    {
        shard.await(() -> peer.poll() >= 0 && peer.challenged, what);
    }

    private RawPeer addPeerWhenFree(final int sessionId)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true)
        {
            try
            {
                return addPeer(sessionId);
            }
            catch (final RegistrationException ex)
            {
                if (System.nanoTime() > deadline)
                {
                    throw ex;
                }
                shard.poll(); // the driver still holds the earlier publication of that session id
            }
        }
    }

    /**
     * A raw Aeron peer: a publication on the decision stream (an impostor Atlas) or on the command stream (an impostor
     * layer), and a reader of the other stream, to see challenges.
     */
    private final class RawPeer implements AutoCloseable
    {
        final ExclusivePublication publication;
        final Subscription listen;
        final AtlasDecisionPublisher decisions;
        final AtlasCommandPublisher commands;
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final LinkChallengeDecoder challenge = new LinkChallengeDecoder();
        final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        final LinkProofEncoder proofEncoder = new LinkProofEncoder();
        final byte[] nonce = new byte[AtlasLinkKey.NONCE_LENGTH];
        final byte[] mac = new byte[AtlasLinkKey.MAC_LENGTH];
        final FragmentHandler onCommand = this::onCommand;
        AtlasLinkKey key;
        byte role;
        boolean challenged;
        int challengerSessionId;
        byte[] lastProof;

        RawPeer(final int sessionId, final int publishStream, final int listenStream)
        {
            publication = shard.aeron.addExclusivePublication(
                0 == sessionId ? PEER_CHANNEL : PEER_CHANNEL + "|session-id=" + sessionId, publishStream);
            listen = shard.aeron.addSubscription(CHANNEL, listenStream);
            decisions = DECISION_STREAM == publishStream ? new AtlasDecisionPublisher(publication) : null;
            commands = DECISION_STREAM == publishStream ? null : new AtlasCommandPublisher(publication);
        }

        int sessionId()
        {
            return publication.sessionId();
        }

        void answerChallenges(final AtlasLinkKey key, final byte role)
        {
            this.key = key;
            this.role = role;
            lastProof = null;
            if (challenged)
            {
                answer();
            }
            final BooleanSupplier answered = () -> poll() >= 0 && null != lastProof;
            shard.await(answered, "an answer to a challenge");
        }

        int poll()
        {
            if (null != decisions)
            {
                decisions.flush();
            }
            else
            {
                commands.flush();
            }
            return listen.poll(onCommand, 100);
        }

        private void onCommand(
            final org.agrona.DirectBuffer buffer, final int offset, final int length, final io.aeron.logbuffer.Header h)
        {
            header.wrap(buffer, offset);
            if (LinkChallengeDecoder.TEMPLATE_ID != header.templateId() ||
                MessageHeaderDecoder.SCHEMA_ID != header.schemaId())
            {
                return;
            }
            challenge.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(),
                header.version());
            if (challenge.targetSessionId() != publication.sessionId())
            {
                return;
            }
            challenged = true;
            challengerSessionId = h.sessionId();
            challenge.getNonce(nonce, 0, nonce.length);
            if (null != key)
            {
                answer();
            }
        }

        private void answer()
        {
            key.prove(role, publication.sessionId(), challengerSessionId, nonce, mac, 0);
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH +
                LinkProofEncoder.BLOCK_LENGTH]);
            proofEncoder.wrapAndApplyHeader(frame, 0, headerEncoder)
                .targetSessionId(challengerSessionId)
                .putNonce(nonce, 0, nonce.length)
                .putMac(mac, 0, mac.length);
            lastProof = frame.byteArray();
            sendRaw(lastProof);
        }

        void sendRaw(final byte[] frame)
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (publication.offer(new UnsafeBuffer(frame)) < 0)
            {
                if (System.nanoTime() > deadline)
                {
                    fail("could not send a raw frame");
                }
                shard.poll();
            }
        }

        /**
         * Valid SBE decisions that would give territory 0 to {@code first}, territory 1 to {@code second} and the
         * player to {@code second}.
         */
        void grantEverything(final TestGameServer first, final TestGameServer second)
        {
            final long firstSession = first.link.serverSessionId();
            final long secondSession = second.link.serverSessionId();
            final int slot = shard.store().slotOf(PLAYER);
            final long incarnation = slot < 0 ? 1 : shard.store().createdSeq(slot);
            decisions.onTerritoryGranted(0, first.serverId - 1, firstSession, 99);
            decisions.onTerritoryGranted(1, second.serverId - 1, secondSession, 99);
            decisions.onAuthorityAssigned(PLAYER, incarnation, second.serverId - 1, secondSession, 1, 99);
            decisions.onServerRetired(first.serverId - 1, firstSession, true);
        }

        void requestResync(final long generation)
        {
            decisions.resyncRequest(generation);
        }

        @Override
        public void close()
        {
            CloseHelper.quietCloseAll(listen, publication);
        }
    }
}
