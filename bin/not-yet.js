#!/usr/bin/env node
// Placeholder for npm scripts whose issue has not landed yet.
console.error(`terrafix: '${process.argv[2] ?? "this script"}' is not built yet`);
process.exitCode = 2;
