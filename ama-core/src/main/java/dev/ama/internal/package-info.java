/**
 * Helpers shared by AMA's own modules (the core, its storage backends and the command-line tool).
 * Not API: anything here may change or go in any release, so code outside AMA must not use it.
 *
 * <p>All parameters and return values are non-null unless documented otherwise.
 */
package dev.ama.internal;
