package io.convstate.responses;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What to answer an HTTP request with: a status, a content type and a body. A JSON reply holds its
 * body; a stream reply ({@code text/event-stream}) does its work while {@link #writeTo} writes it:
 * send the status and headers first, with no content length, then call {@link #writeTo}.
 *
 * <p>A JSON reply is immutable and thread-safe; a stream reply is written once, by one thread.
 */
public final class Reply {

  /** The content type of JSON replies. */
  public static final String JSON = "application/json";
  /** The content type of server-sent events. */
  public static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

  /** The body of a stream reply: writes server-sent events to {@code out} as they happen. */
  @FunctionalInterface
  interface StreamBody {
    void writeTo(OutputStream out) throws IOException;
  }

  private final int status;
  private final String json;
  private final StreamBody stream;

  private Reply(int status, String json, StreamBody stream) {
    this.status = status;
    this.json = json;
    this.stream = stream;
  }

  static Reply json(int status, String json) {
    return new Reply(status, Objects.requireNonNull(json, "json"), null);
  }

  static Reply stream(StreamBody body) {
    return new Reply(200, null, Objects.requireNonNull(body, "body"));
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** {@link #JSON} or {@link #EVENT_STREAM}. */
  public String contentType() {
    return stream == null ? JSON : EVENT_STREAM;
  }

  /** Whether this is a stream of server-sent events, whose length is not known in advance. */
  public boolean isStream() {
    return stream != null;
  }

  /**
   * The JSON body.
   *
   * @throws IllegalStateException for a stream reply, whose body exists only as it is written
   */
  public String body() {
    if (stream != null) {
      throw new IllegalStateException("a stream reply has no body until it is written");
    }
    return json;
  }

  /** The JSON body as UTF-8 bytes (for a content length). */
  public byte[] bytes() {
    return body().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Writes the body. For a stream reply this runs the request: it calls the model, writes each
   * event as it is ready and records the response once every output event was written. An
   * {@link IOException} from {@code out} (the client went away) stops it, and then nothing is
   * recorded unless the output was already written in full.
   */
  public void writeTo(OutputStream out) throws IOException {
    if (stream == null) {
      out.write(bytes());
    } else {
      stream.writeTo(out);
    }
    out.flush();
  }

  @Override
  public String toString() {
    return "Reply[" + status + ", " + contentType() + "]";
  }
}
