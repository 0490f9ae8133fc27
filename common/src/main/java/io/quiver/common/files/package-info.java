/** State on disk: files replaced whole and crash-safe, and the 503 a refused write becomes. */
package io.quiver.common.files;
