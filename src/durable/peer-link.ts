import { DurableObject } from "cloudflare:workers";
import { cutDelivery, peerAnswerLimits, policyFrom, retryDelayMs, webhookIdFor, type FederationPolicy } from "../domain/federation-policy";
import { decodeEd25519PublicMultikey } from "../domain/multikey";
import { sameRegistryName } from "../domain/registry-name";
import { signWebhook } from "../domain/webhook-signature";
import type { Env } from "../env";
import { receiveDelivered } from "../flows/receive-declarations";
import { readBody } from "../http/body";
import { LIMITS } from "../http/limits";
import { Problem } from "../http/problem";
import { decodeBase64 } from "../encoding/base64";
import { auditCheckpoint, type SeenCheckpoint } from "../log/checkpoint-audit";
import { ed25519Verifier } from "../log/note";
import { registryIdentity, type RegistryIdentity } from "../registry-identity";
import { declarationsAfter, findPeer, listPeers, type PeerRow } from "../store/peers";

/** What a PeerLink remembers (SQLite-backed storage, one record). Times are ISO strings or epoch ms. */
export interface LinkState {
  name: string | null;
  /** Last local `seq` handed to this peer (delivered, or skipped because it came from them). */
  cursor: number;
  /** Last `seq` of the peer's own feed that was pulled and registered here. */
  pulledAfter: number;
  /** Declarations delivered by push / newly registered from their feed. */
  pushed: number;
  pulled: number;
  /** Items the peer refused in otherwise successful deliveries, and the last reason. */
  refused: number;
  lastRefusal: string | null;
  lastSuccess: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  lastPull: string | null;
  lastPullError: string | null;
  /** Consecutive failed deliveries; reset by a success or a replay. */
  attempts: number;
  /** When the next delivery is tried (epoch ms), while failing. */
  nextRetry: number | null;
  nextPull: number;
  deadLetter: boolean;
  deadLetteredAt: string | null;
  /** The peer's transparency log as watched from here (see watchLog). */
  peerLog: PeerLogState;
}

export interface PeerLogState {
  /** Pinned at the first verified checkpoint: the peer may not switch logs. */
  origin: string | null;
  /** The latest checkpoint that verified and was consistent with every earlier one. */
  checkpoint: SeenCheckpoint | null;
  lastCheck: string | null;
  lastError: string | null;
  /** Evidence that the peer rewrote its history: set once, kept until the peer is removed. */
  inconsistent: { reason: string; at: string; note: string } | null;
}

export type PeerLinkStatus = LinkState;

function initialState(): LinkState {
  return {
    name: null,
    cursor: 0,
    pulledAfter: 0,
    pushed: 0,
    pulled: 0,
    refused: 0,
    lastRefusal: null,
    lastSuccess: null,
    lastError: null,
    lastErrorAt: null,
    lastPull: null,
    lastPullError: null,
    attempts: 0,
    nextRetry: null,
    nextPull: 0,
    deadLetter: false,
    deadLetteredAt: null,
    peerLog: { origin: null, checkpoint: null, lastCheck: null, lastError: null, inconsistent: null },
  };
}

/** Most batches one alarm pushes or pages it pulls before yielding (it reschedules itself at once). */
const BATCHES_PER_ALARM = 50;

/**
 * One partner registry's link: its outbox and its inbox catch-up.
 *
 * The outbox is the registry order itself. `cursor` is the last local `seq` this peer has been
 * given; every declaration committed to D1 has a larger seq, so it is queued for every peer in the
 * very transaction that stores it, and nothing is lost if this object or the Worker dies. The
 * alarm delivers what lies past the cursor in batches (Standard Webhooks, signed by the registry
 * key), skipping declarations this peer itself delivered or originated (no echo). A failure is
 * retried with exponential backoff and jitter; after `maxAttempts` consecutive failures the link
 * is dead-lettered (pushing stops, visible in GET /v1/peers) until the operator replays it.
 *
 * The same alarm pulls the peer's feed every `pullIntervalMs` (anti-entropy) and registers what is
 * missing through the same checks as a webhook, so a lost push is repaired without anyone acting.
 * Peer configuration (url, key) is read from D1 on each run: D1 is the one list of peers.
 */
export class PeerLink extends DurableObject<Env> {
  private state: LinkState | null = null;
  /** Set by poke(); an alarm that started before the poke runs again at once. */
  private poked = false;

  private async load(): Promise<LinkState> {
    // Merged over the initial state, so a record stored before a field existed gains it.
    if (!this.state) this.state = { ...initialState(), ...(await this.ctx.storage.get<LinkState>("state")) };
    return this.state;
  }

