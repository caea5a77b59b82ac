import { defineCommand } from "../command";
import { formatDescriptor, type Descriptor } from "../render";

export default defineCommand({
  name: "info",
  args: "",
  summary: "the registry's descriptor: name, hub id, key, endpoints, limits",
  flags: {},
  async run(ctx) {
    const { body } = await ctx.registry().get<Descriptor>(".well-known/opt-out-registry");
    ctx.print(body, formatDescriptor);
    return 0;
  },
});
