/** Every documented limit in one place; README "Limits" lists the same numbers. */
export const LIMITS = {
  /** One signed declaration, as JSON (its canonical form, wherever it comes from). */
  declarationBytes: 32 * 1024,
  /** One receipt a peer delivers, as canonical JSON (ours are under 1 KiB). */
  receiptBytes: 8 * 1024,
  urlsPerDeclaration: 100,
  urlLength: 2048,
  nameLength: 512,
  batchDeclarations: 1000,
  batchBytes: 8 * 1024 * 1024,
  matchCodes: 1000,
  matchBytes: 1024 * 1024,
  lookupUrls: 10_000,
  lookupIdentifiers: 10_000,
  lookupBytes: 8 * 1024 * 1024,
  /** One webhook delivery from a peer (POST /v1/webhooks/declarations). */
  webhookDeclarations: 1000,
  webhookBytes: 8 * 1024 * 1024,
  /** Standard Webhooks timestamp tolerance, either way. */
  webhookToleranceSeconds: 5 * 60,
  /** How far a declaration's timestamp may be from the registry clock at first registration. */
  timestampSkewMs: 10 * 60 * 1000,
  /** POST /v1/observations: a body naming one URL. */
  observationBytes: 4 * 1024,
  pageSize: 100,
  maxPageSize: 1000,
} as const;
