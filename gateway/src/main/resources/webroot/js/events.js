// The event socket's frames (/v1/stream): a text frame is one JSON event; a binary frame is a preview picture,
// laid out as a 4-byte big-endian header length, the JSON header, then the PNG's bytes.

/** One frame's event and, for a binary frame, its PNG bytes (else null). */
export function parseFrame(data) {
  if (typeof data === "string") return { message: JSON.parse(data), png: null };
  const length = new DataView(data).getUint32(0);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(data, 4, length)));
  return { message: header, png: new Uint8Array(data, 4 + length) };
}

/** The socket's address on the page's own host: wss on an https page, ws otherwise. */
export function streamUrl(location) {
  return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/v1/stream";
}

/** The reconnection delay after one that waited `ms`: doubling, at most 15 s. */
export function nextRetry(ms) {
  return Math.min(15000, ms * 2);
}
