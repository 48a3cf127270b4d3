package io.convstate;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON settings every convstate store validates with, for code that parses what it will hand
 * to a store (a Responses layer reading request bodies): exact numbers (no double rounding, no
 * stripped zeros), duplicate keys rejected, no limit on string or document length.
 *
 * <p>Thread-safe. Each call returns a new mapper that the caller owns; changing it changes no
 * other.
 */
public final class StrictJson {

  private StrictJson() {}

  /** A new mapper with convstate's strict settings. */
  public static ObjectMapper newMapper() {
    return Json.MAPPER.copy();
  }
}
