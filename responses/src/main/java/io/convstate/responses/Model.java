package io.convstate.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The host's model call: the one thing a Responses endpoint does that {@link Responses} does not.
 *
 * <p>It is given an OpenAI Responses request body whose {@code input} is the whole history followed
 * by the new input, with {@code store:false} and without {@code previous_response_id} or
 * {@code stream}, the request's other parameters (instructions, tools, temperature, ...) as the
 * client sent them. It returns an OpenAI response object: at least {@code output} (an array of
 * items; an item without an {@code id} gets one), optionally {@code status} ({@code completed} or
 * {@code incomplete}), {@code incomplete_details}, {@code usage}, {@code model} and the settings it
 * applied. The id and created_at it returns are ignored: the layer sets its own.
 *
 * <p>To answer the client with a given error (an upstream 400 relayed as it is), throw a
 * {@link ResponsesError}; any other exception is answered as a 500, and logged. Called from many
 * threads at once.
 */
@FunctionalInterface
public interface Model {

  ObjectNode respond(ObjectNode request) throws Exception;
}
