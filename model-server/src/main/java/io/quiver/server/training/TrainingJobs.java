package io.quiver.server.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quiver.common.error.ApiException;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.error.UnavailableException;
import io.quiver.common.training.TrainingMessages.Job;
import io.quiver.server.config.ServerConfig;
import io.quiver.server.repository.ModelFiles;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Runs training jobs in this process: {@code quiver.training.workers} low-priority threads behind a
 * queue of {@code quiver.training.max-queued}, so inference keeps its threads while a job runs. A job
 * reads its data (URLs only; the rest was read at submission), trains, writes and scores the ONNX
 * file, and publishes it as the next version of its model. Whatever goes wrong in a job fails that
 * job with the reason; nothing escapes into the server.
 */
@ApplicationScoped
public class TrainingJobs {
    private static final Logger LOG = Logger.getLogger(TrainingJobs.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** How long {@code DELETE} waits for a running job to stop before answering. */
    static final long CANCEL_WAIT_MILLIS = 10_000;

    private final ModelPublisher publisher;
    private final ThreadPoolExecutor executor;
    private final int retryAfterSeconds;
    private final int keepFinished;
    private final int maxQueued;
    private final Map<String, TrainingJob> jobs = new LinkedHashMap<>();

    TrainingJobs(ModelPublisher publisher, ServerConfig config) {
        this.publisher = publisher;
        this.retryAfterSeconds = config.training().retryAfterSeconds();
        this.keepFinished = Math.max(0, config.training().keepFinished());
        this.maxQueued = Math.max(0, config.training().maxQueued());
        int workers = Math.max(1, config.training().workers());
        AtomicInteger counter = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.SECONDS,
                maxQueued == 0 ? new java.util.concurrent.SynchronousQueue<>() : new LinkedBlockingQueue<>(maxQueued),
                task -> {
                    Thread thread = new Thread(task, "training-" + counter.incrementAndGet());
                    thread.setDaemon(true);
                    thread.setPriority(Thread.MIN_PRIORITY);
                    return thread;
                });
    }

