import { test } from "node:test";
import assert from "node:assert/strict";
import { nextRetry, parseFrame, streamUrl } from "../../main/resources/webroot/js/events.js";

test("a text frame is one JSON event without a picture", () => {
  const { message, png } = parseFrame('{"event":"started","jobId":"j1","id":"3"}');
  assert.deepEqual(message, { event: "started", jobId: "j1", id: "3" });
  assert.equal(png, null);
});

test("a binary frame is a big-endian header length, the JSON header and the PNG's bytes", () => {
  const header = new TextEncoder().encode('{"event":"progress","jobId":"j2"}');
  const picture = [0x89, 0x50, 0x4e, 0x47];
  const frame = new Uint8Array(4 + header.length + picture.length);
  new DataView(frame.buffer).setUint32(0, header.length); // big-endian, as the gateway writes it
  frame.set(header, 4);
  frame.set(picture, 4 + header.length);
  const { message, png } = parseFrame(frame.buffer);
  assert.deepEqual(message, { event: "progress", jobId: "j2" });
  assert.deepEqual([...png], picture);
});

test("the socket's address follows the page's scheme and host", () => {
  assert.equal(
    streamUrl({ protocol: "https:", host: "ss.example:8443" }),
    "wss://ss.example:8443/v1/stream",
  );
  assert.equal(
    streamUrl({ protocol: "http:", host: "localhost:8080" }),
    "ws://localhost:8080/v1/stream",
  );
});

test("reconnection waits double up to fifteen seconds", () => {
  const waits = [1000];
  for (let i = 0; i < 6; i++) waits.push(nextRetry(waits[waits.length - 1]));
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 15000, 15000, 15000]);
});
