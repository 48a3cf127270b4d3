package io.convstate.responses;

import static io.convstate.responses.Fixtures.OTHER_OWNER;
import static io.convstate.responses.Fixtures.OWNER;
import static io.convstate.responses.Fixtures.body;
import static io.convstate.responses.Fixtures.error;
import static io.convstate.responses.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.StoreConfig;
import io.convstate.memory.MemoryStateStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("POST /v1/responses")
class CreateResponseTest {

  private static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");

  private MemoryStateStore store;
  private Responses responses;
  private Fixtures.EchoModel model;

  @BeforeEach
  void setUp() {
    store = new MemoryStateStore(Clock.fixed(NOW, ZoneOffset.UTC), StoreConfig.DEFAULT_MAX_ITEMS_BYTES);
    responses = new Responses(store, "echo", Clock.fixed(NOW, ZoneOffset.UTC));
    model = new Fixtures.EchoModel();
  }

  private JsonNode create(String owner, String json) {
    Reply reply = responses.create(owner, body(json), model);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return json(reply);
  }

  private Reply attempt(String json) {
    return responses.create(OWNER, body(json), model);
  }

  @Nested
  @DisplayName("a created response")
  class Created {

    @Test
    @DisplayName("is OpenAI's response object with a random resp_ id, its own created_at and completed status")
    void isTheResponseObject() {
      JsonNode response = create(OWNER, "{'model':'m1','input':'hello'}");
      assertThat(response.get("id").asText()).matches("resp_[0-9a-f]{48}");
      assertThat(response.get("object").asText()).isEqualTo("response");
      assertThat(response.get("created_at").asLong()).isEqualTo(NOW.getEpochSecond());
      assertThat(response.get("completed_at").asLong()).isEqualTo(NOW.getEpochSecond());
      assertThat(response.get("status").asText()).isEqualTo("completed");
      assertThat(response.get("model").asText()).isEqualTo("m1");
      assertThat(response.get("error").isNull()).isTrue();
      assertThat(response.get("previous_response_id").isNull()).isTrue();
      assertThat(response.get("store").asBoolean()).isTrue();
      assertThat(response.get("usage").get("total_tokens").asInt()).isEqualTo(5);
      assertThat(response.get("metadata").isObject()).isTrue();
      assertThat(response.has("output_text")).isFalse();
    }

    @Test
    @DisplayName("gives each output item the model returned without an id a random one with its type's prefix")
    void givesOutputItemsIds() {
      JsonNode item = create(OWNER, "{'model':'m','input':'hello'}").get("output").get(0);
      assertThat(item.get("id").asText()).matches("msg_[0-9a-f]{48}");
      assertThat(item.fieldNames().next()).isEqualTo("id");
      assertThat(item.get("content").get(0).get("text").asText()).isEqualTo("echo: hello");
    }

    @Test
    @DisplayName("keeps the id of an output item that has one")
    void keepsOutputIds() {
      Model withIds = request -> (ObjectNode) Fixtures.JSON.readTree(
          "{\"output\":[{\"id\":\"fc_given\",\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"{}\"}]}");
      Reply reply = responses.create(OWNER, body("{'model':'m','input':'x'}"), withIds);
      assertThat(json(reply).get("output").get(0).get("id").asText()).isEqualTo("fc_given");
    }

    @Test
    @DisplayName("never repeats an id across many responses")
    void idsAreUnique() {
      java.util.Set<String> ids = new java.util.HashSet<>();
      for (int i = 0; i < 200; i++) {
        ids.add(create(OWNER, "{'model':'m','input':'x'}").get("id").asText());
      }
      assertThat(ids).hasSize(200);
    }

    @Test
    @DisplayName("is recorded with the request's own normalised input and the model's output")
    void isRecorded() {
      String id = create(OWNER, "{'model':'m','input':'hello','metadata':{'k':'v'}}").get("id").asText();
      io.convstate.Turn turn = store.turn(OWNER, id).orElseThrow();
      assertThat(turn.input().toJson())
          .isEqualTo("[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hello\"}]}]");
      assertThat(turn.output().size()).isEqualTo(1);
      assertThat(turn.provider()).isEqualTo("echo");
      assertThat(turn.owner()).contains(OWNER);
      assertThat(turn.metadata().orElseThrow()).contains("\"metadata\":{\"k\":\"v\"}").contains("\"usage\"");
    }
  }

  @Nested
  @DisplayName("previous_response_id")
  class Previous {

