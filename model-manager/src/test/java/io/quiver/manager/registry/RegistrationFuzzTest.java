package io.quiver.manager.registry;

import static io.quiver.common.fuzz.ClientFaults.LONGEST_RUN;
import static io.quiver.common.fuzz.ClientFaults.refusedOrBound;
import static io.quiver.common.fuzz.ClientFaults.typedBody;

import com.code_intelligence.jazzer.junit.FuzzTest;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.net.URI;
import java.time.Instant;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * The bodies of {@code POST /services/register} and {@code PUT /services/{id}/heartbeat}, bound and
 * checked as the REST layer does (the service's mapper configuration, then the records'
 * constraints, each broken one a 400), then made into the registry's record: a record, or a 4xx.
 */
class RegistrationFuzzTest {
    /** Bean Validation without expression language, which the constraints' fixed messages do not need. */
    private static final Validator VALIDATOR = Validation.byProvider(HibernateValidator.class).configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();

    @FuzzTest(maxDuration = LONGEST_RUN)
    void registerBody(byte[] body) {
        refusedOrBound(() -> {
            Registration registration = typedBody(body, Registration.class);
            if (registration == null || !VALIDATOR.validate(registration).isEmpty()) {
                return; // a 400 naming each field that breaks its constraint
            }
            ServiceRecord record = registration.fromOutsideDiscovery().toRecord(Instant.EPOCH);
            // What ServiceRegistry#register does with the URL before its destination policy sees it.
            URI.create(record.serviceUrl());
        });
    }

    @FuzzTest(maxDuration = LONGEST_RUN)
    void heartbeatBody(byte[] body) {
        refusedOrBound(() -> {
            Heartbeat heartbeat = typedBody(body, Heartbeat.class);
            if (heartbeat == null || !VALIDATOR.validate(heartbeat).isEmpty()) {
                return;
            }
            heartbeat.types();
        });
    }
}
