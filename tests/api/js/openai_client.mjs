// The official `openai` package against a live persona server (PERSONA_URL, PERSONA_KEY);
// the fake upstream answers "hello from js", a streamed "one two three", a get_weather call,
// then "chat ok".
import assert from "node:assert/strict";
import OpenAI from "openai";

const client = new OpenAI({ baseURL: `${process.env.PERSONA_URL}/v1`, apiKey: process.env.PERSONA_KEY, maxRetries: 0 });
const weather = {
  type: "function",
  name: "get_weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

const text = await client.responses.create({ model: "persona/fast", input: "hi", user: "js-openai" });
assert.equal(text.output_text, "hello from js");

const stream = await client.responses.create({ model: "persona/fast", input: "count", user: "js-openai", stream: true });
const deltas = [];
for await (const event of stream) {
  if (event.type === "response.output_text.delta") deltas.push(event.delta);
}
assert.equal(deltas.join(""), "one two three");

const called = await client.responses.create({ model: "persona/fast", input: "Rome?", user: "js-openai", tools: [weather] });
const call = called.output.find((o) => o.type === "function_call");
assert.equal(call.name, "get_weather");
assert.deepEqual(JSON.parse(call.arguments), { city: "Rome" });

const chat = await client.chat.completions.create({ model: "persona/fast", user: "js-openai", messages: [{ role: "user", content: "hi" }] });
assert.equal(chat.choices[0].message.content, "chat ok");
console.log("ok");
