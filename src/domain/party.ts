/**
 * How a party is named in mandates, `on_behalf_of` and subscriptions: an Ed25519 multikey
 * (`z6Mk…`) or a did:web. Pure, with no schema library, so the web app checks a member field
 * with the same pattern the registry's schemas use.
 */
export const PARTY = /^(z6Mk[1-9A-HJ-NP-Za-km-z]{44,45}|did:web:[A-Za-z0-9.%:_-]{1,250})$/;
