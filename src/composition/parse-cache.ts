import { join, resolve } from "node:path";
import { createFileParseStore } from "../adapters/parse-cache/file-store.js";
import type { Config } from "../config/options.js";
import { ParseCache } from "../terraform/cache.js";
import { parseStoreVersion } from "../terraform/parse-store.js";

/**
 * The process's parse cache: in memory, and persistent in `<TERRAFIX_WORK_DIR>/.parse-cache`
 * unless TERRAFIX_PARSE_CACHE_MAX_MB is 0. The clone cache skips dot folders of the work dir
 * (adapters/git/clone-cache.ts), and no GitHub owner name starts with a dot.
 */
export function parseCacheFor(config: Pick<Config, "workDir" | "parseCacheMaxMb">, warn?: (message: string, error: unknown) => void, options: { prevalidate?: boolean } = {}): ParseCache {
  if (config.parseCacheMaxMb === 0) return new ParseCache(undefined, options);
  const store = createFileParseStore({
    dir: join(resolve(config.workDir), ".parse-cache"),
    version: parseStoreVersion(),
    maxBytes: config.parseCacheMaxMb * 1024 * 1024,
    // A cache that cannot write only misses: worth a warning, never a failed command.
    ...(warn === undefined ? {} : { onError: warn }),
  });
  return new ParseCache(undefined, { store, ...options });
}
