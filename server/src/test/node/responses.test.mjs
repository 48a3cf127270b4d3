// Drives the convstate reference Responses server through the official OpenAI SDK.
// scripts/test-sdk starts the server and sets:
//   CONVSTATE_BASE_URL  the server's base URL (http://127.0.0.1:PORT/v1)
//   CONVSTATE_OUTAGE    how to take the store down and back: "admin:URL" (the harness's admin port)
//                       or "control:COMMAND" (a script taking stop|start, e.g. scripts/with-postgres's)
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import OpenAI, { BadRequestError, NotFoundError, InternalServerError } from 'openai';

const baseURL = process.env.CONVSTATE_BASE_URL;
if (!baseURL) throw new Error('CONVSTATE_BASE_URL is not set: run scripts/test-sdk');
const outage = process.env.CONVSTATE_OUTAGE ?? '';

const alice = new OpenAI({ apiKey: 'sk-test-alice', baseURL, maxRetries: 0, timeout: 60_000 });
const bob = new OpenAI({ apiKey: 'sk-test-bob', baseURL, maxRetries: 0, timeout: 60_000 });
const MODEL = 'echo';

const say = (client, input, previous_response_id, extra = {}) =>
  client.responses.create({ model: MODEL, input, ...(previous_response_id ? { previous_response_id } : {}), ...extra });

/** Every input item of a response, oldest first, through the SDK's auto-pagination. */
async function history(client, id) {
  const texts = [];
  for await (const item of client.responses.inputItems.list(id, { order: 'asc', limit: 7 })) {
    texts.push(item.type === 'message' ? item.content[0].text : item.type);
  }
  return texts;
}

async function storeDown(down) {
  if (outage.startsWith('admin:')) {
    const response = await fetch(`${outage.slice(6)}/outage/${down ? 'start' : 'end'}`, { method: 'POST' });
    assert.equal(response.status, 204);
  } else if (outage.startsWith('control:')) {
    execFileSync(outage.slice(8), [down ? 'stop' : 'start'], { stdio: 'inherit' });
  } else {
    throw new Error('CONVSTATE_OUTAGE is not set: run scripts/test-sdk');
  }
}

describe('a conversation through the official SDK', () => {
  it('chains six turns with previous_response_id, each answered from the whole history', async () => {
    let previous;
    for (let turn = 1; turn <= 6; turn++) {
      const response = await say(alice, `message ${turn}`, previous);
      assert.equal(response.object, 'response');
      assert.equal(response.status, 'completed');
      assert.equal(response.output_text, `echo ${turn}: message ${turn}`);
      assert.equal(response.previous_response_id ?? undefined, previous);
      previous = response.id;
    }
    const items = await history(alice, previous);
    assert.equal(items.length, 11);
    assert.deepEqual(items.slice(0, 2), ['message 1', 'echo 1: message 1']);
  });

  it('continues a function_call with its function_call_output', async () => {
    const tools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
    const call = await say(alice, 'call get_weather {"city":"Paris"}', undefined, { tools });
    const item = call.output[0];
    assert.equal(item.type, 'function_call');
    assert.equal(item.name, 'get_weather');
    assert.deepEqual(JSON.parse(item.arguments), { city: 'Paris' });
    const answer = await say(alice, [{ type: 'function_call_output', call_id: item.call_id, output: '{"temperature":18}' }],
      call.id, { tools });
    assert.equal(answer.output_text, 'tool get_weather returned {"temperature":18}');
    const next = await say(alice, 'thanks', answer.id);
    assert.equal(next.output_text, 'echo 2: thanks');
  });

  it('forks: two responses continuing one each keep their own history', async () => {
    const root = await say(alice, 'root');
    const left = await say(alice, 'left', root.id);
    const right = await say(alice, 'right', root.id);
    const leftAgain = await say(alice, 'left again', left.id);
    assert.equal(leftAgain.output_text, 'echo 3: left again');
    assert.deepEqual(await history(alice, right.id), ['root', 'echo 1: root', 'right']);
  });

  it('answers an unknown previous_response_id with BadRequestError 400 previous_response_not_found', async () => {
    await assert.rejects(say(alice, 'x', 'resp_does_not_exist'), (error) => {
      assert.ok(error instanceof BadRequestError, `not a BadRequestError: ${error}`);
      assert.equal(error.status, 400);
      assert.equal(error.code, 'previous_response_not_found');
      assert.equal(error.param, 'previous_response_id');
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(error.error.message, "Previous response with id 'resp_does_not_exist' not found.");
      return true;
    });
  });
});

