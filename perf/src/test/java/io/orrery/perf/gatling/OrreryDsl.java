/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.perf.gatling;

import io.gatling.core.action.Action;
import io.gatling.core.structure.ScenarioContext;

/**
 * The Orrery steps of a Gatling scenario, as Java-DSL {@link io.gatling.javaapi.core.ActionBuilder}s:
 * <pre>
 *   exec(OrreryDsl.connect(run))      hello with a signed token, ok on welcome          request "connect"
 *   exec(OrreryDsl.input(run))        one PlayerInput, ok when its sequence is echoed   request "input→update"
 *   exec(OrreryDsl.disconnect(run))   goodbye                                           request "disconnect"
 * </pre>
 * Threading: builders are used while Gatling builds the scenario; see {@link OrreryAction} for the actions.
 */
final class OrreryDsl
{
    static final String CONNECT = "connect";
    static final String INPUT_UPDATE = "input→update";
    static final String DISCONNECT = "disconnect";

    private OrreryDsl()
    {
    }

    static io.gatling.javaapi.core.ActionBuilder connect(final OrreryRun run)
    {
        return new Builder(GatewayRequest.Kind.CONNECT, CONNECT, run);
    }

    static io.gatling.javaapi.core.ActionBuilder input(final OrreryRun run)
    {
        return new Builder(GatewayRequest.Kind.INPUT, INPUT_UPDATE, run);
    }

    static io.gatling.javaapi.core.ActionBuilder disconnect(final OrreryRun run)
    {
        return new Builder(GatewayRequest.Kind.DISCONNECT, DISCONNECT, run);
    }

    /**
     * The Java-DSL face; its Scala builder is what Gatling calls once per place in the scenario.
     */
    private static final class Builder implements io.gatling.javaapi.core.ActionBuilder
    {
        private final ScalaBuilder scala;

        Builder(final GatewayRequest.Kind kind, final String requestName, final OrreryRun run)
        {
            scala = new ScalaBuilder(kind, requestName, run);
        }

        @Override
        public io.gatling.core.action.builder.ActionBuilder asScala()
        {
            return scala;
        }
    }

    private static final class ScalaBuilder implements io.gatling.core.action.builder.ActionBuilder
    {
        private final GatewayRequest.Kind kind;
        private final String requestName;
        private final OrreryRun run;

        ScalaBuilder(final GatewayRequest.Kind kind, final String requestName, final OrreryRun run)
        {
            this.kind = kind;
            this.requestName = requestName;
            this.run = run;
        }

        @Override
        public Action build(final ScenarioContext ctx, final Action next)
        {
            return new OrreryAction(kind, requestName, run, ctx.coreComponents().statsEngine(),
                ctx.coreComponents().clock(), next);
        }
    }
}
