/**
 * The small SPI every module of the data plane speaks.
 *
 * <h2>Threading</h2>
 * A downstream connection lives on one event loop for its whole life, and every callback of every
 * filter of its streams runs on that loop (Envoy's worker model). Filters therefore need no locks
 * for their own state, and must never block: anything slow (a callout, a timer) completes later
 * through {@link dev.xdsdp.api.filter.FilterDispatcher}, on the same loop.
 *
 * <p>Filter <em>factories</em> and parsed configs are built once, off the event loops, and are
 * immutable; they are shared by all loops.
 *
 * <h2>Nullness</h2>
 * Parameters and return values are non-null unless their Javadoc says "or null".
 */
package dev.xdsdp.api;