    @Test
    @DisplayName("sends the model the whole history, then the new input, with store:false and no previous_response_id")
    void rebuildsTheHistory() {
      String first = create(OWNER, "{'model':'m','input':'one'}").get("id").asText();
      String second = create(OWNER, "{'model':'m','input':'two','previous_response_id':'" + first + "'}").get("id").asText();
      create(OWNER, "{'model':'m','input':'three','previous_response_id':'" + second + "','stream':false}");
      ObjectNode sent = model.lastRequest;
      assertThat(sent.get("input")).hasSize(5);
      assertThat(sent.get("input").get(3).get("content").get(0).get("text").asText()).isEqualTo("echo: two");
      assertThat(sent.get("store").asBoolean()).isFalse();
      assertThat(sent.has("previous_response_id")).isFalse();
      assertThat(sent.has("stream")).isFalse();
    }

    @Test
    @DisplayName("of an unknown response is OpenAI's 400 previous_response_not_found, and the model is not called")
    void unknownIsPreviousResponseNotFound() {
      Reply reply = attempt("{'model':'m','input':'x','previous_response_id':'resp_unknown'}");
      assertThat(reply.status()).isEqualTo(400);
      assertThat(reply.body()).isEqualTo("{\"error\":{\"message\":\"Previous response with id 'resp_unknown' not found.\","
          + "\"type\":\"invalid_request_error\",\"param\":\"previous_response_id\",\"code\":\"previous_response_not_found\"}}");
      assertThat(model.calls).hasValue(0);
    }

    @Test
    @DisplayName("of another owner's response is exactly as an unknown one")
    void anotherOwnersIsUnknown() {
      String id = create(OTHER_OWNER, "{'model':'m','input':'x'}").get("id").asText();
      Reply reply = attempt("{'model':'m','input':'x','previous_response_id':'" + id + "'}");
      Reply unknown = attempt("{'model':'m','input':'x','previous_response_id':'" + id.replace('a', 'b') + "x'}");
      assertThat(reply.status()).isEqualTo(unknown.status()).isEqualTo(400);
      assertThat(error(reply).get("code").asText()).isEqualTo(error(unknown).get("code").asText());
      assertThat(error(reply).get("message").asText()).isEqualTo("Previous response with id '" + id + "' not found.");
    }

    @Test
    @DisplayName("that is blank, too long or malformed is OpenAI's invalid_value naming previous_response_id, not code null")
    void malformedIds() {
      for (String id : new String[] {"", "   ", "msg_123", "resp_a/b", "resp_" + "x".repeat(600)}) {
        Reply reply = attempt("{'model':'m','input':'x','previous_response_id':'" + id + "'}");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(error(reply).get("param").asText()).isEqualTo("previous_response_id");
        assertThat(error(reply).get("code").isNull()).as(id).isFalse();
      }
      assertThat(error(attempt("{'model':'m','input':'x','previous_response_id':''}")).get("message").asText())
          .isEqualTo("Invalid 'previous_response_id': ''. Expected an ID that begins with 'resp'.");
    }

    @Test
    @DisplayName("deleted while the model answered is previous_response_not_found, and nothing is recorded")
    void deletedMeanwhile() {
      String first = create(OWNER, "{'model':'m','input':'one'}").get("id").asText();
      Model deleting = request -> {
        store.delete(OWNER, first);
        return model.respond(request);
      };
      Reply reply = responses.create(OWNER, body("{'model':'m','input':'two','previous_response_id':'" + first + "'}"), deleting);
      assertThat(reply.status()).isEqualTo(400);
      assertThat(error(reply).get("code").asText()).isEqualTo("previous_response_not_found");
      assertThat(store.size()).isEqualTo(1);
    }
  }

  @Nested
  @DisplayName("input")
  class Input {

    @Test
    @DisplayName("in easy form becomes full messages: input_text for users, output_text for the assistant")
    void easyForm() {
      String id = create(OWNER, "{'model':'m','input':[{'role':'developer','content':'be brief'},"
          + "{'role':'assistant','content':'hi'},{'role':'user','content':[{'type':'input_text','text':'q'}]}]}")
          .get("id").asText();
      assertThat(store.turn(OWNER, id).orElseThrow().input().toJson()).isEqualTo("["
          + "{\"type\":\"message\",\"role\":\"developer\",\"content\":[{\"type\":\"input_text\",\"text\":\"be brief\"}]},"
          + "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"hi\"}]},"
          + "{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"q\"}]}]");
    }

