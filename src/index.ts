import { createApp } from "./app";

export { PeerLink } from "./durable/peer-link";
export { Sequencer } from "./durable/sequencer";

export default createApp();
