package io.quiver.common.versions;

import java.util.Comparator;

/**
 * Orders versions as people read them: "2" before "10", "1.9.0" before "1.10.0"; parts that are not
 * numbers compare as text. "latest" is the greatest version in this order, and the model-manager's
 * registries list versions oldest first in it.
 */
public final class VersionOrder implements Comparator<String> {
    public static final VersionOrder INSTANCE = new VersionOrder();

    @Override
    public int compare(String a, String b) {
        String[] left = a.split("\\.");
        String[] right = b.split("\\.");
        for (int i = 0; i < Math.min(left.length, right.length); i++) {
            int c = comparePart(left[i], right[i]);
            if (c != 0) {
                return c;
            }
        }
        int c = Integer.compare(left.length, right.length);
        return c != 0 ? c : a.compareTo(b);
    }

    private static int comparePart(String a, String b) {
        boolean numbers = !a.isEmpty() && !b.isEmpty() && a.chars().allMatch(Character::isDigit)
                && b.chars().allMatch(Character::isDigit);
        if (numbers) {
            String x = a.replaceFirst("^0+(?=.)", "");
            String y = b.replaceFirst("^0+(?=.)", "");
            return x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
        }
        return a.compareTo(b);
    }
}
