/**
 * A modelpool backend whose workers are `opencode serve` processes.
 *
 * @packageDocumentation
 * @module @modelpool/backend-opencode
 */
export { type OpencodeBackendOptions, OpencodeBackendOptionsSchema, opencodeBackend } from "./opencode-backend.js";
