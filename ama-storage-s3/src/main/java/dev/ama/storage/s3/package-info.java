/**
 * The S3 storage backend: {@code s3://bucket/prefix} stores on AWS S3 or any S3-compatible
 * server (MinIO, IBM COS, Ceph, Cloudflare R2), through the AWS SDK for Java v2.
 *
 * <p>All parameters and return values are non-null unless documented otherwise.
 */
package dev.ama.storage.s3;
