import { DurableObject } from "cloudflare:workers";
import { eq, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { PreparedDeclaration } from "../domain/declaration";
import type { FieldError } from "../domain/field-error";
import { signJson } from "../domain/iscc-sig";
import type { Env } from "../env";
import { genIsccIdV1, parseIsccIdV1 } from "../iscc/index";
import { registryIdentity } from "../registry-identity";
import { similarityIndex } from "../similarity/select-index";
import { pokePeers } from "./peer-link";
import { chunks, openDb, rowsPerInsert, type Db } from "../store/db";
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
    return this.next;
  }

  private async commit(reqs: RegisterRequest[]): Promise<RegisterOutcome[]> {
    const db = openDb(this.env.DB);
    const me = await registryIdentity(this.env);
    const counters = await this.counters(db, me.hubId);
    const outcomes: (RegisterOutcome | undefined)[] = new Array(reqs.length);

    const existing = new Map<string, Registered>();
    for (const part of chunks(unique(reqs.map((r) => r.prepared.digest)), 99)) {
      const rows = await db
        .select({ id: declarations.id, seq: declarations.seq, digest: declarations.digest, status: declarations.status, receipt: declarations.receipt })
        .from(declarations)
        .where(inArray(declarations.digest, part));
      for (const r of rows)
        existing.set(r.digest, { outcome: "exists", id: r.id, seq: r.seq, digest: r.digest, status: r.status, receipt: JSON.parse(r.receipt) });
    }

    const targets = new Map<string, Target>();
    const targetIds = unique(reqs.flatMap((r) => (r.prepared.declaration.supersedes ? [r.prepared.declaration.supersedes] : [])));
    for (const part of chunks(targetIds, 99)) {
      const rows = await db
        .select({ id: declarations.id, intent: declarations.intent, status: declarations.status, declarant: declarations.declarant, controller: declarations.controller, controllerVerified: declarations.controllerVerified })
        .from(declarations)
        .where(inArray(declarations.id, part));
      for (const r of rows) targets.set(r.id, r);
    }

    // Declarations from peers keep their id, so a revoke or update may already be here, waiting;
    // and an id already used by a different declaration must be refused, not overwritten.
    const waitingSupersessions = new Map<string, Target[]>();
    const takenIds = new Set<string>();
    const originIds = reqs.flatMap((r) => (r.peer ? [r.peer.receipt.id] : []));
    for (const part of chunks(unique(originIds), 99)) {
      for (const r of await db.select({ id: declarations.id }).from(declarations).where(inArray(declarations.id, part)))
        takenIds.add(r.id);
      const rows = await db
        .select({ id: declarations.id, intent: declarations.intent, status: declarations.status, declarant: declarations.declarant, controller: declarations.controller, controllerVerified: declarations.controllerVerified, supersedes: declarations.supersedes })
        .from(declarations)
        .where(inArray(declarations.supersedes, part));
      for (const r of rows) waitingSupersessions.set(r.supersedes!, [...(waitingSupersessions.get(r.supersedes!) ?? []), r]);
    }

    const writes: BatchItem<"sqlite">[] = [];
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
        receipt = (await signJson(
          { type: "OptOutReceipt", id, seq, digest: p.digest, registered_at: now.toISOString(), registry: me.name },
          { secretKey: me.secretKey, publicKey: me.publicKey, controller: me.controller },
        )) as Receipt;
      }

      let status: DeclarationStatus = "active";
      for (const s of waitingSupersessions.get(id) ?? []) {
        if (!mayActOn(s, p)) continue;
        status = s.intent === "revoke" ? "revoked" : status === "revoked" ? "revoked" : "superseded";
      }

      writes.push(...insertStatements(db, seq, id, status, p, receipt, req.peer?.receipt.registry ?? me.name, req.peer?.name ?? null, now));
      if (target && mayActOn(p, target)) {
        const newStatus = d.intent === "revoke" ? "revoked" : "superseded";
        writes.push(
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
      created.set(p.digest, reg);
      createdById.set(id, reg);
      targets.set(id, { id, intent: d.intent, status, declarant: p.declarant, controller: p.controller, controllerVerified: p.controllerVerified });
      // A peer's update or revoke whose target is not here yet waits for it, within this group too.
      if (d.supersedes && !target)
        waitingSupersessions.set(d.supersedes, [...(waitingSupersessions.get(d.supersedes) ?? []), { id, intent: d.intent, status, declarant: p.declarant, controller: p.controller, controllerVerified: p.controllerVerified }]);
      outcomes[i] = reg;
      seq += 1;
    }

    if (writes.length) await db.batch(writes as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
    this.next = { seq, micros };
    if (committed.length) await this.afterCommit(committed);
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
    const units = committed.flatMap((c) =>
      c.prepared.declaration.intent === "revoke" ? [] : c.prepared.units.map((u) => ({ seq: c.seq, unitType: u.unitType, code: u.code, bodyHex: u.bodyHex })),
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

function insertStatements(
  db: Db,
  seq: number,
  id: string,
  status: DeclarationStatus,
  p: PreparedDeclaration,
  receipt: Receipt,
  origin: string,
  receivedFrom: string | null,
  now: Date,
): BatchItem<"sqlite">[] {
  const d = p.declaration;
  const out: BatchItem<"sqlite">[] = [
    db.insert(declarations).values({
      seq,
      id,
      digest: p.digest,
      hubId: parseIsccIdV1(id).hubId,
      intent: d.intent,
      supersedes: d.supersedes ?? null,
      status,
      declarant: p.declarant,
      controller: p.controller,
      controllerVerified: p.controllerVerified,
      timestamp: d.timestamp,
      registeredAt: receipt.registered_at,
      receivedAt: now.toISOString(),
      origin,
      receivedFrom,
      preferences: JSON.stringify(d.preferences ?? {}),
      body: p.canonical,
      receipt: JSON.stringify(receipt),
    }),
  ];
  // A revocation's subjects (if any) only say what it is about; they must not match lookups.
  if (d.intent === "revoke") return out;
  for (const rows of chunks(p.urls, rowsPerInsert(6)))
    out.push(db.insert(urlRules).values(rows.map((u) => ({ seq, kind: u.kind, pattern: u.pattern, host: u.host, key: u.key, verification: u.verification }))));
  for (const rows of chunks(p.units, rowsPerInsert(8)))
    out.push(
      db.insert(isccUnits).values(
        rows.map((u) => ({ seq, unitType: u.unitType, code: u.code, bodyHex: u.bodyHex, b0: u.bands[0], b1: u.bands[1], b2: u.bands[2], b3: u.bands[3] })),
      ),
    );
  if (p.datahash) out.push(db.insert(datahashes).values({ seq, datahash: p.datahash }));
  return out;
}
