import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { IDENTIFIER_KINDS } from "../domain/work-identifier";

/**
 * Every declaration this registry holds, local or received from a peer, in registry order.
 * `seq` is assigned by the sequencer Durable Object, gapless together with the observations'
 * seqs (both are leaves of one log); `id` is the ISCC-ID the origin registry gave it and never
 * changes as it travels between registries.
 * Mandates are sequenced, logged and federated the same way, so they are rows here too (`kind` =
 * mandate, its grant in `mandates`); everything that reads declarations asks for kind = declaration.
 */
export const declarations = sqliteTable(
  "declarations",
  {
    seq: integer("seq").primaryKey(),
    id: text("id").notNull(),
    digest: text("digest").notNull(),
    hubId: integer("hub_id").notNull(),
    intent: text("intent", { enum: ["activate", "update", "revoke"] }).notNull(),
    supersedes: text("supersedes"),
    status: text("status", { enum: ["active", "superseded", "revoked"] }).notNull(),
    declarant: text("declarant").notNull(),
    controller: text("controller"),
    controllerVerified: integer("controller_verified", { mode: "boolean" }).notNull(),
    timestamp: text("timestamp").notNull(),
    registeredAt: text("registered_at").notNull(),
    receivedAt: text("received_at").notNull(),
    origin: text("origin").notNull(),
    /** The peer registry that delivered it here (null when registered locally): not pushed back there. */
    receivedFrom: text("received_from"),
    preferences: text("preferences").notNull(),
    /** The vocabulary `preferences` is in (src/domain/preferences.ts); rows from before it existed are 1. */
    vocabulary: integer("vocabulary").notNull().default(1),
    body: text("body").notNull(),
    receipt: text("receipt").notNull(),
    kind: text("kind", { enum: ["declaration", "mandate"] }).notNull().default("declaration"),
    /** Who else may update or revoke it: the member an agent's declaration is for, a mandate's agent. */
    alsoBy: text("also_by"),
  },
  // also_by, controller and supersedes are null in most declarations, and every read of them tests
  // a value (=, IN), which SQLite answers from an index holding only the rows that have one: D1
  // bills each index entry a row written, and a full index wrote three entries of null per declaration.
  (t) => [
    uniqueIndex("declarations_id").on(t.id),
    index("declarations_also_by").on(t.alsoBy, t.kind).where(sql`also_by IS NOT NULL`),
    index("declarations_controller").on(t.controller).where(sql`controller IS NOT NULL`),
    uniqueIndex("declarations_digest").on(t.digest),
    index("declarations_declarant").on(t.declarant, t.seq),
    index("declarations_supersedes").on(t.supersedes).where(sql`supersedes IS NOT NULL`),
  ],
);

/**
 * URL subjects. `key` is the scheme-less match key (exact URL, or the prefix before `*`);
 * `host` is what lookups index on: the URL's host, or for `*.example.com` the domain itself.
 */
export const urlRules = sqliteTable(
  "url_rules",
  {
    seq: integer("seq").notNull(),
    kind: text("kind", { enum: ["exact", "prefix", "host"] }).notNull(),
    pattern: text("pattern").notNull(),
    host: text("host").notNull(),
    key: text("key").notNull(),
    verification: text("verification", { enum: ["domain-verified", "self-asserted"] }).notNull(),
  },
  // url_rules_host carries the key, so a lookup's prefix arm tests a host's prefix rules from the
  // index alone and reads the table only for the rules that cover the URL (store/url-rules-lookup.ts).
  (t) => [index("url_rules_key").on(t.key), index("url_rules_host").on(t.host, t.kind, t.key), index("url_rules_seq").on(t.seq)],
);

/**
 * ISCC units of every declaration's `iscc` subject. `bodyHex` is the whole unit body (for exact
 * comparisons); `b0`..`b3` are the four 16-bit bands of its first 64 bits, the keys of the
 * multi-index Hamming search (see src/similarity/bands.ts for why four bands give full recall).
 */
