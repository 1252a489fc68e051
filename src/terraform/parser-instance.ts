import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as TreeSitter from "web-tree-sitter";
import type { Parser } from "web-tree-sitter";

/**
 * One parser instance that never outlives a failure. web-tree-sitter is one Emscripten module
 * per JavaScript module instance; once it aborts (a huge file exhausting its memory throws
 * `RuntimeError: Aborted(...)`), every later call into that instance throws too. So a failed
 * `use` drops the instance, and the next caller creates a fresh one: the failure stays with the
 * file that caused it (issue 16).
 */
export class RecoveringParser<P> {
  readonly #create: (generation: number) => Promise<P>;
  #current: Promise<P> | undefined;
  #generation = 0;

  constructor(create: (generation: number) => Promise<P>) {
    this.#create = create;
  }

  /** How many instances were dropped after a failure. */
  get replaced(): number {
    return this.#generation;
  }

  /** Runs `work` with the current instance; on any throw the instance is dropped, then the error rethrown. */
  async use<T>(work: (parser: P) => T): Promise<T> {
    const generation = this.#generation;
    const current = (this.#current ??= this.#create(generation));
    let parser: P;
    try {
      parser = await current;
    } catch (error) {
      this.#drop(generation);
      throw error;
    }
    try {
      return work(parser);
    } catch (error) {
      this.#drop(generation);
      throw error;
    }
  }

  #drop(generation: number): void {
    // Callers waiting on the same broken instance drop it once.
    if (generation !== this.#generation) return;
    this.#current = undefined;
    this.#generation += 1;
  }
}

/**
 * A tree-sitter Terraform parser. Generation 0 is the package's module; a later one imports the
 * package's ESM file under a new URL (`?instance=N`), which Node evaluates as a separate module
 * with its own WebAssembly memory; the aborted one is garbage once nothing refers to it.
 */
export async function createTerraformParser(generation: number): Promise<Parser> {
  const require = createRequire(import.meta.url);
  const { Language, Parser } =
    generation === 0
      ? await import("web-tree-sitter")
      : ((await import(`${pathToFileURL(join(dirname(require.resolve("web-tree-sitter/tree-sitter.wasm")), "tree-sitter.js")).href}?instance=${generation}`)) as typeof TreeSitter);
  await Parser.init();
  const wasm = require.resolve("@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm");
  const language = await Language.load(wasm);
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
