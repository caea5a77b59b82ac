import { DurableObject } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { PreparedDeclaration } from "../domain/declaration";
import type { FieldError } from "../domain/field-error";
import { signJson } from "../domain/iscc-sig";
import type { Env } from "../env";
import { genIsccIdV1, MainType, parseIsccIdV1 } from "../iscc/index";
import { registryIdentity } from "../registry-identity";
import { encodeBase64 } from "../encoding/base64";
import { logEntry } from "../log/entry";
import { similarityIndex } from "../similarity/select-index";
import { pokePeers } from "./peer-link";
import { signedCheckpoint } from "./log-checkpoint";
import { LogStore } from "./log-store";
import { inList, insertRows } from "../store/bound-parameters";
import { openDb, type Db } from "../store/db";
import type { DeclarationStatus, Receipt } from "../store/receipt";
import { datahashes, declarations, isccUnits, urlRules } from "../store/schema";

/**
 * A declaration to register. `peer` is set when a partner registry delivered it: it keeps the id
 * and receipt its origin registry gave it (`receipt.registry`), and `peer.name` is who delivered it.
 */
export interface RegisterRequest {
  prepared: PreparedDeclaration;
  peer?: { name: string; receipt: Receipt };
}

export interface Registered {
  outcome: "created" | "exists";
  id: string;
  seq: number;
  digest: string;
  status: DeclarationStatus;
  receipt: Receipt;
}