    @Test
    @DisplayName("keeps full-form items and items of other types whole, numbers with every digit")
    void keepsItemsWhole() {
      String items = "[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"q\"}]},"
          + "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"{}\",\"x\":1.50000000000000000001}]";
      String id = create(OWNER, "{\"model\":\"m\",\"input\":" + items + "}").get("id").asText();
      assertThat(store.turn(OWNER, id).orElseThrow().input().toJson()).isEqualTo(items);
    }

    @Test
    @DisplayName("resolves an item_reference to the item of the history it names")
    void resolvesReferences() {
      JsonNode first = create(OWNER, "{'model':'m','input':'one'}");
      String answerId = first.get("output").get(0).get("id").asText();
      create(OWNER, "{'model':'m','previous_response_id':'" + first.get("id").asText() + "','input':["
          + "{'type':'item_reference','id':'" + answerId + "'},{'role':'user','content':'two'}]}");
      JsonNode sent = model.lastRequest.get("input");
      assertThat(sent).hasSize(4);
      assertThat(sent.get(2)).isEqualTo(first.get("output").get(0));
    }

    @Test
    @DisplayName("with a reference to no item of the history is a 400 naming it")
    void unknownReference() {
      Reply reply = attempt("{'model':'m','input':[{'id':'msg_nowhere'}]}");
      assertThat(reply.status()).isEqualTo(400);
      assertThat(error(reply).get("message").asText()).isEqualTo("Item with id 'msg_nowhere' not found.");
      assertThat(error(reply).get("param").asText()).isEqualTo("input[0].id");
    }

    @Test
    @DisplayName("that is one object, not an array, is OpenAI's invalid_type")
    void oneObjectIsRefused() {
      Reply reply = attempt("{'model':'m','input':{'role':'user','content':'x'}}");
      assertThat(error(reply).get("message").asText()).isEqualTo(
          "Invalid type for 'input': expected one of a string or array of input items, but got an object instead.");
    }

    @Test
    @DisplayName("that is empty or absent without previous_response_id is refused; with one it continues with nothing new")
    void emptyInput() {
      for (String json : new String[] {"{'model':'m','input':[]}", "{'model':'m'}"}) {
        Reply reply = attempt(json);
        assertThat(error(reply).get("code").asText()).as(json).isEqualTo("missing_required_parameter");
        assertThat(error(reply).get("param").isNull()).as(json).isTrue();
      }
      String first = create(OWNER, "{'model':'m','input':'one'}").get("id").asText();
      assertThat(create(OWNER, "{'model':'m','input':'','previous_response_id':'" + first + "'}").get("status").asText())
          .isEqualTo("completed");
      assertThat(create(OWNER, "{'model':'m','previous_response_id':'" + first + "'}").get("status").asText())
          .isEqualTo("completed");
    }
  }

  @Nested
  @DisplayName("validation answers OpenAI's error for each field")
  class Validation {

    private void refused(String json, String param, String code, String message) {
      Reply reply = attempt(json);
      assertThat(reply.status()).as(json).isEqualTo(400);
      JsonNode error = error(reply);
      assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.get("param").isNull() ? null : error.get("param").asText()).as(json).isEqualTo(param);
      assertThat(error.get("code").isNull() ? null : error.get("code").asText()).as(json).isEqualTo(code);
      if (message != null) {
        assertThat(error.get("message").asText()).as(json).isEqualTo(message);
      }
      assertThat(model.calls).as("the model is never called for a refused request").hasValue(0);
    }

    @Test
    @DisplayName("a body that is not JSON, not an object, or repeats a key")
    void body() {
      refused("{'model':", null, null, null);
      refused("[1,2]", null, null, null);
      refused("{'model':'m','input':'x','input':'y'}", null, null, null);
      assertThat(error(attempt("{'model':'m','input':'x','input':'y'}")).get("message").asText())
          .startsWith("We could not parse the JSON body of your request.").contains("input");
    }

    @Test
    @DisplayName("model: missing, not a string, empty")
    void model() {
      refused("{'input':'x'}", "model", "missing_required_parameter", "Missing required parameter: 'model'.");
      refused("{'model':7,'input':'x'}", "model", "invalid_type",
          "Invalid type for 'model': expected a string, but got an integer instead.");
      refused("{'model':'','input':'x'}", "model", "model_not_found", "The requested model '' does not exist.");
    }