  /** Writes `s` unless the link was removed (or reset) meanwhile: a stale run must not resurrect it. */
  private async save(s: LinkState): Promise<boolean> {
    if (s !== this.state) return false;
    await this.ctx.storage.put("state", s);
    return true;
  }

  private policy(): FederationPolicy {
    return policyFrom(this.env);
  }

  /** A new or changed peer: deliver and pull now. */
  async start(name: string): Promise<LinkState> {
    const s = await this.load();
    s.name = name;
    s.nextPull = 0;
    await this.save(s);
    await this.ctx.storage.setAlarm(Date.now());
    return s;
  }

  /**
   * Something happened: new local declarations (the sequencer), or the peer just reached us
   * (`peerAlive`, which cuts a backoff short). Cheap and idempotent; a dead-lettered link stays
   * stopped until replay.
   */
  async poke(name: string, opts: { peerAlive?: boolean } = {}): Promise<void> {
    const s = await this.load();
    if (!s.name) {
      s.name = name;
      await this.save(s);
    }
    this.poked = true;
    if (s.deadLetter) return;
    const now = Date.now();
    if (s.nextRetry !== null && s.nextRetry > now) {
      if (!opts.peerAlive) return;
      s.nextRetry = now;
      await this.save(s);
    }
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > now) await this.ctx.storage.setAlarm(now);
  }

  async status(): Promise<LinkState> {
    return { ...(await this.load()) };
  }

  /** Leaves the dead-letter state (or cuts a backoff short) and delivers from the cursor again. */
  async replay(): Promise<LinkState> {
    const s = await this.load();
    s.deadLetter = false;
    s.deadLetteredAt = null;
    s.attempts = 0;
    s.nextRetry = null;
    s.nextPull = 0;
    await this.save(s);
    await this.ctx.storage.setAlarm(Date.now());
    return { ...s };
  }

  /** The peer was deleted: forget cursors and stop. Re-adding it starts from the beginning. */
  async remove(): Promise<void> {
    this.state = initialState();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  override async alarm(): Promise<void> {
    const s = await this.load();
    if (!s.name) return;
    const policy = this.policy();
    this.poked = false;
    let more = false;
    try {
      const peer = await findPeer(this.env.DB, s.name);
      if (!peer) {
        if (s === this.state) await this.remove();
        return;
      }
      const me = await registryIdentity(this.env);
      if (!s.deadLetter && (s.nextRetry === null || s.nextRetry <= Date.now())) more = await this.push(s, peer, me, policy);
      if (s.nextPull <= Date.now()) {
        await this.pull(s, peer, policy);
        await this.watchLog(s, peer, policy);
        s.nextPull = Date.now() + policy.pullIntervalMs;
      }
    } catch (e) {
      // Unexpected (D1 unavailable, a bug): note it and come back later rather than spin.
      console.error(`peer link ${s.name}:`, e);
      s.lastError = `internal: ${(e as Error).message}`;
      s.lastErrorAt = new Date().toISOString();
      s.nextPull = Math.max(s.nextPull, Date.now() + policy.retryBaseMs);
    }
    if (!(await this.save(s))) return;
    let next = s.nextPull;
    if (!s.deadLetter) {
      if (s.nextRetry !== null) next = Math.min(next, s.nextRetry);
      else if (more || this.poked) next = Date.now();
    }
    await this.ctx.storage.setAlarm(next);
  }

  /** Delivers batches past the cursor; true when more remain for the next alarm. */
  private async push(s: LinkState, peer: PeerRow, me: RegistryIdentity, policy: FederationPolicy): Promise<boolean> {
    for (let n = 0; n < BATCHES_PER_ALARM; n++) {
      const rows = await declarationsAfter(this.env.DB, s.cursor, policy.pushBatch);
      if (!rows.length || s !== this.state) return false;
      // No echo: what this peer delivered or originated is not sent back to it.
      const items = rows.map((r) =>
        r.receivedFrom === peer.name || sameRegistryName(r.origin, peer.name) ? null : `{"${r.kind}":${r.body},"receipt":${r.receipt}}`,
      );
      const cut = cutDelivery(items.map((it) => (it === null ? null : utf8.encode(it).byteLength)), policy.pushBytes);
      const covered = rows.slice(0, cut.covers);
      const first = covered[0]!.seq;
      const last = covered[covered.length - 1]!.seq;
      if (cut.send.length) {
        const body = `{"declarations":[${cut.send.map((i) => items[i]).join(",")}]}`;
        const failure = await this.deliver(s, peer, me, webhookIdFor(me.name, first, last), body, cut.send.length, policy);
        if (failure) {
          this.failed(s, failure, policy);
          return false;
        }
        s.pushed += cut.send.length;
        s.lastSuccess = new Date().toISOString();
      }
      if (cut.tooLarge.length) {
        s.refused += cut.tooLarge.length;
        s.lastRefusal = `not sent: seq ${covered[cut.tooLarge[0]!]!.seq} alone is larger than a delivery may be (${policy.pushBytes} bytes)`;
      }
      s.cursor = last;
      s.attempts = 0;
      s.nextRetry = null;
      if (!(await this.save(s))) return false;
      if (cut.covers === rows.length && rows.length < policy.pushBatch) return false;
    }
    return true;
  }

  /** One signed webhook of `count` items; null when the peer took it, else why not. */
  private async deliver(s: LinkState, peer: PeerRow, me: RegistryIdentity, id: string, body: string, count: number, policy: FederationPolicy): Promise<string | null> {
    const headers = await signWebhook({ id, timestamp: Math.floor(Date.now() / 1000), body }, me.secretKey);
    let res: Response;
    try {
      res = await fetch(endpoint(peer.url, "/v1/webhooks/declarations"), {
        method: "POST",
        headers: { ...headers, "webhook-source": me.name, "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(policy.requestTimeoutMs),
      });
    } catch (e) {
      return `unreachable: ${(e as Error).message}`;
    }
    let text: string;
    try {
      text = await readAnswer(res, this.limits(policy).webhookAnswer);
    } catch (e) {
      return `HTTP ${res.status}: ${(e as Error).message}`;
    }
    if (!res.ok) return `HTTP ${res.status}: ${problemDetail(text)}`;
    let answer: { failed?: unknown; results?: unknown };
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      return `HTTP ${res.status}: the answer is not JSON`;
    }
    const failed = answer.failed ?? 0;
    if (!Number.isInteger(failed) || (failed as number) < 0 || (failed as number) > count || (answer.results !== undefined && (!Array.isArray(answer.results) || answer.results.length > count)))
      return `HTTP ${res.status}: the answer does not fit a delivery of ${count} declarations`;
    // Refused items (a bad signature, a wrong key) will never be accepted; retrying would only
    // block the link, so they are counted and shown, and delivery moves on.
    if (failed) {
      s.refused += failed as number;
      const results = (answer.results ?? []) as { problem?: { detail?: unknown } }[];
      const detail = results.find((r) => r?.problem)?.problem?.detail;
      s.lastRefusal = typeof detail === "string" ? detail.slice(0, 300) : "refused";
    }
    return null;
  }

  private limits(policy: FederationPolicy) {
    return peerAnswerLimits(policy, LIMITS);
  }

  private failed(s: LinkState, why: string, policy: FederationPolicy): void {
    s.attempts += 1;
    s.lastError = why;
    s.lastErrorAt = new Date().toISOString();
    if (s.attempts >= policy.maxAttempts) {
      s.deadLetter = true;
      s.deadLetteredAt = s.lastErrorAt;
      s.nextRetry = null;
    } else {
      s.nextRetry = Date.now() + retryDelayMs(s.attempts, policy, Math.random());
    }
  }

  /**
   * Keeps the peer's latest signed checkpoint and proves each new one consistent with the last
   * (the same audit `optout audit` runs). A checkpoint signed by the peer's key that does not extend
   * what it showed before is evidence that it rewrote its history: flagged on GET /v1/peers for good.
   * An unreachable or unsigned answer is only an error, not evidence.
   */
  private async watchLog(s: LinkState, peer: PeerRow, policy: FederationPolicy): Promise<void> {
    const log = s.peerLog;
    const now = new Date().toISOString();
    log.lastCheck = now;
    const limits = this.limits(policy);
    const get = async (path: string, limit: number): Promise<string> => {
      const res = await fetch(endpoint(peer.url, path), { signal: AbortSignal.timeout(policy.requestTimeoutMs) });
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(`${path}: HTTP ${res.status}`);
      }
      return readAnswer(res, limit).catch((e: Error) => {
        throw new Error(`${path}: ${e.message}`);
      });
    };
    try {
      let origin = log.origin;
      if (!origin) {
        const d = JSON.parse(await get("/.well-known/opt-out-registry", limits.descriptor)) as { log?: { origin?: unknown } } | null;
        if (typeof d?.log?.origin !== "string") throw new Error("the peer's descriptor names no log origin");
        origin = d.log.origin;
      }
      const outcome = await auditCheckpoint({
        note: await get("/log/checkpoint", limits.checkpoint),
        origin,
        verifier: ed25519Verifier(origin, decodeEd25519PublicMultikey(peer.publicKey)),
        previous: log.checkpoint,
        consistency: async (from, to) => {
          const body = JSON.parse(await get(`/v1/log/consistency?from=${from}&to=${to}`, limits.consistencyProof)) as { proof?: unknown } | null;
          if (!Array.isArray(body?.proof)) throw new Error("no proof in the answer");
          return body.proof.map((h) => (typeof h === "string" ? decodeBase64(h) : null) ?? new Uint8Array());
        },
      });
      if (outcome.ok) {
        log.origin = origin;
        log.checkpoint = outcome.checkpoint;
        log.lastError = null;
      } else {
        log.lastError = outcome.reason;
        if (outcome.checkpoint) log.inconsistent ??= { reason: outcome.reason, at: now, note: outcome.checkpoint.note };
      }
    } catch (e) {
      log.lastError = `log: ${(e as Error).message}`;
    }
  }

  /** Anti-entropy: registers what the peer's feed has and this registry lacks. */
  private async pull(s: LinkState, peer: PeerRow, policy: FederationPolicy): Promise<void> {
    for (let n = 0; n < BATCHES_PER_ALARM; n++) {
      let page: { items: { declaration?: unknown; mandate?: unknown; receipt: unknown }[]; next_after: number };
      try {
        const res = await fetch(endpoint(peer.url, `/v1/feed?after=${s.pulledAfter}&limit=${policy.pullPage}`), {
          headers: { accept: "application/json" },
          signal: AbortSignal.timeout(policy.requestTimeoutMs),
        });
        const text = await readAnswer(res, this.limits(policy).feedPage);
        if (!res.ok) throw new Error(`HTTP ${res.status}: ${problemDetail(text)}`);
        page = JSON.parse(text);
        if (!page || !Array.isArray(page.items) || !Number.isInteger(page.next_after)) throw new Error("the feed answer is not a feed page");
        // Counted before anything is checked: a page of 100,000 items is refused, not worked through.
        if (page.items.length > policy.pullPage) throw new Error(`the page holds ${page.items.length} items; ${policy.pullPage} were asked for`);
      } catch (e) {
        s.lastPullError = `feed: ${(e as Error).message}`;
        return;
      }
      if (s !== this.state) return;
      if (page.items.length) {
        const results = await receiveDelivered(
          this.env,
          peer.name,
          // A record is a declaration or a mandate; the item says which by its member's name.
          page.items.map((it) => (it && "mandate" in it ? { mandate: it.mandate, receipt: it.receipt } : { declaration: it?.declaration, receipt: it?.receipt })),
          "items",
        );
        s.pulled += results.filter((r) => r.outcome === "created").length;
        const refused = results.filter((r) => r.outcome === "invalid" || r.outcome === "rejected");
        if (refused.length) {
          s.refused += refused.length;
          const r = refused[0]!;
          s.lastRefusal = `from feed: ${r.outcome === "invalid" ? r.problem.message : r.detail}`;
        }
      }
      if (page.next_after > s.pulledAfter) s.pulledAfter = page.next_after;
      s.lastPull = new Date().toISOString();
      s.lastPullError = null;
      // The peer answers again: a delivery waiting out its backoff is tried now.
      if (!s.deadLetter && s.nextRetry !== null) s.nextRetry = Date.now();
      if (!(await this.save(s))) return;
      if (page.items.length < policy.pullPage) return;
    }
  }
}

export function peerLink(env: Env, name: string) {
  return env.PEER_LINK.get(env.PEER_LINK.idFromName(name));
}

/** Wakes every peer's link (after a commit). Never throws: delivery is retried by the links' own alarms. */
export async function pokePeers(env: Env): Promise<void> {
  try {
    const all = await listPeers(env.DB);
    await Promise.allSettled(all.map((p) => peerLink(env, p.name).poke(p.name)));
  } catch (e) {
    console.error("poking peers failed; their next alarm delivers", e);
  }
}

const utf8 = new TextEncoder();

/** A peer's answer as text, read no further than `limit` bytes (the rest is not read). */
async function readAnswer(res: Response, limit: number): Promise<string> {
  try {
    return await readBody(res, limit);
  } catch (e) {
    if (e instanceof Problem) throw new Error(e.status === 413 ? `the answer is longer than ${limit} bytes` : e.message);
    throw e;
  }
}

function endpoint(base: string, path: string): string {
  return base.replace(/\/+$/, "") + path;
}

function problemDetail(text: string): string {
  try {
    const p = JSON.parse(text) as { detail?: string; title?: string };
    return (p.detail ?? p.title ?? text).slice(0, 300);
  } catch {
    return text.slice(0, 300);
  }
}
