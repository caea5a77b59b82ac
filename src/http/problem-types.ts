/**
 * Every problem type this registry answers with, in one catalogue. A problem's `type` is
 * `<registry origin>/problems/<slug>`, and GET /problems/<slug> serves the entry as a page: what
 * went wrong and how to fix it. `status` and `title` are the same for every occurrence of a type
 * (RFC 9457 §3.1.3); the occurrence's own `detail` says what exactly was wrong.
 */
export interface ProblemType {
  status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 502;
  title: string;
  /** What went wrong, for any occurrence. */
  problem: string;
  /** What the client can do about it. */
  fix: string;
}

export const PROBLEM_TYPES = {
  "invalid-request": {
    status: 422,
    title: "The request is not valid",
    problem: "One or more fields of the body, query or path failed validation. `errors` lists each one: a JSON pointer into the part that failed (`/urls/3`, `/limit`) and the reason.",
    fix: "Correct the fields named in `errors`; /openapi.json describes every field of every route. Unknown fields are refused, never ignored, because signatures cover every byte.",
  },
  "malformed-json": {
    status: 400,
    title: "Malformed JSON",
    problem: "The body could not be parsed as JSON (or, for a batch, as NDJSON or a JSON array).",
    fix: "Send one JSON document (RFC 8259), UTF-8 encoded; for NDJSON batches send content-type: application/x-ndjson with one JSON object a line.",
  },
  "malformed-body": {
    status: 400,
    title: "Malformed body",
    problem: "The body is not valid UTF-8.",
    fix: "Encode the body as UTF-8.",
  },
  "unsupported-media-type": {
    status: 415,
    title: "Unsupported media type",
    problem: "The body's content-type is not one this route takes.",
    fix: "Send the content-type /openapi.json lists for the route, usually application/json (text/plain for the Spawning-compatible query, application/x-ndjson or application/json for batches).",
  },
  "body-too-large": {
    status: 413,
    title: "Body too large",
    problem: "The body is larger than this route accepts; `limit` gives the limit in bytes.",
    fix: "Split the request: the limits of every route are listed in the registry descriptor (/.well-known/opt-out-registry, `limits`).",
  },
  "batch-too-large": {
    status: 413,
    title: "Batch too large",
    problem: "The request carries more items than one request may (1,000 declarations, 10,000 URLs).",
    fix: "Send the items in several requests of at most the limit each, in order.",
  },
  "bad-bookmark": {
    status: 400,
    title: "Invalid D1 bookmark",
    problem: "The x-d1-bookmark header is not a bookmark this registry returned.",
    fix: "Send back the x-d1-bookmark value of an earlier response unchanged, or leave the header out.",
  },
  "not-found": {
    status: 404,
    title: "Not found",
    problem: "The route exists, but what it names does not: no declaration with that id or digest, no peer of that name, no such tile yet, no such problem type.",
    fix: "Check the id or name. A declaration registered on a partner registry may not have reached this one yet; a log tile exists once the tree has grown past it.",
  },
  "no-route": {
    status: 404,
    title: "No such route",
    problem: "This registry serves nothing at that method and path.",
    fix: "See /openapi.json or /docs for the routes this registry serves.",
  },
  "unknown-declaration": {
    status: 404,
    title: "Unknown declaration",
    problem: "`supersedes` names a declaration this registry does not hold.",
    fix: "Use the id of a registered declaration (its receipt's `id`). If it was registered elsewhere, wait until it has reached this registry, or register the update where the original is.",
  },
  "unknown-mandate": {
    status: 404,
    title: "Unknown mandate",
    problem: "`supersedes` of a mandate revocation names no mandate this registry holds.",
    fix: "Use the id of a registered mandate (its receipt's `id`; GET /v1/mandates?member= lists them). If it was registered elsewhere, wait until it has reached this registry.",
  },
  "wrong-key": {
    status: 403,
    title: "Not the declarant",
    problem: "Only the key that signed a declaration or mandate, another key of its verified did:web controller, or the party it names (the member of an agent's declaration, the agent of a mandate) may update or revoke it.",
    fix: "Sign the update or revocation with the original declarant's key, with a key your did:web document lists for the same controller, or as the member or agent the record names.",
  },
  "not-the-member": {
    status: 403,
    title: "Not the member",
    problem: "A mandate is granted by its member, and this one was signed by another key: `member` is neither the signing key nor its verified did:web controller.",
    fix: "Have the member sign the mandate with its own key (or a key its did:web document lists); an agent cannot grant itself a mandate.",
  },
  "not-the-subscriber": {
    status: 403,
    title: "Not the subscriber",
    problem: "A subscription is asked for by the party it concerns, and this request was signed by another key: `subscriber` is neither the signing key nor a did:web whose document lists it.",
    fix: "Sign the subscription with the key you subscribe for (or a key your did:web document lists, naming it as `signature.controller`).",
  },
  "replayed-request": {
    status: 409,
    title: "Request already used",
    problem: "This exact signed request was accepted before; a signed request is accepted once, so a captured copy cannot be replayed.",
    fix: "Sign a new request (a fresh timestamp and nonce).",
  },
  "not-supersedable": {
    status: 409,
    title: "Cannot supersede a revocation",
    problem: "The declaration named by `supersedes` is itself a revocation, which ends a declaration and cannot be updated.",
    fix: "Register a new declaration (intent activate) instead.",
  },
  "not-active": {
    status: 409,
    title: "Declaration is not active",
    problem: "The declaration named by `supersedes` was already superseded or revoked.",
    fix: "Supersede the declaration that replaced it: GET /v1/declarations/{id} shows its status, and the list by declarant shows the newer one.",
  },
  "id-conflict": {
    status: 409,
    title: "Id already used",
    problem: "A partner registry delivered a declaration whose ISCC-ID already names another declaration here.",
    fix: "Hub ids must be unique in a federation: the registries' operators must give each registry its own hub id.",
  },
  "id-in-our-hub": {
    status: 409,
    title: "Id in this registry's hub",
    problem: "A partner registry delivered a declaration whose ISCC-ID is in this registry's hub: only this registry issues those ids, and the receipt is not signed with its key.",
    fix: "Deliver only declarations with the id their origin registry issued; the origin's operator must use its own hub id.",
  },
  "id-in-the-future": {
    status: 422,
    title: "Id timestamp in the future",
    problem: "A delivered declaration's ISCC-ID is dated beyond this registry's clock and the allowed skew.",
    fix: "The origin registry's clock is wrong: its operator must fix it (NTP). Ids are never issued ahead of time.",
  },
  "ids-exhausted": {
    status: 409,
    title: "No id left",
    problem: "This registry's hub has no ISCC-ID timestamp left to issue.",
    fix: "Nothing a client can do: tell the registry's operator.",
  },
  "write-conflict": {
    status: 409,
    title: "Conflicting write",
    problem: "The registry could not store this declaration: writing it conflicted with what is stored (a constraint the checks before it did not catch). Nothing of it was written; the other items of a batch were.",
    fix: "Send it again; if the same refusal comes back, tell the registry's operator, quoting the detail.",
  },
  unauthorized: {
    status: 401,
    title: "Operator token required",
    problem: "This is an operator route and the request did not carry this registry's operator token.",
    fix: "Send Authorization: Bearer <OPERATOR_TOKEN> (a Worker secret of this registry).",
  },
  "webhook-unsigned": {
    status: 401,
    title: "Unsigned webhook",
    problem: "A webhook delivery lacked one of webhook-id, webhook-timestamp, webhook-signature and webhook-source.",
    fix: "Send all four Standard Webhooks headers (README, Federation).",
  },
  "webhook-malformed": {
    status: 401,
    title: "Malformed webhook headers",
    problem: "A webhook header could not be parsed (timestamp not an integer, signature not v1a,<base64>).",
    fix: "Follow Standard Webhooks with the asymmetric v1a scheme: webhook-signature: v1a,<base64 Ed25519 signature>.",
  },
  "webhook-stale": {
    status: 401,
    title: "Stale webhook",
    problem: "The webhook timestamp is more than five minutes from this registry's clock.",
    fix: "Sign each delivery (retries too) with the current time, and keep the sender's clock in sync (NTP).",
  },
  "webhook-bad-signature": {
    status: 401,
    title: "Bad webhook signature",
    problem: "The webhook signature does not verify with the key this registry has for the sending peer.",
    fix: "Sign `{webhook-id}.{webhook-timestamp}.{body}` over the exact body bytes with the key of your registry descriptor; if the key changed, ask this registry's operator to update the peer.",
  },
  "unknown-peer": {
    status: 403,
    title: "Unknown peer",
    problem: "The sender named in webhook-source is not a peer of this registry.",
    fix: "Ask this registry's operator to add your registry as a peer (POST /v1/peers).",
  },
  "bad-receipt": {
    status: 422,
    title: "The receipt does not verify",
    problem: "A delivered receipt is not valid: its id is not an ISCC-ID v1, it is not signed by its origin registry, or it does not belong to the declaration it came with.",
    fix: "Deliver receipts exactly as their origin registry signed them, with the declaration they name.",
  },
  "origin-unreachable": {
    status: 502,
    title: "Origin unreachable",
    problem: "Asked to observe a URL (POST /v1/observations), the registry could fetch nothing from its origin: not robots.txt, not tdmrep.json, not ai.txt, not the URL itself (refused connection, timeout, a redirect to a non-public address). Nothing was logged.",
    fix: "Check that the site answers on the public internet at that URL, then ask again.",
  },
  "observation-too-large": {
    status: 422,
    title: "Observation too large",
    problem: "What the registry read from the origin does not fit one transparency-log entry, even cut to the documented bounds. Nothing was logged.",
    fix: "Observe a URL whose site publishes fewer statements (robots.txt groups, License lines, meta tags), or tell the registry's operator.",
  },
  "rate-limited": {
    status: 429,
    title: "Too many requests",
    problem: "This client sent more requests of this kind than the rate limit allows; `limit` and `period` say which limit.",
    fix: "Wait for the number of seconds in Retry-After, then continue more slowly; batch URLs (POST /v1/lookup, up to 10,000) instead of many single lookups. Limits are per API key when one is sent, else per IP.",
  },
  internal: {
    status: 500,
    title: "Internal error",
    problem: "The registry failed to answer. Nothing was changed: a request takes full effect or none.",
    fix: "Retry later; if it persists, tell the registry's operator (the response's time and path help).",
  },
} as const satisfies Record<string, ProblemType>;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

export function isProblemSlug(s: string): s is ProblemSlug {
  return Object.hasOwn(PROBLEM_TYPES, s);
}
