import { createApp } from "./app";

export { Sequencer } from "./durable/sequencer";

export default createApp();
