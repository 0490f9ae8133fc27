package io.quiver.common.s3;

import io.quiver.common.error.BadRequestException;
import java.util.Locale;

/**
 * An {@code s3://bucket/prefix} location: a bucket and a key prefix without leading or trailing
 * slashes (empty for the whole bucket).
 */
public record S3Location(String bucket, String prefix) {

    /** Whether {@code uri} names an S3 location, whatever the case of its scheme. */
    public static boolean isS3(String uri) {
        return uri != null && uri.length() >= 5 && uri.substring(0, 5).toLowerCase(Locale.ROOT).equals("s3://");
    }

    /** @throws BadRequestException when {@code uri} is not {@code s3://bucket[/prefix]} */
    public static S3Location parse(String uri) {
        if (!isS3(uri)) {
            throw new BadRequestException("'" + abbreviate(uri) + "' is not an s3://bucket/prefix location");
        }
        String rest = uri.substring(5);
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        // S3's bucket naming rules, loosely: enough to refuse what could not be a bucket (a host and
        // port, credentials, a query) before it reaches a request line.
        if (!bucket.matches("[a-z0-9][a-z0-9.\\-_]{1,62}")) {
            throw new BadRequestException("'" + abbreviate(uri) + "' does not name a valid S3 bucket");
        }
        String prefix = slash < 0 ? "" : trimSlashes(rest.substring(slash + 1));
        if (prefix.contains("//") || prefix.contains("?") || prefix.contains("#")
                || ("/" + prefix + "/").contains("/../") || ("/" + prefix + "/").contains("/./")) {
            throw new BadRequestException("'" + abbreviate(uri) + "' is not a valid S3 key prefix");
        }
        return new S3Location(bucket, prefix);
    }

    /** The location {@code parts} below this one. */
    public S3Location resolve(String... parts) {
        StringBuilder key = new StringBuilder(prefix);
        for (String part : parts) {
            String trimmed = trimSlashes(part);
            if (!trimmed.isEmpty()) {
                key.append(key.isEmpty() ? "" : "/").append(trimmed);
            }
        }
        return new S3Location(bucket, key.toString());
    }

    /** The prefix as a "directory" for listing: empty or ending in a slash. */
    public String directoryKey() {
        return prefix.isEmpty() ? "" : prefix + "/";
    }

    @Override
    public String toString() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    private static String trimSlashes(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && value.charAt(start) == '/') {
            start++;
        }
        while (end > start && value.charAt(end - 1) == '/') {
            end--;
        }
        return value.substring(start, end);
    }

    private static String abbreviate(String value) {
        if (value == null) {
            return "";
        }
        return value.length() <= 200 ? value : value.substring(0, 200) + "...";
    }
}
