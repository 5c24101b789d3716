/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */

/**
 * What the roles of a Replication Layer share without depending on each other or on the layer: the shared
 * resources ({@link io.orrery.core.common.LayerResources}) and the session hand-over from Gateway to Replicant.
 */
package io.orrery.core.common;
