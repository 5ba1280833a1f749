export { escapeControl } from "./escape-control.js";
export { EXIT_CODE_HELP, ExitCode } from "./exit-codes.js";
export { main } from "./main.js";