describe('reading and deleting responses', () => {
  it('retrieves a response as it was created', async () => {
    const created = await say(alice, 'keep me', undefined, { metadata: { ticket: 'T-42' } });
    const retrieved = await alice.responses.retrieve(created.id);
    assert.deepEqual(retrieved, created);
    assert.equal(retrieved.metadata.ticket, 'T-42');
    assert.equal(retrieved.created_at, created.created_at);
    assert.match(created._request_id, /^req_[0-9a-f]{32}$/);
    assert.notEqual(retrieved._request_id, created._request_id);
    assert.equal(created.usage.input_tokens_details.cached_tokens, 0);
    assert.equal(created.usage.output_tokens_details.reasoning_tokens, 0);
  });

  it('refuses what OpenAI refuses: an unknown parameter, a temperature out of range', async () => {
    await assert.rejects(alice.responses.create({ model: MODEL, input: 'x', max_tokens: 5 }), (error) => {
      assert.ok(error instanceof BadRequestError);
      assert.equal(error.code, 'unknown_parameter');
      assert.equal(error.param, 'max_tokens');
      return true;
    });
    await assert.rejects(alice.responses.create({ model: MODEL, input: 'x', temperature: 5 }), (error) => {
      assert.equal(error.status, 400);
      assert.equal(error.code, 'decimal_above_max_value');
      return true;
    });
  });

  it('lists input items with the SDK auto-pagination, newest first by default', async () => {
    let previous;
    for (let turn = 1; turn <= 12; turn++) previous = (await say(alice, `m${turn}`, previous)).id;
    const texts = [];
    for await (const item of alice.responses.inputItems.list(previous, { limit: 5 })) {
      assert.match(item.id, /^msg_/);
      texts.push(item.content[0].text);
    }
    assert.equal(texts.length, 23);
    assert.deepEqual(texts.slice(0, 3), ['m12', 'echo 11: m11', 'm11']);
    assert.equal(texts.at(-1), 'm1');
    const firstPage = await alice.responses.inputItems.list(previous);
    assert.equal(firstPage.data.length, 20);
    assert.equal(firstPage.has_more, true);
  });

  it('deletes a response: then it is not found, and its child still has its whole history', async () => {
    const first = await say(alice, 'one');
    const second = await say(alice, 'two', first.id);
    await alice.responses.delete(first.id);
    await assert.rejects(alice.responses.retrieve(first.id), NotFoundError);
    await assert.rejects(alice.responses.delete(first.id), NotFoundError);
    assert.equal((await say(alice, 'three', second.id)).output_text, 'echo 3: three');
  });

  it('keeps nothing with store:false', async () => {
    const response = await say(alice, 'forget me', undefined, { store: false });
    assert.equal(response.store, false);
    await assert.rejects(alice.responses.retrieve(response.id), NotFoundError);
    await assert.rejects(say(alice, 'again', response.id),
      (error) => error instanceof BadRequestError && error.code === 'previous_response_not_found');
  });

  it('applies instructions to their own response only', async () => {
    const first = await say(alice, 'hi', undefined, { instructions: 'Be terse.' });
    assert.equal(first.instructions, 'Be terse.');
    assert.equal(first.output_text, 'echo 1: hi [instructions: Be terse.]');
    const second = await say(alice, 'again', first.id);
    assert.equal(second.instructions, null);
    assert.equal(second.output_text, 'echo 2: again');
  });

  it('isolates two API keys: each sees the other\'s responses as unknown', async () => {
    const secret = await say(alice, 'secret');
    await assert.rejects(bob.responses.retrieve(secret.id), NotFoundError);
    await assert.rejects(bob.responses.delete(secret.id), NotFoundError);
    await assert.rejects(async () => { for await (const item of bob.responses.inputItems.list(secret.id)) void item; },
      NotFoundError);
    await assert.rejects(say(bob, 'x', secret.id),
      (error) => error instanceof BadRequestError && error.code === 'previous_response_not_found');
    assert.equal((await alice.responses.retrieve(secret.id)).id, secret.id);
  });
});

describe('streaming', () => {
  it('streams OpenAI\'s events in order and records the response when the stream completes', async () => {
    const first = await say(alice, 'one');
    const stream = alice.responses.stream({ model: MODEL, input: 'two words', previous_response_id: first.id });
    const types = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    const final = await stream.finalResponse();
    assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress', 'response.output_item.added',
      'response.content_part.added']);
    assert.deepEqual(types.slice(-4), ['response.output_text.done', 'response.content_part.done',
      'response.output_item.done', 'response.completed']);
    assert.equal(text, 'echo 2: two words');
    assert.equal(final.output_text, 'echo 2: two words');
    assert.equal((await alice.responses.retrieve(final.id)).output_text, 'echo 2: two words');
  });

  it('records nothing when the stream fails', async () => {
    const stream = await alice.responses.create({ model: MODEL, input: 'echo:fail', stream: true });
    let last;
    for await (const event of stream) last = event;
    assert.equal(last.type, 'response.failed');
    await assert.rejects(alice.responses.retrieve(last.response.id), NotFoundError);
  });
});

describe('load and outage', () => {
  it('runs 50 conversations of 10 turns at once, every history exactly its own', async () => {
    const conversations = Array.from({ length: 50 }, async (_, c) => {
      let previous;
      for (let t = 1; t <= 10; t++) {
        const response = await say(alice, `c${c} t${t}`, previous);
        assert.equal(response.output_text, `echo ${t}: c${c} t${t}`);
        previous = response.id;
      }
      const expected = [];
      for (let t = 1; t <= 10; t++) {
        expected.push(`c${c} t${t}`);
        if (t < 10) expected.push(`echo ${t}: c${c} t${t}`);
      }
      assert.deepEqual(await history(alice, previous), expected);
    });
    await Promise.all(conversations);
  });

  it('answers 503 while the store is down, and continues the same conversation when it is back', async () => {
    const before = await say(alice, 'before');
    await storeDown(true);
    try {
      await assert.rejects(say(alice, 'during', before.id), (error) => {
        assert.ok(error instanceof InternalServerError, `not a 5xx: ${error}`);
        assert.equal(error.status, 503);
        assert.doesNotMatch(JSON.stringify(error.error), /5432|password|postgres:\/\//);
        return true;
      });
    } finally {
      await storeDown(false);
    }
    let after;
    for (let attempt = 0; attempt < 30 && !after; attempt++) {
      try {
        after = await say(alice, 'after', before.id);
      } catch (error) {
        if (!(error instanceof InternalServerError)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500)); // the pool reconnects
      }
    }
    assert.ok(after, 'the store did not come back within 15 seconds');
    assert.equal(after.output_text, 'echo 2: after');
  });
});
