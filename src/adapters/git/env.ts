import { httpOrigin } from "./url.js";

/**
 * The environment of every git child process. Built from an allowlist rather than a copy of
 * process.env: simple-git refuses to run when variables such as EDITOR, GIT_ASKPASS or
 * GIT_SSH_COMMAND are present (https://github.com/steveukx/git-js/blob/main/docs/PLUGIN-UNSAFE-ACTIONS.md),
 * and a daemon must never wait on a credential prompt.
 */
const PASS_THROUGH =
  /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|LC_[A-Z_]+|TZ|TMPDIR|TEMP|TMP|SYSTEMROOT|SSL_CERT_FILE|SSL_CERT_DIR|GIT_SSL_CAINFO|GIT_SSL_CAPATH|GIT_SSL_NO_VERIFY|HTTPS?_PROXY|NO_PROXY|ALL_PROXY|https?_proxy|no_proxy|all_proxy)$/;

export interface GitEnv {
  env: Record<string, string>;
  /** Values that must never appear in a log or error (the token and its header forms). */
  secrets: string[];
}

/**
 * The token goes in an `Authorization: Basic base64(x-access-token:TOKEN)` header scoped to the
 * clone URL's origin, passed as GIT_CONFIG_COUNT/KEY/VALUE (git >= 2.31,
 * https://git-scm.com/docs/git-config#Documentation/git-config.txt-GITCONFIGCOUNT): never in the
 * URL, never on the command line (visible in `ps`), never written to .git/config. This is what
 * actions/checkout does with `http.https://github.com/.extraheader`.
 */
export function gitEnv(url: string, token: string | undefined, base: NodeJS.ProcessEnv = process.env): GitEnv {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && PASS_THROUGH.test(key)) env[key] = value;
  }
  env.GIT_TERMINAL_PROMPT = "0";
  env.GCM_INTERACTIVE = "never";
  const origin = httpOrigin(url);
  if (token === undefined || token === "" || origin === undefined) return { env, secrets: token ? [token] : [] };
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
  env.GIT_CONFIG_COUNT = "1";
  env.GIT_CONFIG_KEY_0 = `http.${origin}.extraheader`;
  env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
  return { env, secrets: [token, basic] };
}
