package io.quiver.manager.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.grpc.inference.GRPCInferenceServiceGrpc;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.manager.testing.TempDataDir;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
@TestProfile(TokensRequired.class)
@WithTestResource(TempDataDir.class)
class ApiAccessNeedsTheRightTokenTest {
    private static final Map<String, Object> REGISTRATION = Map.of("service_id", "auth_probe",
            "service_url", "http://127.0.0.1:9", "model_type", "regression");
    private static final String FORECAST = "{\"model_type\": \"LSTM\", \"data\": [0.0, 0.1, 0.2]}";

    @ParameterizedTest
    @ValueSource(strings = {"/predict", "/services/register", "/train", "/v2/models/x/infer", "/api/v1/predictions"})
    void withoutATokenEveryApiCallIs401WithTheJsonError(String path) {
        given().contentType(ContentType.JSON).body("{}").post(path).then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("error", containsString("Authorization: Bearer"))
                .body("request_id", notNullValue());
    }

    @Test
    void anUnknownTokenIs401() {
        as("not-a-token").get("/services").then().statusCode(401)
                .body("error", containsString("not one the manager knows"));
        given().auth().preemptive().basic("control", TokensRequired.CONTROL).get("/services").then().statusCode(401);
    }

    @Test
    void theHealthEndpointsNeedNoToken() {
        given().get("/health").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/health/ready").then().statusCode(200);
    }

    @Test
    void theApiDocumentationNeedsNoToken() {
        given().get("/openapi.json").then().statusCode(200).contentType(ContentType.JSON)
                .body("paths", notNullValue());
        given().get("/docs/").then().statusCode(200).contentType(ContentType.HTML);
        given().get("/docs/../services").then().statusCode(401);
    }

    @Test
    void theDashboardPageLoadsWithoutATokenButItsDataNeedsTheControlToken() {
        // A browser cannot send a bearer token when it loads a page; the page holds no data and asks for one.
        given().redirects().follow(false).get("/dashboard").then().statusCode(302).header("Location", "/dashboard/");
        given().get("/dashboard/").then().statusCode(200).contentType(ContentType.HTML)
                .body(containsString("Control token"));
        given().get("/dashboard/dashboard.js").then().statusCode(200);
        given().get("/dashboard/api/summary").then().statusCode(401);
        given().urlEncodingEnabled(false).get("/dashboard/%61pi/summary").then().statusCode(401);
        given().get("/dashboard/../services").then().statusCode(401);
        as(TokensRequired.DATA).get("/dashboard/api/summary").then().statusCode(403);
        as(TokensRequired.CONTROL).get("/dashboard/api/summary").then().statusCode(200)
                .body("services.service_id", hasItem("lstm_model"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/services", "/services/register", "/train", "/experiments", "/deployments/x",
            "/models/house_price/versions/1", "/deploy/house_price/1", "/undeploy/house_price-1", "/get_model_list",
            "/get_model_version_list/house_price", "/get_deployed_models"})
    void aDataTokenCannotUseTheControlApi(String path) {
        as(TokensRequired.DATA).body(REGISTRATION).post(path).then().statusCode(403)
                .body("error", containsString("control API"))
                .body("request_id", notNullValue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"//services/register", "/services;v=1/register", "/%73ervices/register",
            "/predict/../services/register", "/SERVICES/register", "/./services/register"})
    void aDataTokenCannotReachTheControlApiByAnotherSpelling(String path) {
        as(TokensRequired.DATA).urlEncodingEnabled(false).body(REGISTRATION).post(path).then().statusCode(403);
        as(TokensRequired.CONTROL).get("/services/auth_probe").then().statusCode(404);
    }

    @Test
    void aDataTokenSendsModelTraffic() {
        // The services file's LSTM service listens nowhere: past the token check the manager tries it.
        as(TokensRequired.DATA).body(FORECAST).post("/predict").then().statusCode(anyOf(equalTo(502), equalTo(503)))
                .body("error", notNullValue());
    }

    @Test
    void aControlTokenRegistersAndAlsoSendsModelTraffic() {
        as(TokensRequired.CONTROL).body(REGISTRATION).post("/services/register").then().statusCode(201);
        as(TokensRequired.CONTROL).delete("/services/auth_probe").then().statusCode(200);
        as(TokensRequired.CONTROL).body(FORECAST).post("/predict").then().statusCode(not(403));
    }

    @Test
    void gRpcCallsNeedATokenInTheirAuthorizationMetadata() throws InterruptedException {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
        try {
            ModelInferRequest call = ModelInferRequest.newBuilder().setModelName("nothing_serves_this").build();
            StatusRuntimeException anonymous = assertThrows(StatusRuntimeException.class,
                    () -> GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(call));
            assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getStatus().getCode());
            assertTrue(anonymous.getStatus().getDescription().contains("Bearer"), anonymous::toString);

            StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                    () -> withToken(channel, "not-a-token").modelInfer(call));
            assertEquals(Status.Code.UNAUTHENTICATED, unknown.getStatus().getCode());

            // A data token passes: the call reaches routing, which finds no service for the model.
            StatusRuntimeException routed = assertThrows(StatusRuntimeException.class,
                    () -> withToken(channel, TokensRequired.DATA).modelInfer(call));
            assertEquals(Status.Code.NOT_FOUND, routed.getStatus().getCode(), routed::toString);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub withToken(ManagedChannel channel,
                                                                                      String token) {
        Metadata metadata = new Metadata();
        metadata.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata));
    }

    private static RequestSpecification as(String token) {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token);
    }
}
