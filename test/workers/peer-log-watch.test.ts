import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { FAKE_PEER, FAKE_PEER_PUBLIC_KEY } from "../fakes/peer-registry";
import { call } from "./helpers";

const OP = { authorization: `Bearer ${env.OPERATOR_TOKEN}` };
const link = () => env.PEER_LINK.get(env.PEER_LINK.idFromName(FAKE_PEER));

async function peerShows(entries: string[]) {
  await fetch(`https://${FAKE_PEER}/__history`, { method: "POST", body: JSON.stringify({ entries }) });
}

/** Runs one round of the link (start() asks for a pull and log check now), then reads GET /v1/peers. */
async function checkRound() {
  await link().start(FAKE_PEER);
  await runDurableObjectAlarm(link());
  const res = await call("GET", "/v1/peers", undefined, OP);
  return res.body.peers.find((p: { name: string }) => p.name === FAKE_PEER).state.log;
}

describe("a registry watches its peers' transparency logs", () => {
  it("keeps each consistent checkpoint, and flags a peer that rewrites its history for good", async () => {
    const history = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    await peerShows(history.slice(0, 4));
    const added = await call("POST", "/v1/peers", { name: FAKE_PEER, url: `https://${FAKE_PEER}`, public_key: FAKE_PEER_PUBLIC_KEY }, OP);
    expect(added.status).toBeLessThan(300);

    let log = await checkRound();
    expect(log).toMatchObject({ origin: `${FAKE_PEER}/log`, size: 4, rewrote_history: false, last_error: null });

    await peerShows(history.slice(0, 7));
    log = await checkRound();
    expect(log).toMatchObject({ size: 7, rewrote_history: false, last_error: null });

    // The peer now presents a longer log in which entry 2 was changed: no consistency proof exists.
    await peerShows(["a", "b", "X", "d", "e", "f", "g", "h", "i"]);
    log = await checkRound();
    expect(log.rewrote_history).toBe(true);
    expect(log.size).toBe(7);
    expect(log.inconsistency.reason).toContain("consistency");
    expect(log.inconsistency.note).toContain(`${FAKE_PEER}/log\n9\n`);

    // Even once it shows the honest history again, the evidence stays.
    await peerShows(history);
    log = await checkRound();
    expect(log).toMatchObject({ size: 9, rewrote_history: true });
  });
});