export const isccUnits = sqliteTable(
  "iscc_units",
  {
    seq: integer("seq").notNull(),
    unitType: text("unit_type").notNull(),
    code: text("code").notNull(),
    bodyHex: text("body_hex").notNull(),
    b0: integer("b0").notNull(),
    b1: integer("b1").notNull(),
    b2: integer("b2").notNull(),
    b3: integer("b3").notNull(),
  },
  (t) => [
    index("iscc_units_b0").on(t.unitType, t.b0),
    index("iscc_units_b1").on(t.unitType, t.b1),
    index("iscc_units_b2").on(t.unitType, t.b2),
    index("iscc_units_b3").on(t.unitType, t.b3),
    index("iscc_units_seq").on(t.seq),
  ],
);

/** File-hash subjects (`1e20` + BLAKE3, the multihash iscc-core emits as `datahash`). */
export const datahashes = sqliteTable(
  "datahashes",
  {
    seq: integer("seq").notNull(),
    datahash: text("datahash").notNull(),
  },
  (t) => [index("datahashes_datahash").on(t.datahash), index("datahashes_seq").on(t.seq)],
);

/**
 * Work-identifier subjects (ISRC, ISWC, ISNI, ISBN, DOI), each in its canonical form
 * (src/domain/work-identifier.ts), matched exactly by kind and value.
 */
export const workIdentifiers = sqliteTable(
  "work_identifiers",
  {
    seq: integer("seq").notNull(),
    kind: text("kind", { enum: IDENTIFIER_KINDS }).notNull(),
    value: text("value").notNull(),
  },
  (t) => [index("work_identifiers_value").on(t.kind, t.value), index("work_identifiers_seq").on(t.seq)],
);

/**
 * Partner registries (operator-managed). `name` is the peer's REGISTRY_NAME, the value its receipts
 * carry in `registry`; `public_key` verifies its webhooks and its receipts. Delivery state (cursors,
 * retries) lives in the peer's PeerLink Durable Object, not here.
 */
export const peers = sqliteTable("peers", {
  name: text("name").primaryKey(),
  url: text("url").notNull(),
  publicKey: text("public_key").notNull(),
  addedAt: text("added_at").notNull(),
});

/**
 * `webhook-id`s already processed, per sending peer, so a replayed delivery changes nothing. Kept
 * well beyond the ±5-minute timestamp window (a replay older than the window is refused as stale).
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    peer: text("peer").notNull(),
    webhookId: text("webhook_id").notNull(),
    receivedAt: text("received_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [uniqueIndex("webhook_deliveries_peer_id").on(t.peer, t.webhookId), index("webhook_deliveries_expires").on(t.expiresAt)],
);

/**
 * Notarized observations (POST /v1/observations): what this registry fetched from an origin, signed
 * by it and appended to the transparency log. `seq` is the observation's place in the same order
 * as declarations (one log, leaf seq − 1), so the two tables' seqs never collide and together have
 * no gaps. `body` is the canonical signed observation; `digest` its hex SHA-256.
 */
export const observations = sqliteTable(
  "observations",
  {
    seq: integer("seq").primaryKey(),
    digest: text("digest").notNull(),
    /** host[:port] of the observed URL, lower case. */
    host: text("host").notNull(),
    url: text("url").notNull(),
    observedAt: text("observed_at").notNull(),
    body: text("body").notNull(),
    receipt: text("receipt").notNull(),
  },
  (t) => [uniqueIndex("observations_digest").on(t.digest), index("observations_host").on(t.host, t.seq)],
);

/**
 * Snapshots of the per-isolate read indexes (the unit index, the URL key filter), so that a fresh
 * isolate loads one in a single read instead of rebuilding it from every row (src/store/index-snapshots.ts).
 * `version` is the last rowid of the source table the snapshot holds; `build` tells apart two isolates
 * publishing the same version at once (their bytes may differ: a revocation between their builds).
 * A snapshot is cut into parts (D1 rows hold at most 2 MB), base64 text because D1 returns BLOBs as
 * arrays of numbers; part 0 is written last and names the part count, so a build without it is
 * incomplete and never read.
 * Derived data: deleting every row only makes the next cold isolate rebuild from the tables.
 */
