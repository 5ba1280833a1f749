// @modelpool/testing's model worker: a tiny stand-in for a model server (an `opencode serve`, a llama.cpp
// server), an HTTP server that reports, on GET /health, the model it was started with. MODELPOOL_MODEL comes from the pool.
// WORKER_MODE=crash|hang|silent makes it fail the ways real servers do, for fault demos and tests;
// WORKER_PORT fixes its port (default: one the OS picks); WORKER_HOST its loopback address (default
// 127.0.0.1; fleet tests give each simulated host its own, 127.0.0.2 ...).
import { createServer } from "node:http";

const model = process.env.MODELPOOL_MODEL ?? "unknown";
const modelPolicy = process.env.MODELPOOL_MODEL_POLICY ?? "dynamic";
const mode = process.env.WORKER_MODE ?? "normal";
const startDelayMs = Number(process.env.WORKER_START_DELAY_MS ?? 0);

if (mode === "crash") {
  console.error(`cannot load model ${model}`);
  process.exit(3);
}

const server = createServer((request, response) => {
  if (mode === "hang") return; // accepts the connection, never answers
  if (request.url === "/health") {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ model, modelPolicy, pid: process.pid }));
    return;
  }
  response.writeHead(404).end();
});

const host = process.env.WORKER_HOST ?? "127.0.0.1";
server.listen(Number(process.env.WORKER_PORT ?? 0), host, () => {
  const { port } = server.address();
  setTimeout(() => {
    if (mode !== "silent") console.log(`listening on http://${host}:${port}`);
  }, startDelayMs);
});

process.on("SIGTERM", () => server.close(() => process.exit(0)));
