package io.quiver.server.training;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.S3rverProcess;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.S3Bucket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A store that refuses the server's S3 key: the client learns so at submission, without the secret. */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
@WithTestResource(TrainingFromS3WithRefusedKeyTest.WrongKey.class)
class TrainingFromS3WithRefusedKeyTest {
    static final String SECRET = "wrong-secret-93d2";

    /** s3rver with the bucket, and the server given a key pair it does not know (it checks the key id). */
    public static class WrongKey implements QuarkusTestResourceLifecycleManager {
        private static S3rverProcess server;

        @Override
        public Map<String, String> start() {
            server = new S3rverProcess(S3Bucket.BUCKET);
            return Map.of("quiver.s3.endpoint", server.endpoint(),
                    "quiver.s3.access-key-id", "AKIANOTAKNOWNKEY",
                    "quiver.s3.secret-access-key", SECRET);
        }

        @Override
        public void stop() {
            server.close();
        }
    }

    @Test
    void refusedCredentialsAre502NamingTheBucketWithoutTheSecret() {
        String error = TrainingFromS3Test.refused(502, "s3://" + S3Bucket.BUCKET + "/datasets/plane.csv");
        assertTrue(error.contains("refused the credentials for bucket '" + S3Bucket.BUCKET + "'"), error);
        assertFalse(error.contains(SECRET), error);
    }
}