export interface Rejected {
  outcome: "rejected";
  status: 403 | 404 | 409 | 422;
  type: string;
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

/** What deciding a supersession needs of a declaration (see Target). */
const TARGET_COLUMNS = {
  id: declarations.id,
  intent: declarations.intent,
  status: declarations.status,
  declarant: declarations.declarant,
  controller: declarations.controller,
  controllerVerified: declarations.controllerVerified,
};

/** The most declarations committed in one D1 batch (group commit). */
const MAX_GROUP = 1000;

interface Target {
  id: string;
  intent: string;
  status: DeclarationStatus;
  declarant: string;
  controller: string | null;
  controllerVerified: boolean;
}

/**
 * The registry's single writer. Every registration passes through this one object, which makes
 * ordering decisions that need a global view: idempotency by digest, who may supersede what,
 * the strictly increasing ISCC-ID timestamp and the gapless sequence number. Concurrent calls
 * are queued and committed together in one atomic D1 batch per group: a declaration and all its
 * subjects are written entirely or not at all.
 */
export class Sequencer extends DurableObject<Env> {
  private queue: Waiting[] = [];
  private draining = false;
  private next: { seq: number; micros: bigint } | null = null;
  private readonly log: LogStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.log = new LogStore(ctx.storage.sql);
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
        const group = this.queue.splice(0, MAX_GROUP);
        try {
          const outcomes = await this.commit(group.map((w) => w.req));
          group.forEach((w, i) => w.resolve(outcomes[i]!));
        } catch (e) {
          // Nothing of the group was written (D1 batches are atomic); re-read the counters.
          this.next = null;
          for (const w of group) w.reject(e);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async counters(db: Db, hubId: number): Promise<{ seq: number; micros: bigint }> {
    if (this.next) return this.next;
    const [max] = await db.select({ seq: sql<number | null>`max(${declarations.seq})` }).from(declarations);
    const [last] = await db
      .select({ id: declarations.id })
      .from(declarations)
      .where(eq(declarations.hubId, hubId))
      .orderBy(sql`${declarations.seq} desc`)
      .limit(1);
    this.next = { seq: (max?.seq ?? 0) + 1, micros: last ? parseIsccIdV1(last.id).timestampMicros + 1n : 0n };
    await this.catchUpLog(db, this.next.seq - 1);
    return this.next;
  }

  /**
   * The log must hold exactly the declarations of D1, in seq order. A group whose D1 batch
   * committed but whose log append did not (the object was evicted in between) is appended here,
   * from D1, before anything new is sequenced; a log longer than D1 means D1 lost rows, and the
   * registry refuses to write rather than fork its history.
   */
  private async catchUpLog(db: Db, lastSeq: number): Promise<void> {
    const have = this.log.size();
    if (have > lastSeq) throw new Error(`transparency log has ${have} entries but D1 only ${lastSeq} declarations`);
    for (let from = have + 1; from <= lastSeq; from += 500) {
      const rows = await db
        .select({ seq: declarations.seq, body: declarations.body, receipt: declarations.receipt })
        .from(declarations)
        .where(sql`${declarations.seq} >= ${from} and ${declarations.seq} < ${from + 500}`)
        .orderBy(declarations.seq);
      await this.appendToLog(rows.map((r) => logEntry(JSON.parse(r.body), JSON.parse(r.receipt))));
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
    await this.counters(openDb(this.env.DB), (await registryIdentity(this.env)).hubId);
    return this.log.getState("checkpoint")!;
  }

  /** Inclusion proof of the declaration with `seq` in the tree of `size` (default: the checkpoint's). */
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
    const db = openDb(this.env.DB);
    const me = await registryIdentity(this.env);
    const counters = await this.counters(db, me.hubId);
    const outcomes: (RegisterOutcome | undefined)[] = new Array(reqs.length);

    const existing = new Map<string, Registered>();
    {
      const rows = await db
        .select({ id: declarations.id, seq: declarations.seq, digest: declarations.digest, status: declarations.status, receipt: declarations.receipt })
        .from(declarations)
        .where(inList(declarations.digest, unique(reqs.map((r) => r.prepared.digest))));
      for (const r of rows)
        existing.set(r.digest, { outcome: "exists", id: r.id, seq: r.seq, digest: r.digest, status: r.status, receipt: JSON.parse(r.receipt) });
    }

    const targets = new Map<string, Target>();
    const targetIds = unique(reqs.flatMap((r) => (r.prepared.declaration.supersedes ? [r.prepared.declaration.supersedes] : [])));
    if (targetIds.length) {
      const rows = await db.select(TARGET_COLUMNS).from(declarations).where(inList(declarations.id, targetIds));
      for (const r of rows) targets.set(r.id, r);
    }

    // Declarations from peers keep their id, so a revoke or update may already be here, waiting;
    // and an id already used by a different declaration must be refused, not overwritten.
    const waitingSupersessions = new Map<string, Target[]>();
    const takenIds = new Set<string>();
    const originIds = reqs.flatMap((r) => (r.peer ? [r.peer.receipt.id] : []));
    if (originIds.length) {
      const part = unique(originIds);
      for (const r of await db.select({ id: declarations.id }).from(declarations).where(inList(declarations.id, part)))
        takenIds.add(r.id);
      const rows = await db
        .select({ ...TARGET_COLUMNS, supersedes: declarations.supersedes })
        .from(declarations)
        .where(inList(declarations.supersedes, part));
      for (const r of rows) waitingSupersessions.set(r.supersedes!, [...(waitingSupersessions.get(r.supersedes!) ?? []), r]);
    }

    /** Status changes of earlier declarations; they run after this group's inserts. */
    const updates: BatchItem<"sqlite">[] = [];
    const written: Written[] = [];
    const created = new Map<string, Registered>();
    const createdById = new Map<string, Registered>();
    const committed: Committed[] = [];
    const now = new Date();
    let seq = counters.seq;
    let micros = counters.micros;

    for (const [i, req] of reqs.entries()) {
      const p = req.prepared;
      const d = p.declaration;
      const known = existing.get(p.digest) ?? created.get(p.digest);
      if (known) {
        outcomes[i] = { ...known, outcome: "exists" };
        continue;
      }
      if (req.peer && (takenIds.has(req.peer.receipt.id) || createdById.has(req.peer.receipt.id))) {
        outcomes[i] = reject(409, "id-conflict", "Id already used", `${req.peer.receipt.id} already names another declaration`);
        continue;
      }
      const target = d.supersedes ? targets.get(d.supersedes) : undefined;
      if (d.supersedes) {
        const refusal = supersessionRefusal(p, target, !req.peer);
        if (refusal) {
          outcomes[i] = refusal;
          continue;
        }
      }

      let id: string;
      let receipt: Receipt;
      if (req.peer) {
        id = req.peer.receipt.id;
        receipt = req.peer.receipt;
      } else {
        const nowMicros = BigInt(now.getTime()) * 1000n;
        micros = nowMicros > micros ? nowMicros : micros;
        id = genIsccIdV1({ timestampMicros: micros, hubId: me.hubId });
        micros += 1n;
        // Signed below, all at once: the signatures do not depend on each other.
        receipt = { type: "OptOutReceipt", id, seq, digest: p.digest, registered_at: now.toISOString(), registry: me.name };
      }

      let status: DeclarationStatus = "active";
      for (const s of waitingSupersessions.get(id) ?? []) {
        if (!mayActOn(s, p)) continue;
        status = s.intent === "revoke" ? "revoked" : status === "revoked" ? "revoked" : "superseded";
      }

      if (target && mayActOn(p, target)) {
        const newStatus = d.intent === "revoke" ? "revoked" : "superseded";
        updates.push(
          db
            .update(declarations)
            .set({ status: newStatus })
            .where(newStatus === "revoked" ? eq(declarations.id, target.id) : sql`${declarations.id} = ${target.id} and ${declarations.status} != 'revoked'`),
        );
        target.status = newStatus === "revoked" || target.status === "revoked" ? "revoked" : "superseded";
        const sibling = createdById.get(target.id);
        if (sibling) sibling.status = target.status;
      }
      const reg: Registered = { outcome: "created", id, seq, digest: p.digest, status, receipt };
      committed.push({ seq, id, prepared: p, receipt, from: req.peer?.name ?? null });
      written.push({ reg, prepared: p, origin: req.peer?.receipt.registry ?? me.name, receivedFrom: req.peer?.name ?? null, sign: !req.peer });
      created.set(p.digest, reg);
      createdById.set(id, reg);
      targets.set(id, { id, intent: d.intent, status, declarant: p.declarant, controller: p.controller, controllerVerified: p.controllerVerified });
      // A peer's update or revoke whose target is not here yet waits for it, within this group too.
      if (d.supersedes && !target)
        waitingSupersessions.set(d.supersedes, [...(waitingSupersessions.get(d.supersedes) ?? []), { id, intent: d.intent, status, declarant: p.declarant, controller: p.controller, controllerVerified: p.controllerVerified }]);
      outcomes[i] = reg;
      seq += 1;
    }

    const signer = { secretKey: me.secretKey, publicKey: me.publicKey, controller: me.controller };
    await Promise.all(
      written.map(async (w, k) => {
        if (!w.sign) return;
        w.reg.receipt = (await signJson(w.reg.receipt, signer)) as Receipt;
        committed[k]!.receipt = w.reg.receipt;
      }),
    );
    const writes = [...insertStatements(db, written, now), ...updates];
    if (writes.length) await db.batch(writes as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
    this.next = { seq, micros };
    if (committed.length) {
      try {
        await this.afterCommit(committed);
      } catch (e) {
        // The group is in D1 and its callers get their receipts; forgetting the counters makes
        // the next call re-read D1 and append what the log misses (catchUpLog).
        console.error("after-commit step failed; repaired from D1 on the next write", e);
        this.next = null;
      }
    }
    return outcomes as RegisterOutcome[];
  }

  /**
   * Everything that follows a committed group, in registry order. D1 is the source of truth: each
   * step here can be redone from it, so a failure is logged and repaired, never half-applied to D1.
   */
  private async afterCommit(committed: Committed[]): Promise<void> {
    // Federation: the rows are in D1, so every peer's outbox (its cursor over seq) already holds
    // them; wake each PeerLink to push now. Fire-and-forget: a peer never slows a registration.
    this.ctx.waitUntil(pokePeers(this.env));
    await this.appendToLog(committed.map((c) => logEntry(c.prepared.declaration, c.receipt)));
    const units = committed.flatMap((c) =>
            // Instance units match exactly, always from D1; only similarity units need vectors.
      c.prepared.declaration.intent === "revoke"
        ? []
        : c.prepared.units.filter((u) => u.maintype !== MainType.INSTANCE).map((u) => ({ seq: c.seq, unitType: u.unitType, code: u.code, bodyHex: u.bodyHex })),
    );
    const index = similarityIndex(this.env);
    if (units.length && index.backend !== "d1") {
      try {
        await index.index(units);
      } catch (e) {
        console.error("similarity index update failed; units stay matchable once re-indexed from D1", e);
      }
    }
  }
}

/** A declaration written by the last group, as later steps (log, peers, index) need it. */
export interface Committed {
  seq: number;
  id: string;
  prepared: PreparedDeclaration;
  receipt: Receipt;
  /** The peer registry it came from, if any (so it is not echoed back there). */
  from: string | null;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function reject(status: Rejected["status"], type: string, title: string, detail: string, errors?: FieldError[]): Rejected {
  return { outcome: "rejected", status, type, title, detail, ...(errors ? { errors } : {}) };
}

/** SPEC: only the same key, or the same controller once verified, may update or revoke. */
function mayActOn(
  actor: { declarant: string; controller: string | null; controllerVerified: boolean },
  target: { declarant: string; controller: string | null; controllerVerified: boolean },
): boolean {
  if (actor.declarant === target.declarant) return true;
  return actor.controllerVerified && target.controllerVerified && actor.controller !== null && actor.controller === target.controller;
}

/**
 * Why a supersession is refused, or null. Local requests must name a live declaration of the same
 * declarant. A peer's may arrive before its target (it then waits), but never from the wrong key.
 */
function supersessionRefusal(p: PreparedDeclaration, target: Target | undefined, local: boolean): Rejected | null {
  if (!target) {
    if (!local) return null;
    return reject(404, "unknown-declaration", "Unknown declaration", `${p.declaration.supersedes} is not registered here`, [
      { pointer: "/supersedes", detail: "no such declaration" },
    ]);
  }
  if (!mayActOn(p, target))
    return reject(403, "wrong-key", "Not the declarant", `${target.id} was declared by another key; only its declarant (or its verified controller) may ${p.declaration.intent} it`, [
      { pointer: "/supersedes", detail: "declared by another key" },
    ]);
  if (target.intent === "revoke")
    return reject(409, "not-supersedable", "Cannot supersede a revocation", `${target.id} is itself a revocation`, [
      { pointer: "/supersedes", detail: "is a revocation" },
    ]);
  if (local && target.status !== "active")
    return reject(409, "not-active", "Declaration is not active", `${target.id} is already ${target.status}`, [
      { pointer: "/supersedes", detail: `already ${target.status}` },
    ]);
  return null;
}

/** A declaration this group writes, with what its rows need beyond the declaration itself. */
interface Written {
  reg: Registered;
  prepared: PreparedDeclaration;
  origin: string;
  receivedFrom: string | null;
  /** Local registrations get a receipt signed by this registry; peers' keep their origin's. */
  sign: boolean;
}

/**
 * The group's rows as multi-row inserts, table by table: a thousand declarations become a few
 * hundred statements instead of thousands, each within the 100 bound parameters (insertRows).
 * Statuses are final here (a declaration superseded within the same group is written so).
 */
function insertStatements(db: Db, written: Written[], now: Date): BatchItem<"sqlite">[] {
  const receivedAt = now.toISOString();
  const declRows = written.map(({ reg, prepared: p, origin, receivedFrom }) => ({
    seq: reg.seq,
    id: reg.id,
    digest: p.digest,
    hubId: parseIsccIdV1(reg.id).hubId,
    intent: p.declaration.intent,
    supersedes: p.declaration.supersedes ?? null,
    status: reg.status,
    declarant: p.declarant,
    controller: p.controller,
    controllerVerified: p.controllerVerified,
    timestamp: p.declaration.timestamp,
    registeredAt: reg.receipt.registered_at,
    receivedAt,
    origin,
    receivedFrom,
    preferences: JSON.stringify(p.declaration.preferences ?? {}),
    vocabulary: p.vocabulary,
    body: p.canonical,
    receipt: JSON.stringify(reg.receipt),
  }));
  // A revocation's subjects (if any) only say what it is about; they must not match lookups.
  const subjects = written.filter((w) => w.prepared.declaration.intent !== "revoke");
  const urlRows = subjects.flatMap(({ reg, prepared }) =>
    prepared.urls.map((u) => ({ seq: reg.seq, kind: u.kind, pattern: u.pattern, host: u.host, key: u.key, verification: u.verification })),
  );
  const unitRows = subjects.flatMap(({ reg, prepared }) =>
    prepared.units.map((u) => ({ seq: reg.seq, unitType: u.unitType, code: u.code, bodyHex: u.bodyHex, b0: u.bands[0], b1: u.bands[1], b2: u.bands[2], b3: u.bands[3] })),
  );
  const hashRows = subjects.flatMap(({ reg, prepared }) => (prepared.datahash ? [{ seq: reg.seq, datahash: prepared.datahash }] : []));
  return [
    ...insertRows(db, declarations, declRows),
    ...insertRows(db, urlRules, urlRows),
    ...insertRows(db, isccUnits, unitRows),
    ...insertRows(db, datahashes, hashRows),
  ];
}
