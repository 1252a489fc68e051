/**
 * `npm run demo -- --serve`: a read-only viewer of the demo's pull requests next to the fakes,
 * kept up until Ctrl-C (SIGINT) or SIGTERM.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { indexMarkdown, pullMarkdown, type DemoPull } from "./output.js";

export interface Viewer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `/` (the index) and `/pull/N` (title, body, diff). As text/plain: the texts hold
 * repository and Vanta content, and plain text is never rendered as HTML by a browser.
 */
export async function startViewer(pulls: readonly DemoPull[], header: string): Promise<Viewer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://demo").pathname;
    const number = /^\/pull\/(\d+)$/.exec(path)?.[1];
    const pull = number === undefined ? undefined : pulls.find((p) => p.number === Number(number));
    const text = path === "/" ? indexMarkdown(pulls, header, (p) => `/pull/${p.number}`) : pull === undefined ? undefined : pullMarkdown(pull);
    res.writeHead(text === undefined ? 404 : 200, { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" });
    res.end(text ?? "not found: try / or /pull/N\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Resolves on the first SIGINT or SIGTERM. The listeners stay, so later signals are ignored
 * while the demo cleans up: a second Ctrl-C (or npm passing the signal on to the process
 * group it already reached) must not kill the demo before its temp folder is removed.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => resolve(signal);
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}
