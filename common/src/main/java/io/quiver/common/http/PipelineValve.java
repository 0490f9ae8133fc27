package io.quiver.common.http;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Sits between Netty's HTTP/1.x decoder and Vert.x on one connection and hands Vert.x a request
 * only once the answer to the one before has been written, and the socket's send buffer is not
 * full; the requests a client pipelines meanwhile wait here, in order, and the connection is not
 * read while any wait. So a connection holds at most the requests of one read (64 KiB of bytes)
 * and one answer beyond what the socket takes, whether or not its client reads.
 *
 * <p>Left to itself, Vert.x 4.5 reads pipelined requests for as long as they come, queues each
 * behind the answer in progress, and pauses the connection only for body chunks: a client that
 * pipelines and never reads filled a 96 MB heap within seconds. Its queue also links each request
 * to the next and never unlinks them, so anything that keeps one old request (a worker thread's last
 * task does) keeps every request the connection received after it, answered or not. Handed on one
 * at a time, requests are never queued in Vert.x and never linked.
 *
 * <p>Reading is stopped through the channel's auto-read, which Vert.x also turns off and on for its
 * own back-pressure on request bodies. While the valve holds, a resume by Vert.x (auto-read turned
 * on, which asks for a read) is noted and undone, and honoured when the valve opens. A pause by
 * Vert.x cannot be seen; it can only come while the request being read is handed on, before the
 * valve holds, and the valve then keeps reading off as Vert.x wants until it opens again.
 * Every method runs on the connection's event loop (Netty brings writes from other threads there).
 */
final class PipelineValve extends ChannelDuplexHandler {
    static final String NAME = "quiver-pipeline-valve";

    /** Vert.x's connection: it is locked while an answer ends on a worker thread. */
    private final Object vertxConnection;
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    /** Whether Vert.x has a request whose answer has not been written in full. */
    private boolean answering;
    /** Whether this valve has stopped reading. */
    private boolean stopped;
    /** Whether Vert.x wants the connection read once this valve opens again. */
    private boolean readWanted;

    /** Fitted while Vert.x serves the connection's first request, which is {@code answering}. */
    PipelineValve(Object vertxConnection, boolean answering) {
        this.vertxConnection = vertxConnection;
        this.answering = answering;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!held.isEmpty() || (msg instanceof HttpRequest && !open(ctx))) {
            held.add(msg);
            stopReading(ctx);
            return;
        }
        handOn(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg, promise);
        if (msg instanceof LastHttpContent && !informational(msg)) {
            answering = false;
            if (stopped || !held.isEmpty()) {
                // Vert.x writes an answer's end, then marks the answer complete, and only then takes a
                // new request without queueing it. When the answer ends on a worker thread, the two
                // come to the event loop as separate tasks, both queued while the worker holds the
                // connection's lock: waiting for the lock puts the release after both.
                synchronized (vertxConnection) {
                    ctx.executor().execute(() -> release(ctx));
                }
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && (stopped || !held.isEmpty())) {
            // Not at once: this can come inside a flush inside Vert.x ending an answer.
            ctx.executor().execute(() -> release(ctx));
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (stopped) {
            // Vert.x turned auto-read back on: keep the connection unread until this valve opens.
            readWanted = true;
            ctx.channel().config().setAutoRead(false);
            return;
        }
        ctx.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        discardHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        discardHeld();
    }

    private boolean open(ChannelHandlerContext ctx) {
        return !answering && ctx.channel().isWritable();
    }

    private void handOn(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            answering = true;
        }
        ctx.fireChannelRead(msg);
    }

    /** Hands on what waits here as far as the answers allow, then reads again if nothing waits. */
    private void release(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            discardHeld();
            return;
        }
        boolean handedOn = false;
        while (!held.isEmpty() && (!(held.peek() instanceof HttpRequest) || open(ctx))) {
            handOn(ctx, held.poll());
            handedOn = true;
        }
        if (handedOn) {
            // Vert.x flushes what it wrote meanwhile when a read completes.
            ctx.fireChannelReadComplete();
        }
        if (stopped && held.isEmpty()) {
            stopped = false;
            if (readWanted) {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }

    private void stopReading(ChannelHandlerContext ctx) {
        if (!stopped) {
            stopped = true;
            ChannelConfig config = ctx.channel().config();
            readWanted = config.isAutoRead();
            config.setAutoRead(false);
        }
    }

    private void discardHeld() {
        Object msg;
        while ((msg = held.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    /** A 100 Continue goes before the answer proper, and is not one. */
    private static boolean informational(Object msg) {
        return msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }
}
