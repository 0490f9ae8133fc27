"""A stand-in for MLServer's architecture, not MLServer.

MLServer cannot be installed here (no Python package index is reachable), but the parts its REST
path is made of can, from Debian's packages: FastAPI on uvicorn with httptools and uvloop, the V2
(Open Inference Protocol) request and response bound to pydantic models, and a scikit-learn
estimator whose predict() is called with the decoded numpy array. This file wires those parts the
way MLServer 1.x wires them by default, so that the benchmark can set Quiver beside that
architecture. What it mirrors, from MLServer's own sources (mlserver/settings.py, rest/server.py,
rest/app.py, parallel/dispatcher.py, parallel/worker.py):

- one uvicorn server in one process, whatever the number of cores (MLServer starts
  uvicorn.Server itself, never uvicorn's worker processes), with uvloop and httptools, access log
  off (debug is False by default), GZip middleware on (gzip_enabled is True by default);
- parallel_workers=1 by default: inference runs in a pool of one separate worker process, the
  request and response crossing multiprocessing queues as pickled pydantic models, answers read
  back by a thread and handed to the event loop; parallel_workers=0 runs inference in the HTTP
  process itself (MLServer's setting of the same name and meaning);
- the sklearn runtime's path: numpy array from the V2 input (dtype from its datatype, reshaped to
  its shape), estimator.predict, output "predict" as a [n, 1] tensor of its dtype.

What it leaves out, each of which MLServer does and which would only slow it down: the Prometheus
middleware and per-model metrics, request-id headers, the model registry's versions and locks,
adaptive batching hooks, and the worker's own asyncio loop (this worker is a plain blocking loop).

The model is a linear regression whose coefficients the benchmark reads from the very ONNX file
the model-server serves (io.quiver.bench.LinearCoefficients), set on a LinearRegression: the same
fitted model, in the form MLServer's sklearn runtime would hold it.

    python3 mlserver_standin.py --port 8080 --model house_price --coefficients coef.json
"""

import argparse
import asyncio
import json
import multiprocessing
import uuid
from concurrent.futures import ThreadPoolExecutor
from enum import Enum
from itertools import cycle
from typing import Any, Dict, List, Optional, Union

import numpy as np
import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Extra
from sklearn.linear_model import LinearRegression
from starlette.middleware.gzip import GZipMiddleware


# --- the V2 types, as MLServer declares them (mlserver/types/dataplane.py) ---------------------

class Datatype(Enum):
    BOOL = "BOOL"
    UINT8 = "UINT8"
    UINT16 = "UINT16"
    UINT32 = "UINT32"
    UINT64 = "UINT64"
    INT8 = "INT8"
    INT16 = "INT16"
    INT32 = "INT32"
    INT64 = "INT64"
    FP16 = "FP16"
    FP32 = "FP32"
    FP64 = "FP64"
    BYTES = "BYTES"


class Parameters(BaseModel):
    class Config:
        extra = Extra.allow

    content_type: Optional[str] = None
    headers: Optional[Dict[str, Any]] = None


class Tensor(BaseModel):
    """The fields MLServer's RequestInput and ResponseOutput both declare, the same way."""

    name: str
    shape: List[int]
    datatype: Datatype
    parameters: Optional[Parameters] = None
    data: Union[List, Any]


class RequestInput(Tensor):
    pass


class RequestOutput(BaseModel):
    name: str
    parameters: Optional[Parameters] = None


class InferenceRequest(BaseModel):
    id: Optional[str] = None
    parameters: Optional[Parameters] = None
    inputs: List[RequestInput]
    outputs: Optional[List[RequestOutput]] = None


class ResponseOutput(Tensor):
    pass


class InferenceResponse(BaseModel):
    model_name: str
    model_version: Optional[str] = None
    id: Optional[str] = None
    parameters: Optional[Parameters] = None
    outputs: List[ResponseOutput]


# --- the sklearn runtime's predict, with NumpyCodec's decoding and encoding ---------------------

NUMPY_DTYPES = {
    "BOOL": "bool", "UINT8": "uint8", "UINT16": "uint16", "UINT32": "uint32", "UINT64": "uint64",
    "INT8": "int8", "INT16": "int16", "INT32": "int32", "INT64": "int64",
    "FP16": "float16", "FP32": "float32", "FP64": "float64",
}
DATATYPES = {np.dtype(v): k for k, v in NUMPY_DTYPES.items()}


class BadRequest(Exception):
    pass


class SKLearnModel:
    def __init__(self, name: str, estimator: LinearRegression):
        self.name = name
        self.estimator = estimator

    def predict(self, payload: InferenceRequest) -> InferenceResponse:
        if len(payload.inputs) != 1:
            raise BadRequest(f"{self.name} takes one input, not {len(payload.inputs)}")
        request_input = payload.inputs[0]
        dtype = NUMPY_DTYPES.get(request_input.datatype.value)
        if dtype is None:
            raise BadRequest(f"datatype {request_input.datatype.value} is not numeric")
        try:
            features = np.array(request_input.data, dtype=dtype).reshape(request_input.shape)
        except (ValueError, TypeError) as e:
            raise BadRequest(f"input {request_input.name}: {e}") from e
        if features.ndim != 2 or features.shape[1] != self.estimator.n_features_in_:
            raise BadRequest(f"input {request_input.name} must be [n, {self.estimator.n_features_in_}], "
                             f"not {list(features.shape)}")
        prediction = self.estimator.predict(features)
        if prediction.ndim == 1:
            prediction = prediction.reshape(-1, 1)
        output = ResponseOutput(name="predict", shape=list(prediction.shape),
                                datatype=DATATYPES[prediction.dtype], data=prediction.flatten().tolist())
        return InferenceResponse(model_name=self.name, outputs=[output])


