package io.convstate.benchmarks;

import io.convstate.InputItems;
import io.convstate.Turn;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Realistic Responses items, made deterministically from a seed: user messages, assistant
 * messages, function calls and outputs, reasoning items with an encrypted blob, and one large
 * tool output. Run as a program it prints the micro benchmarks' history payload (for pgbench).
 */
public final class Payloads {

  /** Size of the one large tool output of a conversation (turn 3). */
  static final int LARGE_TOOL_OUTPUT = 64 * 1024;

  private Payloads() {}

  public static void main(String[] args) {
    System.out.println(history().toJson());
  }

  /** n response ids shaped like real ones, spread over the hash space. */
  static String[] responseIds(int n) {
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] = "resp_" + Long.toHexString(0x1000_0000_0000L + i * 7919L);
    }
    return ids;
  }

  /** Turns in the micro benchmarks' conversation. */
  static final int HISTORY_TURNS = 12;

  /** The history of the micro benchmarks as one items array: 24 items, about 7 KiB (the seed's row). */
  static InputItems history() {
    InputItems items = InputItems.empty();
    for (Turn turn : turns("resp", null)) {
      items = items.concat(turn.input()).concat(turn.output());
    }
    return items;
  }

  /**
   * The conversation of the micro benchmarks: {@value #HISTORY_TURNS} turns of a user message (or
   * a small tool output) and an answer, 24 items and about 7 KiB in all, without the large tool
   * output; chained under the ids {@code prefix_1} to {@code prefix_12}. The same items for every
   * prefix.
   */
  static List<Turn> turns(String prefix, String owner) {
    List<Turn> turns = new ArrayList<>(HISTORY_TURNS);
    for (int turn = 1; turn <= HISTORY_TURNS; turn++) {
      turns.add(Turn.builder(prefix + "_" + turn)
          .previousResponseId(turn == 1 ? null : prefix + "_" + (turn - 1))
          .owner(owner)
          .input(HistoryItems.ITEMS[turn - 1][0])
          .output(HistoryItems.ITEMS[turn - 1][1])
          .model("gpt-4o")
          .provider("openai")
          .createdAt(1_700_000_000L + turn)
          .build());
    }
    return turns;
  }

  /** The input and output of each turn of {@link #turns}, made once. */
  private static final class HistoryItems {
    static final InputItems[][] ITEMS = make();

    private static InputItems[][] make() {
      Random random = new Random(42);
      InputItems[][] items = new InputItems[HISTORY_TURNS][];
      for (int turn = 1; turn <= HISTORY_TURNS; turn++) {
        items[turn - 1] = new InputItems[] {userInput(turn, random, false), modelOutput(turn, random, false)};
      }
      return items;
    }
  }

  /** One short turn continuing {@code previous}: a user message and an assistant message. */
  static Turn nextTurn(String responseId, String previous, String owner) {
    return Turn.builder(responseId)
        .previousResponseId(previous)
        .owner(owner)
        .input(NEXT_INPUT)
        .output(NEXT_OUTPUT)
        .model("gpt-4o")
        .provider("openai")
        .createdAt(1_700_000_100L)
        .build();
  }

  private static final InputItems NEXT_INPUT = InputItems.parse(
      "[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"next\"}]}]");
  private static final InputItems NEXT_OUTPUT = InputItems.parse(
      "[{\"type\":\"message\",\"role\":\"assistant\",\"status\":\"completed\",\"content\":[{\"type\":\"output_text\","
          + "\"text\":\"noted\",\"annotations\":[]}]}]");

  /**
   * What a client sends on one turn: a user message, or the output of the call made last turn
   * (on turn 5, the conversation's one large tool output when {@code largeToolOutput} is set).
   */
  static InputItems userInput(int turn, Random random, boolean largeToolOutput) {
    if (turn % 5 == 0) {
      return InputItems.parse("[{\"type\":\"function_call_output\",\"call_id\":\"call_" + (turn - 1) + "\",\"output\":\""
          + (turn == 5 && largeToolOutput ? "x".repeat(LARGE_TOOL_OUTPUT) : "{\\\"temperature\\\":" + random.nextInt(40) + ",\\\"condition\\\":\\\"rain\\\"}")
          + "\"}]");
    }
    return InputItems.parse("[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\""
        + words(random, 25) + "\"}]}]");
  }

  /**
   * What the model answers on one turn: a reasoning item with about 2 KiB of encrypted content,
   * then a function call (every fifth turn less one) or an assistant message.
   */
  static InputItems modelOutput(int turn, Random random, boolean reasoning) {
    StringBuilder json = new StringBuilder("[");
    if (reasoning) {
      byte[] blob = new byte[1536];
      random.nextBytes(blob);
      json.append("{\"type\":\"reasoning\",\"id\":\"rs_").append(turn).append("\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"")
          .append(words(random, 12)).append("\"}],\"encrypted_content\":\"").append(Base64.getEncoder().encodeToString(blob)).append("\"},");
    }
    if (turn % 5 == 4) {
      json.append("{\"type\":\"function_call\",\"id\":\"fc_").append(turn).append("\",\"call_id\":\"call_").append(turn)
          .append("\",\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"Paris\\\"}\",\"status\":\"completed\"}");
    } else {
      json.append("{\"type\":\"message\",\"id\":\"msg_").append(turn).append("\",\"status\":\"completed\",\"role\":\"assistant\",")
          .append("\"content\":[{\"type\":\"output_text\",\"text\":\"").append(words(random, 60)).append("\",\"annotations\":[]}]}");
    }
    return InputItems.parse(json.append(']').toString());
  }

  private static final String[] WORDS = {
      "the", "weather", "in", "Paris", "is", "light", "rain", "with", "a", "high", "of", "eighteen", "degrees",
      "take", "an", "umbrella", "and", "ask", "again", "tomorrow", "Python", "code", "function", "returns", "value"};

  private static String words(Random random, int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      text.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
    }
    return text.toString();
  }
}
