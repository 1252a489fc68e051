import type { Caller, Identity } from "./github-routes.js";
import { HttpError, type FakeState } from "./github-state.js";

/** Bot users have their own ids (e.g. 41898282 for github-actions[bot]); distinct from the App id. */
export const BOT_USER_ID = 149_000_001;

export interface Identities {
  state: FakeState;
  app: { id: number; slug: string };
  /** Users added with a token of their own. */
  tokenUsers: Map<string, Identity>;
  /** Accepted tokens (PAT-like); undefined accepts any. */
  tokens: string[] | undefined;
  /** Whom any other accepted token authenticates as. */
  primary: Identity;
}

/** The caller of a request: the App (JWT), an installation token, or a user's token. */
export function identify(authorization: string | undefined, ids: Identities): Caller | undefined {
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization ?? "");
  if (match === null) return undefined;
  const token = match[1] ?? "";
  if (isJwt(token)) return { kind: "app", identity: botIdentity(ids.app) };
  const installation = ids.state.installationTokens.get(token);
  if (installation !== undefined) {
    if (installation.expiresAt < Date.now()) throw new HttpError(401, "Bad credentials");
    return { kind: "installation", identity: botIdentity(ids.app) };
  }
  const other = ids.tokenUsers.get(token);
  if (other !== undefined) return { kind: "user", identity: other };
  if (ids.tokens !== undefined && !ids.tokens.includes(token)) throw new HttpError(401, "Bad credentials");
  return { kind: "user", identity: ids.primary };
}

/** The App's bot user: its noreply e-mail uses the bot user's id, not the App id (reference §3). */
function botIdentity(app: { id: number; slug: string }): Identity {
  return { login: `${app.slug}[bot]`, name: `${app.slug}[bot]`, email: `${BOT_USER_ID}+${app.slug}[bot]@users.noreply.github.com`, id: BOT_USER_ID };
}

function isJwt(token: string): boolean {
  const parts = token.split(".");
  if (parts.length !== 3) return false;
  try {
    const header = JSON.parse(Buffer.from(parts[0] ?? "", "base64url").toString("utf8")) as { alg?: string };
    return typeof header.alg === "string";
  } catch {
    return false;
  }
}
