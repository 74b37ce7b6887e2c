/**
 * AMA's library: {@link dev.ama.AssetClient} and the values it returns.
 *
 * <p>Build one client per store with {@link dev.ama.AssetClient#builder()}, then upload with
 * {@link dev.ama.AssetClient#newAsset}, download with {@link dev.ama.AssetClient#download}, serve
 * with {@link dev.ama.AssetClient#load} and ask questions with the query methods. Every failure of
 * the work itself is an {@link dev.ama.AmaException} subclass that says where it happened; misuse
 * of the API (a builder setting given twice, a null argument) is the usual {@link
 * IllegalStateException} or {@link NullPointerException}.
 *
 * <p>All parameters and return values are non-null unless documented otherwise; absence is
 * {@link java.util.Optional}.
 */
package dev.ama;
