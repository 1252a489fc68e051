export { createGitHubPublisher, type GitHubPublisher, type GitHubPublisherOptions } from "./publisher.js";
export { createGitHubClient, type BotIdentity, type GitHubAuth, type GitHubClient, type ThrottleSettings, type RetrySettings } from "./client.js";
export { renderDashboard, DASHBOARD_TITLE, type DashboardItem, type DashboardResult, type DashboardStatus } from "./dashboard.js";
export { translateGitHubError } from "./errors.js";