    @Test
    @DisplayName("input: null, a number, an item that is not an object, a message without role or content")
    void input() {
      refused("{'model':'m','input':null}", "input", "invalid_type", null);
      refused("{'model':'m','input':7}", "input", "invalid_type",
          "Invalid type for 'input': expected one of a string or array of input items, but got an integer instead.");
      refused("{'model':'m','input':[7]}", "input[0]", "invalid_type",
          "Invalid type for 'input[0]': expected an input item, but got an integer instead.");
      refused("{'model':'m','input':[{'role':'bogus','content':'x'}]}", "input[0]", "invalid_value",
          "Invalid value: 'bogus'. Supported values are: 'assistant', 'system', 'developer', and 'user'.");
      refused("{'model':'m','input':[{'role':'user'}]}", "input[0].content", "missing_required_parameter",
          "Missing required parameter: 'input[0].content'.");
    }

    @Test
    @DisplayName("instructions, store and stream of the wrong type")
    void scalars() {
      refused("{'model':'m','input':'x','instructions':{}}", "instructions", "invalid_type",
          "Invalid type for 'instructions': expected a string, but got an object instead.");
      refused("{'model':'m','input':'x','store':'yes'}", "store", "invalid_type",
          "Invalid type for 'store': expected a boolean, but got a string instead.");
      refused("{'model':'m','input':'x','stream':1}", "stream", "invalid_type", null);
    }

    @Test
    @DisplayName("metadata: not an object, too many pairs, a long key, a long or non-string value")
    void metadata() {
      refused("{'model':'m','input':'x','metadata':'x'}", "metadata", "invalid_type",
          "Invalid type for 'metadata': expected a metadata object, but got a string instead.");
      StringBuilder seventeen = new StringBuilder("{");
      for (int i = 0; i < 17; i++) {
        seventeen.append(i == 0 ? "" : ",").append("'k").append(i).append("':'v'");
      }
      refused("{'model':'m','input':'x','metadata':" + seventeen + "}}", "metadata", "object_above_max_properties",
          "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object "
              + "with 17 properties instead.");
      refused("{'model':'m','input':'x','metadata':{'" + "k".repeat(65) + "':'v'}}", "metadata." + "k".repeat(65),
          "string_above_max_length", null);
      refused("{'model':'m','input':'x','metadata':{'k':'" + "v".repeat(513) + "'}}", "metadata.k",
          "string_above_max_length", "Invalid 'metadata.k': string too long. Expected a string with maximum length "
              + "512, but got a string with length 513 instead.");
      refused("{'model':'m','input':'x','metadata':{'k':1}}", "metadata.k", "invalid_type",
          "Invalid type for 'metadata.k': expected a string, but got an integer instead.");
    }

    @Test
    @DisplayName("a parameter OpenAI does not know, such as Chat Completions' max_tokens")
    void unknownParameter() {
      refused("{'model':'m','input':'x','max_tokens':5}", "max_tokens", "unknown_parameter", "Unknown parameter: 'max_tokens'.");
      refused("{'model':'m','input':'x','Temperature':1}", "Temperature", "unknown_parameter", null);
    }

    @Test
    @DisplayName("sampling parameters: out of range or of the wrong type, as OpenAI words it")
    void sampling() {
      refused("{'model':'m','input':'x','temperature':5}", "temperature", "decimal_above_max_value",
          "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 5 instead.");
      refused("{'model':'m','input':'x','temperature':-0.5}", "temperature", "decimal_below_min_value",
          "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -0.5 instead.");
      refused("{'model':'m','input':'x','temperature':'hot'}", "temperature", "invalid_type",
          "Invalid type for 'temperature': expected a decimal, but got a string instead.");
      refused("{'model':'m','input':'x','top_p':1.5}", "top_p", "decimal_above_max_value", null);
      refused("{'model':'m','input':'x','max_output_tokens':5}", "max_output_tokens", "integer_below_min_value",
          "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 5 instead.");
      refused("{'model':'m','input':'x','max_output_tokens':20.5}", "max_output_tokens", "invalid_type",
          "Invalid type for 'max_output_tokens': expected an integer, but got a decimal instead.");
      refused("{'model':'m','input':'x','top_logprobs':21}", "top_logprobs", "integer_above_max_value", null);
      refused("{'model':'m','input':'x','parallel_tool_calls':'yes'}", "parallel_tool_calls", "invalid_type", null);
      refused("{'model':'m','input':'x','truncation':'middle'}", "truncation", "invalid_value",
          "Invalid value: 'middle'. Supported values are: 'auto' and 'disabled'.");
    }