    /** Queues a job; its view as it was queued. 503 when every worker is busy and the queue is full. */
    Job submit(TrainingRequest request) {
        TrainingJob job = new TrainingJob(UUID.randomUUID().toString(), request);
        Runnable task = () -> run(job);
        job.task(task);
        synchronized (jobs) {
            jobs.put(job.id(), job);
        }
        Job view = job.view();
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            synchronized (jobs) {
                jobs.remove(job.id());
            }
            throw new UnavailableException("training is busy: " + executor.getActiveCount() + " jobs are running and "
                    + executor.getQueue().size() + " are queued (quiver.training.max-queued is " + maxQueued
                    + "); retry later", retryAfterSeconds);
        }
        LOG.infof("training job %s queued: %s of model %s", job.id(), request.algorithm().wireName(), request.modelType());
        return view;
    }

    Job view(String id) {
        return find(id).view();
    }

    List<Job> list() {
        List<TrainingJob> all;
        synchronized (jobs) {
            all = new ArrayList<>(jobs.values());
        }
        return all.stream().map(TrainingJob::view).toList();
    }

    /**
     * Cancels a queued job at once, or stops a running one at its next gradient step, waiting a
     * little for it to stop; a finished job cannot be cancelled (409).
     */
    Job cancel(String id) {
        TrainingJob job = find(id);
        if (job.cancelQueued()) {
            executor.remove(job.task());
            LOG.infof("training job %s cancelled before it started", id);
            return job.view();
        }
        if (job.finished()) {
            throw new ConflictException("training job " + id + " has already " + job.state().wire()
                    + "; only a queued or running job can be cancelled");
        }
        job.requestCancel();
        try {
            job.awaitFinished(CANCEL_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return job.view();
    }

    private TrainingJob find(String id) {
        synchronized (jobs) {
            TrainingJob job = jobs.get(id);
            if (job == null) {
                throw new NotFoundException("no training job '" + Algorithm.abbreviate(id) + "'");
            }
            return job;
        }
    }

    private void run(TrainingJob job) {
        if (!job.start()) {
            return;
        }
        Path staging = null;
        try {
            TrainingRequest request = job.request();
            TrainingData data = request.data().get();
            job.checkCancelled();
            Learners.Trained trained = Learners.train(request, data, job);
            job.checkCancelled();
            job.progress(TrainingJob.TRAINING_SHARE);
            staging = publisher.staging(job.id());
            Files.write(staging.resolve(ModelFiles.MODEL_FILE), trained.onnx());
            Map<String, Object> metrics = Evaluation.evaluate(staging.resolve(ModelFiles.MODEL_FILE),
                    request.algorithm().task(), trained);
            job.metrics(metrics);
            job.progress(0.95);
            Files.write(staging.resolve(ModelFiles.DESCRIPTOR_FILE),
                    JSON.writeValueAsBytes(descriptor(request, data, trained, metrics)));
            String version = publisher.publish(request.modelType(), staging, job);
            staging = null;
            job.succeeded(version);
            LOG.infof("training job %s published %s version %s: %s", job.id(), request.modelType(), version, metrics);
        } catch (TrainingCancelled e) {
            job.cancelled();
            LOG.infof("training job %s cancelled", job.id());
        } catch (Throwable e) {
            job.failed(reason(e));
            if (e instanceof ApiException) {
                LOG.warnf("training job %s failed: %s", job.id(), e.getMessage());
            } else {
                LOG.errorf(e, "training job %s failed", job.id());
            }
        } finally {
            if (staging != null) {
                try {
                    ModelPublisher.discard(staging);
                } catch (IOException e) {
                    LOG.warnf("cannot remove %s: %s", staging, e.getMessage());
                }
            }
            forgetOldJobs();
        }
    }

    /** The model.json of the new version. */
    private static Map<String, Object> descriptor(TrainingRequest request, TrainingData data, Learners.Trained trained,
                                                  Map<String, Object> metrics) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("model_type", request.modelType());
        d.put("description", request.description() != null ? request.description() : describe(request, data));
        d.put("algorithm", request.algorithm().wireName());
        if (data instanceof TrainingData.Tabular tabular) {
            d.put("target", tabular.target());
            d.put("features", tabular.features());
            if (!trained.labels().isEmpty()) {
                d.put("labels", trained.labels());
            }
        } else {
            TrainingData.Series series = (TrainingData.Series) data;
            d.put("target", series.name());
            d.put("input_layout", "window");
            d.put("window", series.window());
            d.put("horizon", series.horizon());
        }
        d.put("hyperparameters", request.hyperparameters().asMap(request.algorithm()));
        d.put("metrics", metrics);
        d.put("trained_at", Instant.now().toString());
        return d;
    }

    private static String describe(TrainingRequest request, TrainingData data) {
        String on = " trained on " + request.dataSource();
        if (data instanceof TrainingData.Tabular tabular) {
            return request.algorithm().wireName() + " predicting " + tabular.target() + " from " + tabular.features() + on;
        }
        TrainingData.Series series = (TrainingData.Series) data;
        return request.algorithm().wireName() + " forecasting the next " + series.horizon() + " value(s) of "
                + series.name() + " from the last " + series.window() + on;
    }

    private static String reason(Throwable e) {
        if (e instanceof ApiException) {
            return e.getMessage();
        }
        if (e instanceof OutOfMemoryError) {
            return "training ran out of memory; use fewer rows or features";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private void forgetOldJobs() {
        synchronized (jobs) {
            long finished = jobs.values().stream().filter(TrainingJob::finished).count();
            Iterator<TrainingJob> it = jobs.values().iterator();
            while (finished > keepFinished && it.hasNext()) {
                if (it.next().finished()) {
                    it.remove();
                    finished--;
                }
            }
        }
    }

    @PreDestroy
    void stop() {
        synchronized (jobs) {
            jobs.values().forEach(TrainingJob::requestCancel);
        }
        executor.shutdownNow();
    }
}
