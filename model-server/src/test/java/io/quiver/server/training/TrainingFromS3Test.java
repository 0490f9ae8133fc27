package io.quiver.server.training;

import static io.quiver.server.training.JobsClient.body;
import static io.quiver.server.training.JobsClient.post;
import static io.quiver.server.training.JobsClient.predict;
import static io.quiver.server.training.JobsClient.regressionOnY;
import static io.quiver.server.training.JobsClient.rows;
import static io.quiver.server.training.JobsClient.train;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.S3Bucket;
import io.quiver.server.testing.Wire;
import io.restassured.response.Response;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import org.junit.jupiter.api.Test;

/** Training data from {@code s3://} objects, read from a real S3 server (s3rver) that the test resource starts. */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
@WithTestResource(S3Bucket.class)
class TrainingFromS3Test {

    /** The rows as CSV, columns y, a, b. */
    static String csv(ArrayNode data) {
        StringBuilder csv = new StringBuilder("y,a,b\n");
        for (JsonNode row : data) {
            csv.append(row.path("y").asDouble()).append(',').append(row.path("a").asDouble()).append(',')
                    .append(row.path("b").asDouble()).append('\n');
        }
        return csv.toString();
    }

    static void put(String key, String content) {
        try (S3Client client = S3Bucket.client(S3Bucket.server())) {
            client.putObject(r -> r.bucket(S3Bucket.BUCKET).key(key), RequestBody.fromString(content));
        }
    }

    @Test
    void aCsvObjectTrainsTheSameModelAsTheSameRowsInline() {
        ArrayNode data = rows(300, 17, 0.05, TrainingTabularTest::plane);
        put("datasets/plane.csv", csv(data));
        String uri = "s3://" + S3Bucket.BUCKET + "/datasets/plane.csv";

        JsonNode a = train(body("s3_inline", regressionOnY().set("data", data)));
        JsonNode b = train(body("s3_plane", regressionOnY().put("data_uri", uri)));
        System.out.println("the same rows inline and from S3: " + a.path("metrics") + " / " + b.path("metrics"));

        assertEquals(a.path("metrics"), b.path("metrics"));
        assertEquals(uri, b.path("data").asText());
        JsonNode answer = predict("s3_plane", Wire.object().put("a", 0.4).put("b", -1.3));
        assertEquals(TrainingTabularTest.plane(0.4, -1.3), answer.path("predictions").get(0).asDouble(), 0.2, answer::toString);
    }

    @Test
    void aMissingObjectIs400NamingIt() {
        String uri = "s3://" + S3Bucket.BUCKET + "/datasets/none.csv";
        String error = refused(400, uri);
        assertTrue(error.contains("config.data_uri: there is no S3 object " + uri), error);
    }

    @Test
    void aBucketWithoutAKeyIs400() {
        String error = refused(400, "s3://" + S3Bucket.BUCKET);
        assertTrue(error.contains("names a bucket; name the object"), error);
    }

    static String refused(int status, String uri) {
        Response response = post(body("s3_refused", regressionOnY().put("data_uri", uri)));
        String answer = response.asString();
        assertEquals(status, response.statusCode(), answer);
        return Wire.read(answer).path("error").asText();
    }
}
