// Regenerates .env.example and README.md's configuration table from src/config/options.ts.
import { readFileSync, writeFileSync } from "node:fs";
import { renderConfigTable, renderEnvExample, replaceReadmeSection } from "../src/config/docs.js";

writeFileSync(".env.example", renderEnvExample());
writeFileSync("README.md", replaceReadmeSection(readFileSync("README.md", "utf8"), renderConfigTable()));
console.log("wrote .env.example and README.md configuration table");
