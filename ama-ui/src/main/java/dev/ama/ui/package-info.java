/**
 * The AMA dashboard: a read-only web view of a store's asset types, aliases, versions, alias
 * history, lineage graph, diffs and find-by-content. {@link dev.ama.ui.DashboardServer} serves it
 * on loopback behind an access token; {@link dev.ama.ui.DashboardExport} writes it as a static
 * site. Both read only through {@link dev.ama.AssetClient}'s query API. See docs/ui.md.
 */
package dev.ama.ui;
