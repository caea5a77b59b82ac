import { DurableObject } from "cloudflare:workers";
import { isMandate, recordFacts, signedRecord, type PreparedRecord } from "../domain/record";
import type { FieldError } from "../domain/field-error";
import { signJson, type Keypair } from "../domain/iscc-sig";
import type { ProblemSlug } from "../http/problem-types";
import { candidateIds, planGroup, type Counters, type GroupPlan, type Submission } from "../domain/sequencer-decisions";
import type { Env } from "../env";
import { LIMITS } from "../http/limits";
import { registryIdentity, type RegistryIdentity } from "../registry-identity";
import { encodeBase64 } from "../encoding/base64";
import { logEntry, logEntryOfCanonical } from "../log/entry";
import { similarityIndex } from "../similarity/select-index";
import { pokePeers } from "./peer-link";
import { signedCheckpoint } from "./log-checkpoint";
import { LogStore } from "./log-store";
import { changeFromCommit, SimilarityIndexer } from "./similarity-indexer";
import { detectConflicts } from "../store/conflict-detection";
import { notifier } from "./notifier";
import { openDb, type Db } from "../store/db";
import { sleep } from "../runtime/sleep";
import type { DeclarationStatus, ObservationReceipt, Receipt } from "../store/receipt";
import { lastSeq, nextCounters, readKnown, registrationRows, registrationWrites, takenIds, type KnownRows, type NewDeclaration } from "../store/registrations";
import { CommittedArrivals } from "../store/committed-arrivals";
import { logEntriesInRange } from "../store/log-entries";
import { insertObservation } from "../store/observations";

/**
 * A declaration to register. `peer` is set when a partner registry delivered it: it keeps the id
 * and receipt its origin registry gave it (`receipt.registry`), and `peer.name` is who delivered it.
 */
export interface RegisterRequest {
  prepared: PreparedRecord;
  peer?: { name: string; receipt: Receipt };
}

export interface Registered {
  outcome: "created" | "exists";
  id: string;
  seq: number;
  digest: string;
  status: DeclarationStatus;
  receipt: Receipt;
  /** The D1 bookmark right after the group's commit: a client sending it back reads its write on any replica. */
  bookmark?: string;
}

export interface Rejected {
  outcome: "rejected";
  status: 403 | 404 | 409 | 422;
  /** A slug of the problem catalogue (src/http/problem-types.ts). */
  type: ProblemSlug;
  title: string;
  detail: string;
  errors?: FieldError[];
}

export type RegisterOutcome = Registered | Rejected;

interface Waiting {
  req: RegisterRequest;
  resolve: (o: RegisterOutcome) => void;
  reject: (e: unknown) => void;
}

/** Records one pass of conflict detection checks at most (a run loops until it has caught up). */
const CONFLICT_RECORDS_PER_RUN = 2000;
/**
 * A pass of conflict detection costs about a dozen D1 round trips and a write whatever its size, so
 * a pass that would only take the last groups waits this long for the groups behind it. Under 32
 * concurrent writers, a pass per group (5-10 records) was more than half the write path's CPU; one
 * every 250 ms still made ~0.09 D1 calls a registration on the seeded bench registry, one every
 * 500 ms ~0.04. Longer passes hold the Worker's thread longer: 1 s raised single POSTs' p99 by a
 * third.
 */
const CONFLICT_GATHER_MS = 500;
/**
 * A peer wake-up waits this long for the groups committed behind it: each reads the peers table (a D1
 * round trip), and one per group was a measurable share of every registration's CPU (~5%, 32 writers);
 * at 50 ms it was still a D1 call every ~50 registrations. A peer's push waits this much longer.
 */
const PEER_WAKE_GATHER_MS = 250;
/**
 * Under concurrent writers, a group waits this long for more before it is taken. Each group costs
 * a D1 round trip or two, a log append and a checkpoint signature whatever its size, and every party
 * shares the Worker's CPU; single POSTs from 32 connections formed groups of 6-7 without the wait.
 * A lone writer's registrations (groups of one) never wait; a batch's thousand arrive together.
 */
const GROUP_GATHER_MS = 10;
/** The most declarations committed in one D1 batch (group commit). */
const MAX_GROUP = 1000;
/** After a failed similarity index update, the catch-up from D1 is tried again this much later. */
const INDEX_RETRY_MS = 10_000;
/** Pages (of 500 declarations) one alarm re-indexes before yielding to the next alarm. */
const INDEX_PAGES_PER_ALARM = 20;

