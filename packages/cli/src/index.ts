/**
 * The `modelpool` command line, runnable in-process with `main`.
 *
 * @packageDocumentation
 * @module @modelpool/cli
 */
export { escapeControl } from "./escape-control.js";
export { EXIT_CODE_HELP, ExitCode } from "./exit-codes.js";
export { main } from "./main.js";
