import { main } from "./main.js";

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
    process.exitCode = 1;
  },
);
