export { createGitHubScm, type GitHubScm, type GitHubScmOptions } from "./scm.js";
export { createGitHubClient, type BotIdentity, type GitHubAuth, type GitHubClient, type ThrottleSettings, type RetrySettings } from "./client.js";
export { translateGitHubError } from "./errors.js";
