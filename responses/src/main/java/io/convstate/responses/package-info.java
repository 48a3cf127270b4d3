/**
 * The Responses layer: everything an OpenAI Responses endpoint does besides calling the model, on a
 * {@link io.convstate.StateStore}. Start at {@link io.convstate.responses.Responses}; the host
 * supplies a {@link io.convstate.responses.Model} and each caller's owner
 * ({@link io.convstate.responses.ApiKeyOwner} hashes API keys), and writes each
 * {@link io.convstate.responses.Reply}. Every failure is answered through one mapping,
 * {@link io.convstate.responses.ResponsesErrors}.
 */
package io.convstate.responses;