    @Test
    @DisplayName("sampling parameters in range, or null, are accepted and shown in the response")
    void samplingAccepted() {
      JsonNode response = create(OWNER, "{'model':'m','input':'x','temperature':0.7,'top_p':1,'max_output_tokens':16,"
          + "'top_logprobs':null,'truncation':'auto','parallel_tool_calls':false}");
      assertThat(response.get("temperature").asDouble()).isEqualTo(0.7);
      assertThat(response.get("max_output_tokens").asInt()).isEqualTo(16);
      assertThat(response.get("top_logprobs").asInt()).isZero();
      assertThat(response.get("truncation").asText()).isEqualTo("auto");
      assertThat(response.get("parallel_tool_calls").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("what this layer does not serve: background mode, conversations, stored prompts")
    void unsupported() {
      refused("{'model':'m','input':'x','background':true}", "background", "unsupported_parameter", null);
      refused("{'model':'m','input':'x','conversation':'conv_1'}", "conversation", "unsupported_parameter", null);
      refused("{'model':'m','input':'x','prompt':{'id':'pmpt_1'}}", "prompt", "unsupported_parameter", null);
    }
  }

  @Nested
  @DisplayName("before the model is paid")
  class PreFlight {

    @Test
    @DisplayName("a turn the store cannot keep is refused and the model is not called")
    void oversizeTurnIsRefusedFirst() {
      Responses small = new Responses(new MemoryStateStore(Clock.systemUTC(), 200), "echo");
      Reply reply = small.create(OWNER, body("{'model':'m','input':'" + "x".repeat(300) + "'}"), model);
      assertThat(reply.status()).isEqualTo(400);
      assertThat(error(reply).get("code").asText()).isEqualTo("request_too_large");
      assertThat(model.calls).hasValue(0);
    }

    @Test
    @DisplayName("with store:false nothing needs keeping, so the same turn is answered")
    void storeFalseIsNotChecked() {
      Responses small = new Responses(new MemoryStateStore(Clock.systemUTC(), 200), "echo");
      Reply reply = small.create(OWNER, body("{'model':'m','store':false,'input':'" + "x".repeat(300) + "'}"), model);
      assertThat(reply.status()).isEqualTo(200);
    }
  }

  @Nested
  @DisplayName("store:false")
  class StoreFalse {

    @Test
    @DisplayName("records nothing; retrieving it is 404 and continuing it is previous_response_not_found")
    void isNotRecorded() {
      JsonNode response = create(OWNER, "{'model':'m','input':'x','store':false}");
      assertThat(response.get("store").asBoolean()).isFalse();
      String id = response.get("id").asText();
      assertThat(store.size()).isZero();
      assertThat(responses.retrieve(OWNER, id).status()).isEqualTo(404);
      Reply next = attempt("{'model':'m','input':'y','previous_response_id':'" + id + "'}");
      assertThat(error(next).get("code").asText()).isEqualTo("previous_response_not_found");
    }

    @Test
    @DisplayName("may continue a stored response")
    void continuesAStoredOne() {
      String first = create(OWNER, "{'model':'m','input':'one'}").get("id").asText();
      JsonNode second = create(OWNER, "{'model':'m','input':'two','store':false,'previous_response_id':'" + first + "'}");
      assertThat(second.get("previous_response_id").asText()).isEqualTo(first);
      assertThat(model.lastRequest.get("input")).hasSize(3);
    }
  }

  @Nested
  @DisplayName("instructions")
  class Instructions {

    @Test
    @DisplayName("go to the model and into the response, and are not carried to the next response")
    void areNotCarriedOver() {
      JsonNode first = create(OWNER, "{'model':'m','input':'one','instructions':'Talk like a pirate.'}");
      assertThat(first.get("instructions").asText()).isEqualTo("Talk like a pirate.");
      assertThat(model.lastRequest.get("instructions").asText()).isEqualTo("Talk like a pirate.");
      JsonNode second = create(OWNER, "{'model':'m','input':'two','previous_response_id':'" + first.get("id").asText() + "'}");
      assertThat(second.get("instructions").isNull()).isTrue();
      assertThat(model.lastRequest.has("instructions")).isFalse();
      assertThat(model.lastRequest.get("input").toString()).doesNotContain("pirate");
    }
  }
}
