/**
 * Fixture websites for `optout check` and observations: one Node HTTP server on loopback serving
 * many virtual hosts. A test names a site by host (`http://tdmrep.fixture/…`); `fixtureFetch`
 * sends the request over real HTTP to the server with the host in `x-fixture-host`, since fetch may
 * not set Host and `*.fixture` resolves nowhere. Hosts the server does not know get a refused
 * connection (a closed port), `slow.fixture` never answers. A plain request (a child process's,
 * without the header) is served the site named "default".
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FixtureResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** A site: paths (exact, or a function for the rest) to responses. */
export type FixtureSite = Record<string, FixtureResponse> | ((path: string) => FixtureResponse | undefined);

export interface FixtureServer {
  port: number;
  /** fetch for *.fixture URLs (and any other URL unchanged). */
  fetch: typeof fetch;
  /** How many requests each host/path received, e.g. "tdmrep.fixture /robots.txt". */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startFixtureSites(sites: Record<string, FixtureSite>): Promise<FixtureServer> {
  const hits = new Map<string, number>();
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const host = String(req.headers["x-fixture-host"] ?? "default");
    const path = req.url ?? "/";
    hits.set(`${host} ${path}`, (hits.get(`${host} ${path}`) ?? 0) + 1);
    if (host === "slow.fixture") return; // never answers
    const site = sites[host];
    const answer = typeof site === "function" ? site(path) : site?.[path];
    const r = answer ?? { status: 404, headers: { "content-type": "text/plain" }, body: "not found" };
    res.writeHead(r.status ?? 200, r.headers ?? {});
    res.end(r.body ?? "");
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  // A port that was open and is now closed: connections to it are refused.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const refusedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));

  const fixtureFetch: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (!url.hostname.endsWith(".fixture")) return fetch(input, init);
    const known = url.hostname in sites || url.hostname === "slow.fixture";
    const target = `http://127.0.0.1:${known ? port : refusedPort}${url.pathname}${url.search}`;
    const headers = new Headers(init?.headers);
    headers.set("x-fixture-host", url.hostname);
    return fetch(target, { ...init, headers });
  };
  return {
    port,
    fetch: fixtureFetch,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
