import { createApp } from "./app";

export { Notifier } from "./durable/notifier";
export { PeerLink } from "./durable/peer-link";
export { Sequencer } from "./durable/sequencer";

export default createApp();