/**
 * The registry's single writer. Every registration, local or from a peer, passes through this one
 * object, in three steps:
 *
 * 1. Queue: concurrent calls wait in `queue`; `drain` takes up to MAX_GROUP at a time (group commit),
 *    after GROUP_GATHER_MS when the last group showed concurrent writers.
 * 2. Decide and write (`commit`): read from D1 what the group needs (nothing for a group of local
 *    first registrations, see commit), let the pure planGroup
 *    (src/domain/sequencer-decisions.ts) decide idempotency, ids, seqs, refusals and statuses, sign
 *    the receipts of ids issued here, and write the whole group in ONE atomic D1 batch: a declaration
 *    and all its subjects are written entirely or not at all. A batch that fails because of one item
 *    is bisected (`commitGroup`), so only that item fails.
 * 3. After the commit (`afterCommit`): append the group to the transparency log (this object's own
 *    SQLite, see LogStore), sign one checkpoint, wake the peer links, update the similarity index,
 *    and start conflict detection beside the commits (detectConflictsUpTo).
 *    D1 is the source of truth; each of these is redone from D1 when it did not happen: the log and
 *    conflict detection when the object starts (catchUpLog, detectConflictsUpTo from its cursor).
 */
export class Sequencer extends DurableObject<Env> {
  private queue: Waiting[] = [];
  private draining = false;
  /** How many registrations the last group took: more than one means concurrent writers. */
  private lastGroupSize = 0;
  /** The next seq and id timestamp, read from D1 once per start (then kept here, by the one writer). */
  private next: Counters | null = null;
  private readonly log: LogStore;
  private readonly indexer: SimilarityIndexer;
  /** The end of the chain of writes: group commits and observations take seqs one after another. */
  private writes: Promise<unknown> = Promise.resolve();
  /** Peer links are being woken; `pokeAgain`: groups committed since, so wake them once more after. */
  private poking = false;
  private pokeAgain = false;
  /** A conflict detection run is under way (see detectConflictsUpTo); it detects up to `detectUpTo`. */
  private detecting = false;
  private detectUpTo = 0;
  /** What was committed since this object started, for conflict detection not to read it back from D1. */
  private readonly arrivals = new CommittedArrivals();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.log = new LogStore(ctx.storage.sql);
    this.indexer = new SimilarityIndexer(ctx.storage.sql);
  }

  async register(reqs: RegisterRequest[]): Promise<RegisterOutcome[]> {
    const results = reqs.map(
      (req) => new Promise<RegisterOutcome>((resolve, reject) => this.queue.push({ req, resolve, reject })),
    );
    if (!this.draining) void this.drain();
    return Promise.all(results);
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length) {
        // Under concurrent writers (the last group had several), the next group waits a moment for more.
        if (this.lastGroupSize > 1 && this.queue.length < MAX_GROUP) await sleep(GROUP_GATHER_MS);
        const group = this.queue.splice(0, MAX_GROUP);
        this.lastGroupSize = group.length;
        await this.inTurn(() => this.commitGroup(group));
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * Commits a group. If its batch fails because of an item (a constraint, an oversized value), the
   * group is split in two and each half committed in turn, down to the one item that fails, which
   * alone gets a problem. Nothing of a failed batch was written (D1 batches are atomic), and each
   * half is decided again from D1. Any other failure (D1 unreachable) fails the group's callers.
   */
  private async commitGroup(group: Waiting[]): Promise<void> {
    try {
      const outcomes = await this.commit(group.map((w) => w.req));
      group.forEach((w, i) => w.resolve(outcomes[i]!));
    } catch (e) {
      this.next = null;
      if (!isItemFailure(e)) {
        for (const w of group) w.reject(e);
      } else if (group.length === 1) {
        console.error("a registration could not be written", e);
        group[0]!.resolve({
          outcome: "rejected",
          status: 409,
          type: "write-conflict",
          title: "Conflicting write",
          detail: `the registry could not store this declaration: ${(e as Error).message}`,
        });
      } else {
        const half = Math.ceil(group.length / 2);
        await this.commitGroup(group.slice(0, half));
        await this.commitGroup(group.slice(half));
      }
    }
  }

  /** Runs `write` after every write before it has finished: one writer of seqs, whatever awaits inside. */
  private inTurn<T>(write: () => Promise<T>): Promise<T> {
    const done = this.writes.then(write, write);
    this.writes = done.catch(() => {});
    return done;
  }

  private async counters(db: Db, me: RegistryIdentity): Promise<Counters> {
    if (this.next) return this.next;
    const next = await nextCounters(db, me);
    await this.catchUpLog(next.seq - 1);
    // Records committed before this start that detection has not reached (it was evicted mid-run, or
    // the rows were written by a restore) are detected now, not only when the next commit comes.
    if (next.seq > 1) this.detectConflictsUpTo(next.seq - 1);
    if (similarityIndex(this.env).backend === "d1") this.indexer.forget();
    else if (this.indexer.cursor < next.seq - 1) await this.ctx.storage.setAlarm(Date.now());
    this.next = next;
    return this.next;
  }

  /** Re-indexes from D1 what the similarity index misses (see SimilarityIndexer), a bounded amount per alarm. */
  override async alarm(): Promise<void> {
    const index = similarityIndex(this.env);
    if (index.backend === "d1") return;
    const db = openDb(this.env.DB);
    try {
      const done = await this.indexer.catchUp(index, db, await lastSeq(db), INDEX_PAGES_PER_ALARM);
      if (!done) await this.ctx.storage.setAlarm(Date.now());
    } catch (e) {
      console.error(`similarity index catch-up failed (indexed up to seq ${this.indexer.cursor}); next try in ${INDEX_RETRY_MS / 1000} s`, e);
      await this.ctx.storage.setAlarm(Date.now() + INDEX_RETRY_MS);
    }
  }

  /**
   * The log must hold exactly the records of D1 (declarations and observations), in seq order. A group whose D1 batch
   * committed but whose log append did not (the object was evicted in between) is appended here,
   * from D1, before anything new is sequenced; a log longer than D1 means D1 lost rows, and the
   * registry refuses to write rather than fork its history.
   */
  private async catchUpLog(lastSeq: number): Promise<void> {
    const have = this.log.size();
    if (have > lastSeq) throw new Error(`transparency log has ${have} entries but D1 only ${lastSeq} records`);
    for (let after = have; after < lastSeq; after += 500) {
      await this.appendToLog(await logEntriesInRange(this.env.DB, after, Math.min(after + 500, lastSeq)));
    }
    if (!this.log.getState("checkpoint")) await this.appendToLog([]);
  }

  /** Appends entries and signs a checkpoint of the new tree (one signature per group commit). */
  private async appendToLog(entries: Uint8Array[]): Promise<void> {
    const size = this.log.append(entries, (fn) => this.ctx.storage.transactionSync(fn));
    const me = await registryIdentity(this.env);
    this.log.setState("checkpoint", await signedCheckpoint(me, size, this.log.root(size)));
  }

  /** The latest signed checkpoint (C2SP tlog-checkpoint note). */
  async checkpoint(): Promise<string> {
    await this.counters(openDb(this.env.DB), await registryIdentity(this.env));
    return this.log.getState("checkpoint")!;
  }

  /**
   * Notarizes an observation (src/flows/observe-origin.ts built and signed it): the next seq, a
   * receipt signed for it, the row in D1, then the log entry { observation, receipt } and a new
   * checkpoint, in turn with the group commits so seqs stay one order. As for declarations, D1 is
   * the source of truth: a failed log append is redone from D1 on the next write (catchUpLog).
   */
  async observe(observation: { type: "OptOutObservation"; url: string; host: string; observed_at: string }, digest: string, canonical: string): Promise<{ seq: number; receipt: ObservationReceipt }> {
    return this.inTurn(async () => {
      const db = openDb(this.env.DB);
      const me = await registryIdentity(this.env);
      const counters = await this.counters(db, me);
      const seq = counters.seq;
      const signer = receiptSigner(me);
      const receipt = (await signJson({ type: "OptOutObservationReceipt", seq, digest, registered_at: new Date().toISOString(), registry: me.name }, signer)) as ObservationReceipt;
      try {
        await insertObservation(db, { seq, digest, host: observation.host, url: observation.url, observedAt: observation.observed_at, body: canonical, receipt: JSON.stringify(receipt) });
      } catch (e) {
        this.next = null;
        throw e;
      }
      this.next = { ...counters, seq: seq + 1 };
      this.arrivals.observed(seq);
      try {
        await this.appendToLog([logEntry(observation, receipt)]);
      } catch (e) {
        console.error("log append of an observation failed; repaired from D1 on the next write", e);
        this.next = null;
      }
      return { seq, receipt };
    });
  }

  /** Inclusion proof of the record with `seq` in the tree of `size` (default: the checkpoint's). */
  async inclusionProof(seq: number, size?: number): Promise<{ size: number; index: number; proof: string[]; checkpoint: string } | { error: string }> {
    const checkpoint = await this.checkpoint();
    const current = this.log.size();
    const t = size ?? current;
    if (t > current || seq < 1 || seq > t) return { error: `no leaf ${seq - 1} in a tree of ${t} (the log has ${current})` };
    return { size: t, index: seq - 1, proof: this.log.inclusionProof(seq - 1, t).map(encodeBase64), checkpoint };
  }

  /** Consistency proof that the tree of `to` leaves extends the tree of `from` leaves. */
  async consistencyProof(from: number, to: number): Promise<{ from: number; to: number; proof: string[]; checkpoint: string } | { error: string }> {
    const checkpoint = await this.checkpoint();
    const current = this.log.size();
    if (from < 1 || from > to || to > current) return { error: `need 1 ≤ from ≤ to ≤ ${current}` };
    return { from, to, proof: this.log.consistencyProof(from, to).map(encodeBase64), checkpoint };
  }

  /** Stored hashes for a tile (see src/log/tiles.ts), concatenated. */
  async tileHashes(indexes: number[]): Promise<Uint8Array> {
    const hashes = this.log.hashes(indexes);
    const out = new Uint8Array(hashes.length * 32);
    hashes.forEach((h, i) => out.set(h, i * 32));
    return out;
  }

  async logSize(): Promise<number> {
    await this.checkpoint();
    return this.log.size();
  }

  private async commit(reqs: RegisterRequest[]): Promise<RegisterOutcome[]> {
    // The group reads and writes in one D1 session, so its bookmark after the commit can be handed
    // to the callers (read-your-writes on any replica without another round trip).
    const session = typeof this.env.DB.withSession === "function" ? this.env.DB.withSession("first-primary") : null;
    const d1 = session ?? this.env.DB;
    const db = openDb(d1);
    const me = await registryIdentity(this.env);
    const counters = await this.counters(db, me);
    const subs: Submission[] = reqs.map(({ prepared: p, peer }) => ({
      digest: p.digest,
      facts: recordFacts(p),
      ...(peer ? { delivered: { id: peer.receipt.id, origin: peer.receipt.registry } } : {}),
    }));
    const now = new Date();
    const nowMicros = BigInt(now.getTime()) * 1000n;
    const context = { me, next: counters, nowMicros, skewMicros: BigInt(LIMITS.timestampSkewMs) * 1000n };
    // A group of local first registrations (no peer's record, nothing superseded) needs from D1 only
    // that none of its digests and none of the ids it hands out is stored yet, and the unique indexes
    // on both say so when its batch commits: it is planned as if nothing were stored and written
    // without reading first (one D1 round trip a group instead of two). If a digest is stored (a
    // retry) or a peer's row holds one of its ids, the batch fails whole, writes nothing, and the
    // group is decided again from what D1 holds, as every other group is.
    if (subs.every((s) => !s.delivered && s.facts.supersedes === null)) {
      const plan = planGroup(subs, NOTHING_KNOWN, { ...context, avoid: new Set() });
      try {
        return await this.write(d1, db, session, reqs, plan, NOTHING_KNOWN, me, now);
      } catch (e) {
        if (!isItemFailure(e)) throw e;
      }
    }
    const delivered = subs.flatMap((s) => (s.delivered ? [s.delivered.id] : []));
    // The ids local items will get are read with the group, so one a peer's row holds is skipped.
    const candidates = candidateIds(counters, nowMicros, me.hubId, subs.length - delivered.length);
    const known = await readKnown(db, {
      digests: subs.map((s) => s.digest),
      ids: [...subs.flatMap((s) => (s.facts.supersedes ? [s.facts.supersedes] : [])), ...delivered, ...candidates],
      delivered,
    });
    const checked = new Set(candidates);
    const avoid = new Set<string>();
    let plan: GroupPlan;
    for (;;) {
      plan = planGroup(subs, known, { ...context, avoid });
      // Skipping a taken candidate hands out ids past the candidates: those are checked too (rarely needed).
      const unchecked = plan.decisions.flatMap((d) => (d.kind === "created" && d.issued && !checked.has(d.id) ? [d.id] : []));
      if (!unchecked.length) break;
      unchecked.forEach((id) => checked.add(id));
      const taken = await takenIds(db, unchecked);
      if (!taken.size) break;
      taken.forEach((id) => avoid.add(id));
    }
    return this.write(d1, db, session, reqs, plan, known, me, now);
  }

  /** Signs the receipts of ids issued here, writes the plan's rows in ONE atomic D1 batch, then what follows a commit. */
  private async write(d1: D1Database | D1DatabaseSession, db: Db, session: D1DatabaseSession | null, reqs: RegisterRequest[], plan: GroupPlan, known: KnownRows, me: RegistryIdentity, now: Date): Promise<RegisterOutcome[]> {
    // The rows to write; receipts of ids issued here are signed now (in parallel: none depends on another).
    const byDigest = new Map<string, NewDeclaration>();
    const signer = receiptSigner(me);
    await Promise.all(
      plan.decisions.map(async (d, i) => {
        if (d.kind !== "created") return;
        const { prepared, peer } = reqs[i]!;
        const receipt: Receipt = peer
          ? peer.receipt
          : // The controller check made at registration is signed in, for every other registry to decide from.
            ((await signJson({ type: "OptOutReceipt", id: d.id, seq: d.seq, digest: d.digest, registered_at: now.toISOString(), registry: me.name, ...(prepared.verification ? { verification: prepared.verification } : {}) }, signer)) as Receipt);
        byDigest.set(d.digest, { seq: d.seq, id: d.id, status: d.status, receipt, prepared, origin: peer?.receipt.registry ?? me.name, receivedFrom: peer?.name ?? null });
      }),
    );
    const rows = [...byDigest.values()].sort((a, b) => a.seq - b.seq);
    const tables = registrationRows(rows, now.toISOString());
    const writes = registrationWrites(d1, tables, plan.statusChanges);
    if (writes.length) await d1.batch(writes);
    this.next = plan.next;
    this.arrivals.committed(tables);

    if (rows.length) {
      try {
        await this.afterCommit(db, rows, plan.statusChanges);
      } catch (e) {
        // The group is in D1 and its callers get their receipts; forgetting the counters makes
        // the next call re-read D1 and append what the log misses (catchUpLog).
        console.error("after-commit step failed; repaired from D1 on the next write", e);
        this.next = null;
      }
    }
    const bookmark = session?.getBookmark() ?? undefined;
    return plan.decisions.map((d): RegisterOutcome => {
      if (d.kind === "refused") return { outcome: "rejected", ...d.refusal };
      const receipt = byDigest.get(d.digest)?.receipt ?? (JSON.parse(known.byDigest.get(d.digest)!.receipt) as Receipt);
      return { outcome: d.kind, id: d.id, seq: d.seq, digest: d.digest, status: d.status, receipt, ...(bookmark ? { bookmark } : {}) };
    });
  }

  /**
   * Wakes every peer link to push what lies past its cursor. Wake-ups coalesce: each first waits
   * PEER_WAKE_GATHER_MS, and while one is under way (a read of the peers table and one call per link),
   * groups committed meanwhile are pushed by one more wake-up after it, not one each; a link pushes
   * everything past its cursor anyway.
   */
  private wakePeers(): void {
    if (this.poking) {
      this.pokeAgain = true;
      return;
    }
    this.poking = true;
    this.ctx.waitUntil(
      (async () => {
        try {
          do {
            await sleep(PEER_WAKE_GATHER_MS);
            this.pokeAgain = false;
            await pokePeers(this.env);
          } while (this.pokeAgain);
        } finally {
          this.poking = false;
        }
      })(),
    );
  }

  /**
   * Conflict detection (src/store/conflict-detection.ts) runs beside the commits, not in their turn:
   * it costs several D1 reads and a similarity search per batch of records, and no registration
   * waits for it. It goes in registry order behind its own cursor in D1, so one run at a time
   * (`detecting`); groups committed meanwhile raise `detectUpTo` and are taken by the same run, many
   * groups per pass; a pass that would take only the newest groups first waits CONFLICT_GATHER_MS for
   * more. What fails is detected from the cursor by the run the next commit (or the next start) starts.
   */
  private detectConflictsUpTo(seq: number): void {
    this.detectUpTo = Math.max(this.detectUpTo, seq);
    if (this.detecting) return;
    this.detecting = true;
    this.ctx.waitUntil(
      (async () => {
        try {
          // Caught up to what it last took: the next pass would be only the newest groups, so gather first.
          let caughtUp = true;
          for (;;) {
            if (caughtUp) await sleep(CONFLICT_GATHER_MS);
            const upTo = this.detectUpTo;
            const { told, done } = await detectConflicts(openDb(this.env.DB), this.env.DB, upTo, CONFLICT_RECORDS_PER_RUN, undefined, this.arrivals);
            // Notifications are in D1 with the conflicts; the Notifier delivers them (fire-and-forget).
            if (told > 0) this.ctx.waitUntil(notifier(this.env).poke().catch((e: unknown) => console.error("poking the notifier failed; its next alarm delivers", e)));
            if (done && upTo === this.detectUpTo) break;
            caughtUp = done;
          }
        } catch (e) {
          console.error("conflict detection failed; the next commit detects from where it stopped", e);
        } finally {
          this.detecting = false;
        }
      })(),
    );
  }

  /**
   * Everything that follows a committed group, in registry order. D1 is the source of truth: each
   * step here can be redone from it, so a failure is logged and repaired, never half-applied to D1.
   */
  private async afterCommit(db: Db, rows: NewDeclaration[], statusChanges: GroupPlan["statusChanges"]): Promise<void> {
    // Federation: the rows are in D1, so every peer's outbox (its cursor over seq) already holds
    // them; wake each PeerLink to push now. Fire-and-forget: a peer never slows a registration.
    this.wakePeers();
    await this.appendToLog(rows.map((r) => logEntryOfCanonical(signedRecord(r.prepared), r.prepared.canonical, r.receipt)));
    this.detectConflictsUpTo(rows[rows.length - 1]!.seq);
    const index = similarityIndex(this.env);
    if (index.backend === "d1") return;
    const first = rows[0]!.seq;
    const last = rows[rows.length - 1]!.seq;
    const created = rows.map((r) => ({
      seq: r.seq,
      status: r.status,
      // A revocation's subjects are not stored, so they are not indexed either (registrationWrites).
      units: isMandate(r.prepared) || r.prepared.declaration.intent === "revoke" ? [] : r.prepared.units.map((u) => ({ seq: r.seq, unitType: u.unitType, code: u.code, bodyHex: u.bodyHex })),
    }));
    try {
      const done = await this.indexer.committed(index, db, first, last, () => changeFromCommit(db, created, statusChanges));
      if (!done) await this.ctx.storage.setAlarm(Date.now());
    } catch (e) {
      // The declarations are committed; the alarm redoes from D1 what the index missed (catchUp).
      console.error(`similarity index update for seq ${first}–${last} failed; re-indexed from D1 after seq ${this.indexer.cursor}, next try in ${INDEX_RETRY_MS / 1000} s`, e);
      await this.ctx.storage.setAlarm(Date.now() + INDEX_RETRY_MS);
    }
  }
}

/** What a group of local first registrations is planned against: nothing stored (see commit). */
const NOTHING_KNOWN: KnownRows = { byDigest: new Map(), byId: new Map(), naming: new Map() };

/** One signer per identity: building one checks that the public key belongs to the secret key (a scalar multiplication). */
const signers = new WeakMap<RegistryIdentity, Keypair>();
function receiptSigner(me: RegistryIdentity): Keypair {
  let k = signers.get(me);
  if (!k) signers.set(me, (k = { secretKey: me.secretKey, publicKey: me.publicKey, controller: me.controller }));
  return k;
}

/** A failure that one item of a batch can cause (as opposed to D1 being unreachable): worth bisecting. */
function isItemFailure(e: unknown): boolean {
  const text = `${(e as Error)?.message ?? e} ${((e as Error)?.cause as Error | undefined)?.message ?? ""}`;
  return /SQLITE_CONSTRAINT|constraint failed|SQLITE_TOOBIG|too big/i.test(text);
}
