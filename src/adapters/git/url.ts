import { TerraFixError } from "../../errors.js";
import type { RepositoryRef } from "../../ports/repo-workspace.js";

/**
 * Clone URLs come from TERRAFIX_GIT_URL_TEMPLATE (`{owner}`, `{repo}`). Credentials never live in
 * a URL: git stores the remote URL in .git/config and prints it in errors, so a template with a
 * user:password part is refused and the token travels in an HTTP header instead (see env.ts).
 */
export function validateUrlTemplate(template: string): void {
  if (!template.includes("{owner}") || !template.includes("{repo}")) {
    throw new TerraFixError("TERRAFIX_GIT_URL_TEMPLATE must contain {owner} and {repo}", { kind: "config", stage: "config" });
  }
  const parsed = tryParse(cloneUrlUnchecked(template, { owner: "owner", name: "repo" }));
  if (parsed !== undefined && (parsed.username !== "" || parsed.password !== "")) {
    throw new TerraFixError(
      "TERRAFIX_GIT_URL_TEMPLATE must not carry credentials; configure the token separately",
      { kind: "config", stage: "config" },
    );
  }
}

export function cloneUrl(template: string, repo: RepositoryRef): string {
  return cloneUrlUnchecked(template, repo);
}

function cloneUrlUnchecked(template: string, repo: RepositoryRef): string {
  return template.replaceAll("{owner}", encodeURIComponent(repo.owner)).replaceAll("{repo}", encodeURIComponent(repo.name));
}

/**
 * `scheme://host[:port]/` of an http(s) URL, the scope of the auth header
 * (git's `http.<url>.*` matching: https://git-scm.com/docs/git-config#Documentation/git-config.txt-httplturlgt),
 * so the token is only ever sent to the host of the template. Undefined for file:// and ssh.
 */
export function httpOrigin(url: string): string | undefined {
  const parsed = tryParse(url);
  if (parsed === undefined || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) return undefined;
  return `${parsed.protocol}//${parsed.host}/`;
}

function tryParse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
