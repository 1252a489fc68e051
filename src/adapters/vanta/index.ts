export { createVantaSource, type VantaSourceOptions } from "./source.js";
export { createVantaClient, type VantaClient, type VantaClientOptions, type ListResult, PAGE_SIZE } from "./client.js";
export { TokenManager, sharedTokenManager, TOKEN_SCOPE, type TokenManagerOptions } from "./token-manager.js";
export { createRateLimiter, type RateLimiter, type Sleep, type Now } from "./rate-limiter.js";
export { parseRetryAfter } from "./retry-after.js";
export { toFailure, accountFromDisplayName } from "./map.js";
export { DEFAULT_RETRY, type RetryPolicy } from "./http.js";
