/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.status;

import io.aeron.Aeron;
import io.aeron.Counter;

/**
 * The Replication Layer's system counters. Each is allocated in the media driver's counters file through the Aeron
 * client, so it is readable from outside the process with Aeron's {@code AeronStat} or any {@code CountersReader}
 * (type id {@link #COUNTER_TYPE_ID}, label prefixed {@code "orrery: "}). A Replicant bridge's counters
 * ({@link #isPerReplicant()}) exist once per bridge as well, labelled {@code replicant=<id>} after the shard; the
 * shard's own counter of each is the sum over the layer's bridges.
 */
public enum OrreryCounter
{
    /**
     * Players in the shard: client sessions active through every Gateway, the layer's own and remote ones over the
     * gateway link ({@link #GATEWAY_LINK_SESSIONS} is the remote part). A Gateway process counts its own.
     */
    SESSIONS_ACTIVE(0, "client sessions active (the shard's, through every Gateway)"),
    SESSIONS_OPENED(1, "client sessions opened"),
    SESSIONS_CLOSED(2, "client sessions closed"),
    SESSIONS_TIMED_OUT(3, "client sessions timed out"),
    SESSIONS_SLOW_CONSUMER(4, "client sessions disconnected as slow consumers"),
    ENTITIES(5, "entities cached"),
    SPAWNS_SENT(6, "entity spawns sent"),
    UPDATES_SENT(7, "entity updates sent"),
    DESPAWNS_SENT(8, "entity despawns sent"),
    BYTES_OUT(9, "bytes sent to clients"),
    UPDATES_DROPPED_BACK_PRESSURE(10, "ticks dropped for back-pressured clients"),
    RESYNCS(11, "client resynchronisations"),
    INPUTS_RECEIVED(12, "player inputs received"),
    INPUTS_FORWARDED(13, "player inputs forwarded to authority"),
    REJECTED_MALFORMED(14, "messages rejected: malformed"),
    REJECTED_BAD_TOKEN(15, "hellos rejected: bad token"),
    REJECTED_EXPIRED_TOKEN(16, "hellos rejected: expired token"),
    REJECTED_TOO_MANY_SESSIONS(17, "hellos rejected: too many sessions"),
    REJECTED_NOT_AUTHENTICATED(18, "messages rejected: not authenticated"),
    REJECTED_NOT_YOUR_ENTITY(19, "inputs rejected: not the sender's entity"),
    REJECTED_OUT_OF_ORDER(20, "inputs rejected: out of order or duplicate"),
    REJECTED_UNSUPPORTED_VERSION(21, "hellos rejected: unsupported version"),
    REJECTED_BAD_RESPONSE_CHANNEL(22, "hellos rejected: bad response channel"),
    MAX_DUTY_CYCLE_NS(23, "max duty cycle time ns"),
    ERRORS(24, "errors"),
    BUDGET_DEFERRALS(25, "entity sends deferred by bandwidth budget"),
    TICKS(26, "replicant ticks"),
    INPUTS_RATE_LIMITED(27, "player inputs dropped: above the maximum input rate"),
    SERVERS_CONNECTED(28, "game servers connected"),
    SERVER_HELLOS_REJECTED(29, "server hellos rejected: bad token, unknown server id, version"),
    SERVER_MESSAGES_NOT_AUTHENTICATED(30, "server messages rejected: not authenticated"),
    SERVER_MESSAGES_MALFORMED(31, "server messages rejected: malformed"),
    STALE_EPOCH_WRITES(32, "server writes rejected: stale epoch"),
    UNAUTHORISED_WRITES(33, "server writes rejected: sender not the authority"),
    HANDOFFS_STARTED(34, "handoffs started"),
    HANDOFFS_COMMITTED(35, "handoffs committed"),
    HANDOFFS_TIMED_OUT(36, "handoffs committed from the cache: release timed out"),
    HANDOFF_INPUTS_BUFFERED(37, "player inputs buffered during handoff or without authority"),
    HANDOFF_INPUT_OVERFLOWS(38, "player inputs lost: buffer full"),
    SERVER_FAILOVERS(39, "game servers declared dead"),
    ENTITIES_REASSIGNED(40, "entities reassigned to another server"),
    SERVER_EGRESS_BACK_PRESSURE(41, "messages to game servers back-pressured: input retried, control fails the server"),
    INVENTORY_REQUESTS(42, "stow/unstow requests received"),
    INVENTORY_COMPLETED(43, "stow/unstow operations durable and applied"),
    INVENTORY_FAILED(44, "stow/unstow operations completed with a refusal by the store"),
    INVENTORY_REFUSED(45, "stow/unstow results other than ok sent to clients"),
    PERSIST_UPSERTS_OFFERED(46, "world node upserts offered to Scribe"),
    PERSIST_REMOVALS_OFFERED(47, "world node removals offered to Scribe"),
    PERSIST_BACK_PRESSURED(48, "world writes deferred: Scribe ring full (retried next pass)"),
    PERSIST_SKIPPED(49, "entities not persisted: component state larger than a node holds"),
    ENTITIES_RESTORED(50, "entities restored from the store"),
    STARTER_GRANTS(51, "starter item grants durable (ok or duplicate)"),
    OCS_CELLS_HOT(52, "ocs cells hot (loaded or loading, or occupied)"),
    OCS_CELLS_STREAMED_OUT(53, "ocs cells streamed out"),
    OCS_CELLS_STREAMED_IN(54, "ocs cells streamed in"),
    OCS_ENTITIES_STREAMED_OUT(55, "ocs entities streamed out (persisted, then evicted)"),
    OCS_ENTITIES_STREAMED_IN(56, "ocs entities streamed in from the store"),
    INVENTORY_ANSWERS_DROPPED(57, "stow/unstow results the client publication refused (a resend is answered from recent results)"),
    CLIENT_INGRESS_MESSAGES_TOO_LONG(58,
        "client ingress messages dropped: longer than the maximum, or no reassembly buffer free"),
    CLIENT_INGRESS_IMAGES_REFUSED(59, "client ingress images refused: term length above the maximum"),
    CLIENT_INGRESS_FRAGMENTS_REFUSED(60,
        "client ingress fragments dropped: their image's term length is above the maximum"),
    HELLOS_SHED(61, "client hellos dropped unanswered: refusals above their cap or rate"),
    REJECTED_DUPLICATE_SESSION(62, "client hellos rejected: the player already has a session"),
    HELLOS_ON_BOUND_IMAGE(63, "client hellos dropped: sent on an image that already has a session"),
    SERVER_INGRESS_MESSAGES_TOO_LONG(64,
        "server ingress messages dropped: longer than the maximum, or no reassembly buffer free"),
    SERVER_INGRESS_IMAGES_REFUSED(65, "server ingress images refused: term length above the maximum"),
    SERVER_INGRESS_FRAGMENTS_REFUSED(66,
        "server ingress fragments dropped: their image's term length is above the maximum"),
    SERVER_HELLOS_SHED(67, "server hellos dropped unanswered: refusals above their cap or rate"),
    SERVER_REPLACEMENTS(68, "game server connections replaced by a new welcomed and connected connection"),
    INVENTORY_OPERATION_CONFLICTS(69,
        "stow/unstow requests refused: operation id reserved, or reused for another item or kind"),
    UPDATE_ENTRIES_SENT(70, "entity update entries sent to clients (compact: only entries with a field to send)"),
    UPDATE_BYTES_OUT(71, "bytes of entity update messages sent to clients"),
    UPDATE_WIRE_BYTES_OUT(72,
        "bytes entity update messages took in client egress logs (Aeron frame headers and alignment included)"),
    WIRE_BYTES_OUT(73, "bytes the layer's entity messages took in client egress logs (headers, alignment, padding)"),
    TIER_DEFERRALS(74, "entity updates skipped this tick by their distance tier"),
    SERVER_HELLO_COPIES_IGNORED(75,
        "server hellos ignored: a copy of a hello already being answered, resent by a link waiting for its welcome"),
    TERRITORY_BORDER_MOVES(76, "territory borders moved by the balancer (dynamic meshing)"),
    TERRITORY_SPLITS(77, "territories split to give part of a loaded server's load to a spare server"),
    TERRITORY_MERGES(78, "territories of lightly loaded servers merged into a neighbour's"),
    FLEET_REQUESTS(79, "game servers the mesh asked its fleet to start or retire"),
    ADMISSION_CLOSED(80,
        "1 while the shard refuses new players: every game server above its high-water mark and no spare left"),
    REJECTED_SHARD_FULL(81, "hellos rejected: shard full (admission closed by dynamic meshing)"),
    WRITES_BEFORE_ASSIGNMENT(82,
        "server writes of an entity it just created, dropped before Atlas's first assignment of it arrived"),
    ATLAS_LINK_UNAUTHENTICATED(83,
        "Atlas link fragments from publishers not authenticated, dropped (the layer's or the Atlas process's side)"),
    ATLAS_LINK_PROOFS_FAILED(84, "Atlas link proofs that failed (wrong MAC or a replayed proof): image refused"),
    ATLAS_SILENT_MS(85, "ms since the layer last heard from its authenticated Atlas process (gauge)"),
    ATLAS_SILENCE_EPISODES(86, "times the layer's Atlas process was silent for longer than the silence threshold"),
    HANDOFFS_WAITING(87,
        "entities due to be handed off that wait for a slot: their receiving server has handoff-pacing in flight"),
    SERVER_VIEW_BYTES_OUT(88, "bytes of read-only view messages sent to game servers (compact or legacy encoding)"),
    SERVER_VIEW_MESSAGES_OUT(89, "read-only view messages sent to game servers"),
    SPAWN_DEFERRALS(90,
        "entity spawns deferred by snapshot pacing (a client's egress window or the layer's snapshot bytes per tick)"),
    GATEWAY_LINKS_ACCEPTED(91, "remote Gateways whose link proof verified"),
    GATEWAY_LINKS_LOST(92, "remote Gateways lost (image gone or silent): their sessions ended"),
    GATEWAY_LINK_UNAUTHENTICATED(93,
        "Gateway link messages dropped: their Gateway has not proven the link key (or the hello was shed)"),
    GATEWAY_LINK_PROOFS_FAILED(94, "Gateway link proofs that failed: link refused"),
    GATEWAY_LINK_MESSAGES_REFUSED(95,
        "Gateway link messages refused: malformed, or for a session that is not the sender's"),
    GATEWAY_LINK_SESSIONS(96, "client sessions held through remote Gateways (part of sessions active)"),
    GATEWAY_RELAY_FAILURES(97,
        "frames a Gateway could not copy into a client publication (the session ended) or for unknown sessions"),
    GATEWAY_LINK_SESSIONS_UNPROVEN(98,
        "sessions a remote Gateway opened without a valid token of that player (refused): a rogue or outdated Gateway"),
    GATEWAY_LINK_VERIFICATIONS_DEFERRED(99,
        "remote Gateways' session openings put off for the layer's budget of Ed25519 token verifications (not lost)"),
    REPLICANT_HANDOFFS(100, "entities handed over between the shard's Replicants (several Replicants per shard)"),
    REPLICANT_FEED_MESSAGES(101, "state feed messages the primary Replicant wrote to the secondaries' rings"),
    REPLICANT_FEED_BYTES(102, "bytes of state feed messages the primary Replicant wrote to the secondaries' rings"),
    REPLICANT_FEED_BACK_PRESSURE(103,
        "state feed messages a secondary's full ring refused (the rest of that pass dropped; the secondary resyncs)"),
    REPLICANT_FEED_RESYNCS(104, "full snapshots the primary Replicant wrote to a secondary that missed part of its feed"),
    REPLICANT_HANDOFF_SPAWNS(105,
        "spawns a Replicant sent because it gained an entity another Replicant had (outside the bandwidth budget)"),
    REPLICANT_SESSION_HANDOVERS_REFUSED(106,
        "session starts or ends a secondary Replicant's full hand-over queue refused (that Replicant missed them)"),
    REPLICANT_OBSERVERS_REFUSED(107,
        "sessions a secondary Replicant's interest engine had no observer for (full or duplicate): it streams nothing"),
    REPLICANT_HANDOFF_SPAWNS_LATE(108,
        "handoff spawns a full view could not take in their pass (its reserve used up): the client awaits the owner"),
    /**
     * Client ingress images the Gateway rejected because nothing was bound to them (no session, no pending hello, no
     * hello seen) for {@code GatewayContext.unboundImageTimeoutNs}: strangers holding the stream's sessions.
     */
    CLIENT_INGRESS_IMAGES_UNBOUND_REJECTED(109,
        "client ingress images rejected: no session and no hello on them for the unbound image timeout"),
    /**
     * Rejections of unbound client ingress images put off because the media driver's command ring was full (a driver
     * not reading its commands); each is due again at the Gateway's next housekeeping.
     */
    CLIENT_INGRESS_IMAGE_REJECTIONS_DEFERRED(110,
        "client ingress image rejections put off: the media driver's command ring was full (retried)"),
    /**
     * {@code ServerGoodbye}s the layer offered its welcomed game servers when it closed cleanly (each server link then
     * rejoins at once instead of after its layer timeout); a server whose publication refused every attempt is not
     * counted.
     */
    SERVER_GOODBYES_SENT(111, "goodbyes offered to game servers on a clean close of the layer"),
    /**
     * {@code ServerGoodbye}s taken from welcomed game servers that closed cleanly: each fails its territories over at
     * once, without waiting for the heartbeat timeout.
     */
    SERVER_GOODBYES_RECEIVED(112, "goodbyes of game servers that closed cleanly (failed over at once)"),
    /**
     * Entities the primary's ownership rule took from an unavailable (lost) Replicant and gave to another, each with
     * the next owner epoch; also counted in {@link #REPLICANT_HANDOFFS}.
     */
    REPLICANT_TAKEOVERS(113, "entities taken over from a lost Replicant (handed to an available one, new owner epoch)"),
    /**
     * Times a bridge declared its remote Replicant lost (silent for {@code orrery.replicant.takeover.after.ms}, its
     * image gone, or its feed publication no longer connected) after it had been proven.
     */
    REPLICANTS_LOST(114, "times a remote Replicant was declared lost (its subtrees are taken over)"),
    /**
     * Times a remote Replicant was made available (its first link included): proven, synced, every session announced
     * and heard from for {@code orrery.replicant.return.after.ms}; its range's subtrees go (back) to it.
     */
    REPLICANT_RETURNS(115, "times a remote Replicant was made available (first link included): its subtrees go to it"),
    /**
     * Bridges ({@code ReplicantBridge}) with a proven Replicant in its own process: per bridge 0 or 1 (label
     * {@code replicant=<id>}), in the shard's counter the number of bridges linked. Fewer than the layer's
     * {@code orrery.replicant.remote.ids} means a Replicant's part of the world is streamed by a stand-in (see
     * {@link #REPLICANT_TAKEOVERS}) until it is proven again.
     */
    REPLICANT_BRIDGES_LINKED(116, "Replicant bridges linked to a proven Replicant in its own process", true),
    REPLICANT_BRIDGE_LINKS_LOST(117,
        "Replicant bridge links lost (the Replicant silent, its image gone or its feed not read): the feed ring fills",
        true),
    REPLICANT_BRIDGE_FEED_MESSAGES(118, "state feed messages a Replicant bridge forwarded to its Replicant", true),
    REPLICANT_BRIDGE_FEED_BYTES(119, "state feed bytes a Replicant bridge forwarded to its Replicant", true),
    REPLICANT_BRIDGE_FEED_BACK_PRESSURED(120,
        "state feed messages a Replicant bridge's publication refused (kept in the ring; it resyncs when full)", true),
    REPLICANT_BRIDGE_FRAMES_RELAYED(121, "client frames a Replicant bridge relayed from its Replicant", true),
    REPLICANT_BRIDGE_FRAME_BYTES_RELAYED(122, "client frame bytes a Replicant bridge relayed from its Replicant",
        true),
    REPLICANT_BRIDGE_RELAY_STALLS(123,
        "relays a back-pressured client egress held back at a Replicant bridge (retried)", true),
    REPLICANT_BRIDGE_RELAY_DROPPED(124,
        "client frames a Replicant bridge dropped: the session's egress closed or gone", true),
    REPLICANT_BRIDGE_FRAMES_UNKNOWN_SESSION(125,
        "client frames a Replicant bridge got for sessions the primary has ended (dropped)", true),
    REPLICANT_BRIDGE_HANDSHAKES_PROVEN(126, "Replicants a bridge found proven (links made)", true),
    REPLICANT_BRIDGE_HANDSHAKES_REFUSED(127,
        "hellos and proofs a Replicant bridge refused (no valid MAC, wrong id or channel, failed or late proof)", true),
    REPLICANT_BRIDGE_HELLOS_SHED(128,
        "verified hellos a Replicant bridge shed: every handshake slot busy with a handshake too young to end", true),
    REPLICANT_BRIDGE_MESSAGES_REFUSED(129,
        "messages a Replicant bridge dropped: malformed, of another schema, or not a hello or proof when unproven",
        true),
    REPLICANT_BRIDGE_RESETS_SENT(130, "ReplicantResets a bridge wrote to clients when a Replicant was proven", true),
    REPLICANT_BRIDGE_RESETS_DROPPED(131, "ReplicantResets a bridge dropped: the session's egress closed or gone",
        true),
    /**
     * In a Replicant's own process ({@code ReplicantServer}): 1 while linked (proven both ways) to the layer's bridge.
     */
    REMOTE_REPLICANT_LINKED(132, "this Replicant process is linked to the layer's bridge"),
    REMOTE_REPLICANT_SESSIONS(133, "client sessions the layer's bridge announced to this Replicant process"),
    REMOTE_REPLICANT_LINKS(134, "links this Replicant process made to the layer's bridge"),
    REMOTE_REPLICANT_LINKS_LOST(135, "links this Replicant process lost (the layer's feed image gone)"),
    REMOTE_REPLICANT_FEED_MESSAGES(136, "state feed messages this Replicant process applied from the bridge"),
    REMOTE_REPLICANT_FEED_DROPPED(137,
        "state feed messages this Replicant process dropped before a link's first snapshot"),
    REMOTE_REPLICANT_FEED_RING_FULL(138,
        "feed reads this Replicant process put off: its Replicant's ring full (the feed waits in the image)"),
    REMOTE_REPLICANT_FRAMES_SENT(139, "client frames this Replicant process sent to the layer's bridge"),
    REMOTE_REPLICANT_FRAMES_REFUSED(140,
        "client frames the link publication refused in this Replicant process (its egress sees back-pressure)"),
    REMOTE_REPLICANT_MESSAGES_REFUSED(141,
        "messages this Replicant process dropped: malformed, of another schema, or from a stranger image"),
    REMOTE_REPLICANT_WELCOMES_REFUSED(142,
        "welcomes that did not verify in this Replicant process (not the layer's key): it says hello again"),
    REPLICANT_BRIDGE_HELLOS_REFUSED_ID_HELD(143,
        "verified hellos a Replicant bridge refused: another image holds the id (two processes with one id)", true),
    REPLICANT_BRIDGE_RETURN_BACKOFFS(144,
        "losses of a Replicant bridge's Replicant soon after its return (each doubles its return hold, capped)", true),
    REMOTE_REPLICANT_REFUSED(145,
        "hellos of this Replicant process the layer's bridge refused: another process holds its id"),
    REMOTE_REPLICANT_REFUSED_NOW(146,
        "1 while the layer's bridge refuses this Replicant process: another process holds its id"),
    GATEWAY_LINK_HELLOS_REFUSED(147,
        "Gateway link hellos refused before anything was spent on them: no valid MAC (not the link key), malformed, " +
        "or from a Gateway of an older version");