def load_model(name: str, coefficients: str) -> SKLearnModel:
    with open(coefficients) as f:
        linear = json.load(f)
    estimator = LinearRegression()
    estimator.coef_ = np.array(linear["coef"], dtype=np.float64)
    estimator.intercept_ = float(linear["intercept"])
    estimator.n_features_in_ = len(linear["coef"])
    return SKLearnModel(name, estimator)


# --- the inference pool (MLServer's parallel_workers) --------------------------------------------

def worker_main(name: str, coefficients: str, requests, responses) -> None:
    """One inference worker: takes (id, request) from its queue, answers (id, response, error)."""
    model = load_model(name, coefficients)
    while True:
        message = requests.get()
        if message is None:
            return
        message_id, payload = message
        try:
            responses.put((message_id, model.predict(payload), None))
        except BadRequest as e:
            responses.put((message_id, None, str(e)))


class InferencePool:
    """Round-robin over worker processes; a thread reads the shared answer queue, as MLServer's
    Dispatcher does, and resolves each request's future on the event loop."""

    def __init__(self, workers: int, name: str, coefficients: str):
        self._responses = multiprocessing.Queue()
        self._queues = []
        self._processes = []
        for _ in range(workers):
            requests = multiprocessing.Queue()
            process = multiprocessing.Process(target=worker_main, args=(name, coefficients, requests, self._responses),
                                              daemon=True)
            process.start()
            self._queues.append(requests)
            self._processes.append(process)
        self._next = cycle(self._queues)
        self._futures: Dict[str, asyncio.Future] = {}
        self._executor = ThreadPoolExecutor(max_workers=1)

    def start(self) -> None:
        asyncio.get_running_loop().create_task(self._read_responses())

    async def _read_responses(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            message = await loop.run_in_executor(self._executor, self._responses.get)
            if message is None:
                return
            message_id, response, error = message
            future = self._futures.pop(message_id, None)
            if future is None or future.done():
                continue
            if error is not None:
                future.set_exception(BadRequest(error))
            else:
                future.set_result(response)

    def stop(self) -> None:
        """Ends the workers and the reading thread, which would otherwise keep the process alive."""
        for requests in self._queues:
            requests.put(None)
        self._responses.put(None)
        self._executor.shutdown(wait=False)

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        message_id = uuid.uuid4().hex
        future = asyncio.get_running_loop().create_future()
        self._futures[message_id] = future
        next(self._next).put((message_id, payload))
        return await future


class InProcess:
    """parallel_workers=0: inference in the HTTP process, on its event loop."""

    def __init__(self, name: str, coefficients: str):
        self._model = load_model(name, coefficients)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        return self._model.predict(payload)


# --- the REST server ---------------------------------------------------------------------------

class Response(JSONResponse):
    """MLServer's response class: its own JSON encoding (json, as orjson is not installed here)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":")).encode("utf-8")


class V2Route(APIRoute):
    """MLServer's route class: responses without unset or null fields, in its Response class."""

    def __init__(self, *args, **kwargs):
        kwargs.update(response_model_exclude_unset=True, response_model_exclude_none=True, response_class=Response)
        super().__init__(*args, **kwargs)


def create_app(model_name: str, runner) -> FastAPI:
    app = FastAPI(title="A stand-in for MLServer's architecture, not MLServer", default_response_class=Response)
    app.router.route_class = V2Route

    @app.on_event("startup")
    async def start_runner():
        runner.start()

    @app.on_event("shutdown")
    async def stop_runner():
        runner.stop()

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest):
        return Response(status_code=400, content={"error": str(exc)})

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        return Response(status_code=422, content={"error": str(exc)})

    @app.get("/v2/health/live")
    async def live():
        return Response(status_code=200, content={})

    @app.get("/v2/health/ready")
    async def ready():
        return Response(status_code=200, content={})

    @app.post("/v2/models/{name}/infer", response_model=InferenceResponse)
    async def infer(name: str, payload: InferenceRequest) -> InferenceResponse:
        if name != model_name:
            return Response(status_code=404, content={"error": f"Model {name} not found"})
        if payload.id is None:
            payload.id = str(uuid.uuid4())
        response = await runner.predict(payload)
        response.id = payload.id
        return response

    app.add_middleware(GZipMiddleware)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model", required=True, help="the model's name in /v2/models/{name}/infer")
    parser.add_argument("--coefficients", required=True, help="JSON {coef: [...], intercept: x}")
    parser.add_argument("--parallel-workers", type=int, default=1,
                        help="inference worker processes, as MLServer's parallel_workers (default 1; 0: in process)")
    args = parser.parse_args()
    if args.parallel_workers > 0:
        runner = InferencePool(args.parallel_workers, args.model, args.coefficients)
    else:
        runner = InProcess(args.model, args.coefficients)
    config = uvicorn.Config(create_app(args.model, runner), host=args.host, port=args.port,
                            loop="uvloop", http="httptools", access_log=False, log_level="warning")
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
