/** Reading models from S3-protocol object stores: {@code s3://bucket/prefix} locations and one client for them. */
package io.quiver.common.s3;
