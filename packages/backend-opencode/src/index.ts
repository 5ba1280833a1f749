export { type OpencodeBackendOptions, OpencodeBackendOptionsSchema, opencodeBackend } from "./opencode-backend.js";
