import type { Publisher, PublishOutcome, PublishRequest, ResolvedRequest } from "../../src/ports/publisher.js";

/**
 * An in-memory Publisher for stage and run-job tests: it records each request with the signal it
 * came with, and answers with `answer` (a pull request per branch by default) or throws `error`.
 * The pull-request policy behind the real publisher has its own tests (test/adapters/...).
 */
export class MemoryPublisher implements Publisher {
  readonly name = "memory";
  readonly requests: { request: PublishRequest; signal: AbortSignal | undefined }[] = [];
  readonly resolved: ResolvedRequest[] = [];
  error: Error | undefined;
  answer: (request: PublishRequest) => PublishOutcome = (request) => ({ type: "pr-opened", url: `https://example.test/pulls/${request.branch}` });

  publish(request: PublishRequest, signal?: AbortSignal): Promise<PublishOutcome> {
    this.requests.push({ request, signal });
    signal?.throwIfAborted();
    if (this.error !== undefined) return Promise.reject(this.error);
    return Promise.resolve(this.answer(request));
  }

  resolve(request: ResolvedRequest): Promise<{ closed: boolean }> {
    this.resolved.push(request);
    return Promise.resolve({ closed: false });
  }
}
