import { main } from "./main.js";

// main() turns every failure into an exit code; only a bug in main itself gets here (exit 3, "unexpected").
main(
  process.argv.slice(2),
  (text) => console.log(text),
  (text) => console.error(text),
).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 3;
  },
);
