/**
 * The model-server as an AWS Lambda function behind API Gateway's HTTP API: the example models
 * packaged in the function are put where the server reads its repository, and the function's init
 * phase lasts until they are loaded, so that the first event is answered by a ready server.
 */
package io.quiver.lambda;
