// The Vercel AI SDK against a live persona server (PERSONA_URL, PERSONA_KEY): the default
// provider (Responses API) and `.chat()` (Chat Completions); the fake upstream answers
// "hello from vercel", a streamed "one two three", a get_weather call, then "chat ok".
import assert from "node:assert/strict";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, jsonSchema, streamText, tool } from "ai";

const openai = createOpenAI({
  baseURL: `${process.env.PERSONA_URL}/v1`,
  apiKey: process.env.PERSONA_KEY,
  headers: { "X-Persona-User": "js-vercel" },
});
const model = openai("persona/fast");

const text = await generateText({ model, prompt: "hi", maxRetries: 0 });
assert.equal(text.text, "hello from vercel");

const streamed = streamText({ model, prompt: "count", maxRetries: 0 });
let joined = "";
for await (const piece of streamed.textStream) joined += piece;
assert.equal(joined, "one two three");

const called = await generateText({
  model,
  prompt: "Rome?",
  maxRetries: 0,
  tools: {
    get_weather: tool({
      description: "The weather in a city",
      inputSchema: jsonSchema({ type: "object", properties: { city: { type: "string" } }, required: ["city"] }),
    }),
  },
});
assert.equal(called.toolCalls.length, 1);
assert.equal(called.toolCalls[0].toolName, "get_weather");
assert.deepEqual(called.toolCalls[0].input, { city: "Rome" });

const chat = await generateText({ model: openai.chat("persona/fast"), prompt: "hi", maxRetries: 0 });
assert.equal(chat.text, "chat ok");
console.log("ok");