    /**
     * Aeron counter type id of every Orrery system counter.
     */
    public static final int COUNTER_TYPE_ID = 7301;

    private static final OrreryCounter[] VALUES = values();

    private final int id;
    private final String label;
    private final boolean perReplicant;

    OrreryCounter(final int id, final String label)
    {
        this(id, label, false);
    }

    OrreryCounter(final int id, final String label, final boolean perReplicant)
    {
        this.id = id;
        this.label = label;
        this.perReplicant = perReplicant;
    }

    public int id()
    {
        return id;
    }

    public String label()
    {
        return label;
    }

    /**
     * @return whether the counter is a Replicant bridge's: the layer allocates it once per bridge as well
     * ({@link #allocatePerReplicant}), and the shard's counter is the sum over the layer's bridges.
     */
    public boolean isPerReplicant()
    {
        return perReplicant;
    }

    /**
     * Allocate a Replicant bridge's own counters ({@link #isPerReplicant()}), labelled with the shard and the
     * Replicant id, indexed by {@link #id()} (null at every other id).
     *
     * @param aeron       client to allocate with.
     * @param shardName   included in each label.
     * @param replicantId the Replicant the bridge stands for, included in each label as {@code replicant=<id>}.
     * @return counters indexed by id; the caller closes them.
     */
    public static Counter[] allocatePerReplicant(final Aeron aeron, final String shardName, final int replicantId)
    {
        final Counter[] counters = new Counter[VALUES.length];
        for (final OrreryCounter descriptor : VALUES)
        {
            if (descriptor.perReplicant)
            {
                counters[descriptor.id] = aeron.addCounter(
                    COUNTER_TYPE_ID, "orrery: " + descriptor.label + " shard=" + shardName + " replicant=" + replicantId);
            }
        }
        return counters;
    }

    /**
     * Allocate all counters through the Aeron client, indexed by {@link #id()}.
     *
     * @param aeron client to allocate with.
     * @param shardName included in each label so several shards on one driver can be told apart.
     * @return counters indexed by id; the caller closes them.
     */
    public static Counter[] allocate(final Aeron aeron, final String shardName)
    {
        final Counter[] counters = new Counter[VALUES.length];
        for (final OrreryCounter descriptor : VALUES)
        {
            counters[descriptor.id] = aeron.addCounter(
                COUNTER_TYPE_ID, "orrery: " + descriptor.label + " shard=" + shardName);
        }
        return counters;
    }
}
