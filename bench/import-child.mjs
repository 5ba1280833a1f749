// How long one package takes to import in a fresh process, from its built files (as users load it).
const specifier = process.argv[2];
const started = performance.now();
await import(specifier);
console.log(JSON.stringify({ ms: performance.now() - started }));
