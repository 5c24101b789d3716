/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

/**
 * How the Replication Layer sends game servers their read-only views ({@link AtlasContext#SERVER_VIEWS_ENCODING_PROP}).
 */
public enum ServerViewsEncoding
{
    /**
     * {@code ClientViewsCompact}: per-server handles, changed fields only, deltas against what the server was last
     * sent ({@code io.orrery.wire.CompactViews}). The default.
     */
    COMPACT,

    /**
     * {@code ClientViewBatch}: fixed-size entries of every field, for servers built before compact views.
     */
    LEGACY
}