export const indexSnapshots = sqliteTable(
  "index_snapshots",
  {
    kind: text("kind", { enum: ["units", "urls"] }).notNull(),
    version: integer("version").notNull(),
    build: text("build").notNull(),
    part: integer("part").notNull(),
    data: text("data").notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.version, t.build, t.part] })],
);

/** The grant of each mandate (its row in `declarations` has kind = mandate and the same seq). */
export const mandates = sqliteTable(
  "mandates",
  {
    seq: integer("seq").primaryKey(),
    id: text("id").notNull(),
    member: text("member").notNull(),
    agent: text("agent").notNull(),
    /** The scope as signed (JSON). */
    scope: text("scope").notNull(),
    validFrom: text("valid_from").notNull(),
    validUntil: text("valid_until").notNull(),
  },
  (t) => [uniqueIndex("mandates_id").on(t.id), index("mandates_member").on(t.member), index("mandates_agent").on(t.agent)],
);

/**
 * Conflicting claims (src/domain/conflicts.ts), kept equal to what the set of declarations and
 * mandates implies: `id` is deterministic, so every registry names a conflict alike. `n` orders
 * them here (when each was found), for listing.
 */
export const conflicts = sqliteTable(
  "conflicts",
  {
    n: integer("n").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    kind: text("kind", { enum: ["opposite-preferences", "unverified-claim", "domain-claim"] }).notNull(),
    claim: text("claim").notNull(),
    counterpart: text("counterpart").notNull(),
    matched: text("matched").notNull(),
    foundAt: text("found_at").notNull(),
  },
  (t) => [uniqueIndex("conflicts_id").on(t.id), index("conflicts_claim").on(t.claim), index("conflicts_counterpart").on(t.counterpart)],
);

/** Who each conflict concerns (declarant keys, verified controllers, members), for listing by party. */
export const conflictParties = sqliteTable(
  "conflict_parties",
  {
    conflict: text("conflict").notNull(),
    party: text("party").notNull(),
  },
  (t) => [uniqueIndex("conflict_parties_party").on(t.party, t.conflict), index("conflict_parties_conflict").on(t.conflict)],
);

/** Small named values the sequencer keeps with D1 atomically (e.g. how far conflicts were detected). */
export const registryState = sqliteTable("registry_state", {
  key: text("key").primaryKey(),
  value: integer("value").notNull(),
});

/**
 * What a party is told (README, "Notifications"): conflicts that concern it and near-duplicates of
 * its works that others registered, one row per party, in the order this registry found them (`n`).
 * Written with the conflict rows, in the same batch; delivered to subscriptions by the Notifier.
 */
export const notifications = sqliteTable(
  "notifications",
  {
    n: integer("n").primaryKey({ autoIncrement: true }),
    /** Deterministic from type, subject and party: a message's webhook-id, the same on every retry. */
    id: text("id").notNull(),
    party: text("party").notNull(),
    type: text("type", { enum: ["conflict.found", "declaration.near-duplicate"] }).notNull(),
    data: text("data").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("notifications_id").on(t.id), index("notifications_party").on(t.party, t.n)],
);

/**
 * Webhook subscriptions: a party's URL and the secret its deliveries are signed with (Standard
 * Webhooks `v1`, HMAC-SHA256; the secret is shown once, at subscription). `cursor` is the last
 * notification delivered; a failing endpoint is retried with backoff (`attempts`, `nextAt`).
 */
export const subscriptions = sqliteTable(
  "subscriptions",
  {
    id: text("id").primaryKey(),
    subscriber: text("subscriber").notNull(),
    url: text("url").notNull(),
    secret: text("secret").notNull(),
    /** Digest of the signed request: the same request is never accepted twice. */
    digest: text("digest").notNull(),
    active: integer("active", { mode: "boolean" }).notNull(),
    cursor: integer("cursor").notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** Epoch ms of the next try while failing; null when not failing. */
    nextAt: integer("next_at"),
    lastError: text("last_error"),
    lastSuccess: text("last_success"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("subscriptions_digest").on(t.digest), index("subscriptions_subscriber").on(t.subscriber, t.active)],
);
