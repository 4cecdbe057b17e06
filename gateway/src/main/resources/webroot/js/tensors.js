// Tensors as the protobuf JSON mapping writes them: {shape: [string], dtype, data: base64 of little-endian bytes}.

/** A float32 tensor of the given shape (numbers) holding the values in row-major order. */
export function float32Tensor(shape, values) {
  const bytes = new Uint8Array(Float32Array.from(values).buffer);
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return { shape: shape.map(String), dtype: "FLOAT32", data: btoa(text) };
}

/** A float32 tensor's values. */
export function float32Values(tensor) {
  const bytes = Uint8Array.from(atob(tensor.data), (c) => c.charCodeAt(0));
  return new Float32Array(bytes.buffer);
}

/** A float32 preview tensor of shape [M, D] as M points [x, y]: its first two values (y = 0 when D = 1). */
export function previewPoints(tensor) {
  const values = float32Values(tensor);
  const shape = tensor.shape.map(Number);
  const d = shape.slice(1).reduce((a, b) => a * b, 1);
  const out = [];
  for (let i = 0; i < shape[0]; i++) out.push([values[i * d], d > 1 ? values[i * d + 1] : 0]);
  return out;
}
