"""Times ModelInfer calls with a client that is not a JVM (Debian's python3-grpcio), so that a
first call's figure is the server's and not the client's own JIT.

  grpc_first_call.py first  HOST:PORT REQUEST_FILE   one call on a new channel, connected before
                                                     the clock starts: its milliseconds
  grpc_first_call.py steady HOST:PORT REQUEST_FILE   the median of 300 calls on one channel, then
                                                     the median first call of five new channels

REQUEST_FILE holds one serialized ModelInferRequest (bench's GrpcRequests writes them). Calls go
out as those bytes, with no stubs; a failed call exits non-zero with gRPC's status.
"""
import statistics
import sys
import time

import grpc

METHOD = "/inference.GRPCInferenceService/ModelInfer"


def connected(target):
    channel = grpc.insecure_channel(target)
    grpc.channel_ready_future(channel).result(timeout=10)
    return channel, channel.unary_unary(METHOD)


def timed(call, message):
    started = time.perf_counter()
    call(message, timeout=10)
    return (time.perf_counter() - started) * 1000


def first_call(target, message):
    channel, call = connected(target)
    try:
        return timed(call, message)
    finally:
        channel.close()


def main():
    mode, target, request_file = sys.argv[1:4]
    with open(request_file, "rb") as f:
        message = f.read()
    try:
        if mode == "first":
            print(f"{first_call(target, message):.2f}")
        elif mode == "steady":
            channel, call = connected(target)
            steady = statistics.median(timed(call, message) for _ in range(300))
            channel.close()
            fresh = statistics.median(first_call(target, message) for _ in range(5))
            print(f"{steady:.3f} {fresh:.2f}")
        else:
            sys.exit(f"unknown mode {mode}: first or steady")
    except grpc.RpcError as e:
        sys.exit(f"ModelInfer failed: {e.code().name}: {e.details()}")


if __name__ == "__main__":
    main()
